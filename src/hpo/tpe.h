// The Tree-structured Parzen Estimator (Bergstra et al. 2011), multivariate as in Optuna
// (Falkner et al. 2018): results split into a good group (the best gamma(n)) and the rest;
// each group becomes a product-kernel density over the joint space, and the next point is
// the candidate, among draws from the good density l(x), that maximises l(x) / g(x).
//
// Coordinates: numeric parameters in [0, 1] (their unit coordinate, so log ranges are in log
// space; discrete ones at their bucket's centre), categorical ones as the index of the value.
#pragma once

#include <cstdint>
#include <vector>

#include "hpo/rng.h"

namespace yard::hpo {

struct TpeDim {
  bool categorical = false;
  int64_t size = 0;  // categorical: the number of choices; numeric: buckets, 0 if continuous
};

struct TpeOptions {
  int candidates = 24;        // draws from l(x) per proposal (Optuna's n_ei_candidates)
  double prior_weight = 1.0;  // weight of the prior component (uniform-ish over the space)
  // The numeric kernels' width (unit coordinates): bandwidth * n^(-1/(d+4)) for n
  // observations in d dims, at least min_bandwidth. Optuna 3.1 uses 0.2 and a floor of
  // 1/min(100, n+2), which for a good group of 1..7 points (a search of up to 70 trials) is
  // 0.11..0.33 of every range: l(x) is then nearly as wide as the space and a short search
  // hardly exploits what it found. Narrower kernels with a fixed floor (Watanabe 2023,
  // "TPE: understanding its algorithm components", recommends a floor near 0.03) found
  // better points at equal trials on Branin and Hartmann-6 (bench/hpo, seeds it does not
  // report) and did no worse on the training problems.
  double bandwidth = 0.1;
  double min_bandwidth = 0.03;
};

// The size of the good group for n results: min(ceil(n / 10), 25), as Optuna's default.
int64_t TpeGoodCount(int64_t n);

// A mixture with one component per observation plus a prior component. Gaussian kernels
// truncated to [0, 1] for numeric dims, with a multivariate bandwidth as Optuna's (Scott's
// rule, one width for every dim), options.bandwidth n^(-1/(d+4)) clipped to
// [options.min_bandwidth, 1]; the prior is N(0.5, 1). Categorical
// kernels put 1 + p on the observed value and p = prior_weight/(n+1) on every value (the
// prior: uniform). Components share one index across dims: a product kernel. Observations
// are oldest first: past 25 of them, older ones weigh less (Optuna's default weights).
class ParzenEstimator {
 public:
  ParzenEstimator(const std::vector<TpeDim>& dims, const std::vector<std::vector<double>>& xs,
                  const TpeOptions& options);

  std::vector<double> Sample(Rng& rng) const;
  double LogDensity(const std::vector<double>& x) const;

 private:
  std::vector<TpeDim> dims_;
  std::vector<double> weights_;                 // per component, sum 1
  std::vector<std::vector<double>> mus_;        // [component][dim]; categorical: the index
  std::vector<double> sigmas_;                  // per component (numeric dims share it)
  std::vector<std::vector<double>> log_norm_;   // [component][dim]: log(sigma sqrt(2 pi) Z)
  std::vector<std::vector<double>> cat_log_p_;  // [component][dim*]: flattened choice log p
  std::vector<size_t> cat_offset_;              // per dim: where its choices start
  size_t cat_width_ = 0;
};

// The next point: `good` and `bad` observations (oldest first) give l and g; the best of
// options.candidates draws from l by log l - log g (the first on ties).
std::vector<double> TpeSuggest(const std::vector<TpeDim>& dims,
                               const std::vector<std::vector<double>>& good,
                               const std::vector<std::vector<double>>& bad, Rng& rng,
                               const TpeOptions& options);

}  // namespace yard::hpo
