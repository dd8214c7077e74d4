#include "hpo/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace yard::hpo {
namespace {

// 0-based ranks, ties at the mean of the ranks they span.
std::vector<double> Ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return x[a] != x[b] ? x[a] < x[b] : a < b; });
  std::vector<double> ranks(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = 0.5 * static_cast<double>(i + j);
    i = j + 1;
  }
  return ranks;
}

}  // namespace

double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 3) return 0;
  std::vector<double> rx = Ranks(x), ry = Ranks(y);
  // Ties at their mean rank keep the ranks' sum: both means are (n - 1) / 2.
  double mean = 0.5 * static_cast<double>(x.size() - 1);
  double cov = 0, vx = 0, vy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double dx = rx[i] - mean, dy = ry[i] - mean;
    cov += dx * dy;
    vx += dx * dx;
    vy += dy * dy;
  }
  if (vx <= 0 || vy <= 0) return 0;
  return cov / std::sqrt(vx * vy);  // sqrt is correctly rounded: the same bits everywhere
}

}  // namespace yard::hpo
