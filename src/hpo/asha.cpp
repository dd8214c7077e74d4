#include "hpo/asha.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace yard::hpo {
namespace {

void Rank(std::vector<RungEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const RungEntry& a, const RungEntry& b) {
    return a.score != b.score ? a.score > b.score : a.trial < b.trial;
  });
}

}  // namespace

std::vector<double> RungBudgets(const Budget& budget, bool integral) {
  // Powers by repeated multiplication (exact for integer eta, the same bits everywhere), and
  // a hair of tolerance so that 27 / 3^3 = 1 counts as reaching min = 1.
  std::vector<double> powers = {1.0};
  while (budget.max / (powers.back() * budget.reduction) >= budget.min * (1 - 1e-9) &&
         powers.size() < 64)
    powers.push_back(powers.back() * budget.reduction);
  std::vector<double> rungs;
  for (size_t k = powers.size(); k-- > 0;) {
    double r = k == 0 ? budget.max : budget.max / powers[k];
    if (integral) r = std::round(r);
    if (rungs.empty() || r > rungs.back()) rungs.push_back(r);
  }
  return rungs;
}

int64_t RungKeep(int64_t n, double eta) {
  return static_cast<int64_t>(std::floor(static_cast<double>(n) / eta + 1e-9));
}

std::optional<int64_t> PromotionCandidate(std::vector<RungEntry> entries, double eta) {
  Rank(entries);
  auto keep = static_cast<size_t>(RungKeep(static_cast<int64_t>(entries.size()), eta));
  for (size_t i = 0; i < keep && i < entries.size(); ++i)
    if (entries[i].promotable && !std::isinf(entries[i].score)) return entries[i].trial;
  return std::nullopt;
}

bool BelowRungCutoff(std::vector<RungEntry> entries, int64_t trial, double eta) {
  for (const RungEntry& e : entries)
    if (e.trial == trial && e.score == -std::numeric_limits<double>::infinity()) return true;
  auto n = static_cast<int64_t>(entries.size());
  if (static_cast<double>(n) < eta * (1 - 1e-9)) return false;
  Rank(entries);
  int64_t keep = std::max<int64_t>(1, RungKeep(n, eta));
  for (int64_t i = 0; i < keep; ++i)
    if (entries[static_cast<size_t>(i)].trial == trial) return false;
  return true;
}

}  // namespace yard::hpo
