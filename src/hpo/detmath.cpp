#include "hpo/detmath.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace yard::hpo {
namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (Cody and Waite).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;

}  // namespace

double DetExp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0.0;
  // x = k ln2 + r with |r| <= ln2 / 2; e^r by its Taylor series, whose terms past r^17/17!
  // are below 2^-60 there.
  double k = std::floor(x * kInvLn2 + 0.5);
  double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 17; ++n) {
    term *= r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));  // exact: a change of exponent
}

double DetLog(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  // log m = 2 atanh(f) with f = (m - 1) / (m + 1), |f| <= 0.1716: the odd series converges
  // by a factor of f^2 < 0.03 per term.
  double f = (m - 1) / (m + 1);
  double f2 = f * f;
  double power = f;
  double series = 0;
  for (int n = 1; n <= 27; n += 2) {
    series += power / n;
    power *= f2;
  }
  return e * kLn2Hi + (e * kLn2Lo + 2 * series);
}

double DetNormalCdf(double x) {
  if (std::isnan(x)) return x;
  // erfc(z) with z = |x| / sqrt 2 by the Chebyshev fit of Numerical Recipes (erfcc), whose
  // relative error is below 1.2e-7 everywhere.
  double z = std::fabs(x) * 0.70710678118654752440;
  double t = 1.0 / (1.0 + 0.5 * z);
  double poly =
      -z * z - 1.26551223 +
      t * (1.00002368 +
           t * (0.37409196 +
                t * (0.09678418 +
                     t * (-0.18628806 +
                          t * (0.27886807 +
                               t * (-1.13520398 +
                                    t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  double erfc = t * DetExp(poly);
  return x >= 0 ? 1.0 - 0.5 * erfc : 0.5 * erfc;
}

double RoundSignificant(double x, int digits) {
  if (!std::isfinite(x) || x == 0) return x;
  char buf[64];
  auto printed = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, digits - 1);
  double out = x;
  std::from_chars(buf, printed.ptr, out);
  return out;
}

}  // namespace yard::hpo
