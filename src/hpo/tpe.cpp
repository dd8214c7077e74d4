#include "hpo/tpe.h"

#include <cmath>
#include <limits>

#include "hpo/detmath.h"

namespace yard::hpo {
namespace {

constexpr double kLogSqrt2Pi = 0.91893853320467274178;

// The centre of the bucket x falls in, for discrete numeric dims.
double Snap(double x, int64_t buckets) {
  if (buckets <= 0) return x;
  auto i = static_cast<int64_t>(std::floor(x * static_cast<double>(buckets)));
  if (i < 0) i = 0;
  if (i >= buckets) i = buckets - 1;
  return (static_cast<double>(i) + 0.5) / static_cast<double>(buckets);
}

// Optuna's default_weights: flat for the newest 25, a linear ramp down for older ones, so
// that the model drifts towards where the search is now.
std::vector<double> ObservationWeights(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  size_t ramp = n - 25;
  double start = 1.0 / static_cast<double>(n);
  for (size_t i = 0; i < ramp; ++i)
    w[i] = ramp == 1
               ? start
               : start + static_cast<double>(i) * (1.0 - start) / static_cast<double>(ramp - 1);
  return w;
}

double LogSumExp(const std::vector<double>& xs) {
  double top = -std::numeric_limits<double>::infinity();
  for (double x : xs) top = x > top ? x : top;
  if (std::isinf(top)) return top;
  double sum = 0;
  for (double x : xs) sum += DetExp(x - top);
  return top + DetLog(sum);
}

}  // namespace

int64_t TpeGoodCount(int64_t n) {
  int64_t good = (n + 9) / 10;
  return good < 25 ? good : 25;
}

ParzenEstimator::ParzenEstimator(const std::vector<TpeDim>& dims,
                                 const std::vector<std::vector<double>>& xs,
                                 const TpeOptions& options)
    : dims_(dims) {
  size_t n = xs.size();
  size_t components = n + 1;  // the last one is the prior
  weights_ = ObservationWeights(n);
  weights_.push_back(options.prior_weight);
  double total = 0;
  for (double w : weights_) total += w;
  for (double& w : weights_) w /= total;

  double nd = static_cast<double>(n == 0 ? 1 : n);
  double d = static_cast<double>(dims.size());
  double sigma = options.bandwidth * DetExp(DetLog(nd) * (-1.0 / (d + 4.0)));
  sigma = std::fmax(options.min_bandwidth, std::fmin(1.0, sigma));
  sigmas_.assign(components, sigma);
  sigmas_[n] = 1.0;

  for (const TpeDim& dim : dims) {
    cat_offset_.push_back(cat_width_);
    if (dim.categorical) cat_width_ += static_cast<size_t>(dim.size);
  }
  double smooth = options.prior_weight / static_cast<double>(components);
  mus_.resize(components);
  log_norm_.resize(components);
  cat_log_p_.resize(components);
  for (size_t j = 0; j < components; ++j) {
    bool prior = j == n;
    mus_[j].resize(dims.size());
    log_norm_[j].resize(dims.size());
    cat_log_p_[j].resize(cat_width_);
    for (size_t k = 0; k < dims.size(); ++k) {
      const TpeDim& dim = dims[k];
      if (dim.categorical) {
        // One unit of mass on the observed value, `smooth` on every value; the prior is flat.
        double observed = prior ? -1 : xs[j][k];
        mus_[j][k] = observed;
        double norm = (prior ? 0.0 : 1.0) + smooth * static_cast<double>(dim.size);
        for (int64_t c = 0; c < dim.size; ++c) {
          double mass = smooth + (static_cast<double>(c) == observed ? 1.0 : 0.0);
          cat_log_p_[j][cat_offset_[k] + static_cast<size_t>(c)] = DetLog(mass / norm);
        }
        continue;
      }
      double mu = prior ? 0.5 : xs[j][k];
      double s = sigmas_[j];
      mus_[j][k] = mu;
      double z = DetNormalCdf((1.0 - mu) / s) - DetNormalCdf(-mu / s);
      log_norm_[j][k] = DetLog(s) + kLogSqrt2Pi + DetLog(z > 1e-300 ? z : 1e-300);
    }
  }
}

std::vector<double> ParzenEstimator::Sample(Rng& rng) const {
  double u = rng.Uniform();
  size_t j = 0;
  for (double acc = weights_[0]; j + 1 < weights_.size() && u >= acc; acc += weights_[j]) ++j;
  std::vector<double> x(dims_.size());
  for (size_t k = 0; k < dims_.size(); ++k) {
    const TpeDim& dim = dims_[k];
    if (!dim.categorical) {
      x[k] = Snap(rng.TruncatedNormal(mus_[j][k], sigmas_[j], 0.0, 1.0), dim.size);
      continue;
    }
    double v = rng.Uniform();
    int64_t c = 0;
    double acc = DetExp(cat_log_p_[j][cat_offset_[k]]);
    while (c + 1 < dim.size && v >= acc) {
      ++c;
      acc += DetExp(cat_log_p_[j][cat_offset_[k] + static_cast<size_t>(c)]);
    }
    x[k] = static_cast<double>(c);
  }
  return x;
}

double ParzenEstimator::LogDensity(const std::vector<double>& x) const {
  std::vector<double> terms(weights_.size());
  for (size_t j = 0; j < weights_.size(); ++j) {
    double t = DetLog(weights_[j]);
    for (size_t k = 0; k < dims_.size(); ++k) {
      if (dims_[k].categorical) {
        auto c = static_cast<size_t>(x[k]);
        t += cat_log_p_[j][cat_offset_[k] + c];
      } else {
        double z = (x[k] - mus_[j][k]) / sigmas_[j];
        t += -0.5 * z * z - log_norm_[j][k];
      }
    }
    terms[j] = t;
  }
  return LogSumExp(terms);
}

std::vector<double> TpeSuggest(const std::vector<TpeDim>& dims,
                               const std::vector<std::vector<double>>& good,
                               const std::vector<std::vector<double>>& bad, Rng& rng,
                               const TpeOptions& options) {
  ParzenEstimator l(dims, good, options);
  ParzenEstimator g(dims, bad, options);
  std::vector<double> best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < options.candidates; ++i) {
    std::vector<double> x = l.Sample(rng);
    double score = l.LogDensity(x) - g.LogDensity(x);
    if (best.empty() || score > best_score) {
      best = std::move(x);
      best_score = score;
    }
  }
  return best;
}

}  // namespace yard::hpo
