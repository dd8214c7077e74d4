#include "hpo/hyperband.h"

#include <cmath>

namespace yard::hpo {

std::vector<double> BracketWeights(int rungs, double eta) {
  std::vector<double> weights;
  int s_max = rungs - 1;
  for (int b = 0; b < rungs; ++b) {
    int s = s_max - b;
    double power = 1;
    for (int i = 0; i < s; ++i) power *= eta;
    weights.push_back(std::ceil(static_cast<double>(s_max + 1) / (s + 1) * power - 1e-9));
  }
  return weights;
}

int NextBracket(const std::vector<double>& weights, const std::vector<int64_t>& counts) {
  int best = 0;
  double best_load = 0;
  for (size_t b = 0; b < weights.size(); ++b) {
    double load = static_cast<double>(counts[b] + 1) / weights[b];
    if (b == 0 || load < best_load) {
      best = static_cast<int>(b);
      best_load = load;
    }
  }
  return best;
}

int IterationBracket(const std::vector<double>& weights, int64_t n) {
  int64_t per_iteration = 0;
  for (double w : weights) per_iteration += static_cast<int64_t>(w);
  if (per_iteration <= 0) return 0;
  int64_t i = n % per_iteration;
  for (size_t b = 0; b < weights.size(); ++b) {
    auto w = static_cast<int64_t>(weights[b]);
    if (i < w) return static_cast<int>(b);
    i -= w;
  }
  return 0;  // not reached: i < per_iteration
}

}  // namespace yard::hpo
