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

}  // namespace yard::hpo
