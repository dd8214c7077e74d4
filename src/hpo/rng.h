// A small random number generator of our own: xoshiro256** seeded through splitmix64, with
// our own uniform, integer and normal draws. std:: engines are portable but std::
// distributions are not (each standard library draws differently), and a searcher must make
// the same decisions for a seed on every machine; its state also has to go into the
// database, which an opaque std:: engine makes awkward.
#pragma once

#include <array>
#include <cstdint>

#include "api/types.h"
#include "common/status.h"

namespace yard::hpo {

// splitmix64's output function: a good 64-bit mix, also used to hash counters.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A double in [0, 1) from the top 53 bits of x.
inline double UnitFromBits(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

class Rng {
 public:
  // `stream` separates the generators one seed feeds (Sobol scrambling, TPE, ...), so that
  // drawing more from one never shifts another.
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0);

  uint64_t Next();
  double Uniform();            // [0, 1)
  uint64_t Below(uint64_t n);  // [0, n), unbiased; 0 when n == 0
  double Normal();             // standard normal (Marsaglia's polar method)
  // mean + sd * N(0, 1) conditioned on [lo, hi] (by rejection; clamped after 64 misses,
  // which needs an interval many sd away from the mean).
  double TruncatedNormal(double mean, double sd, double lo, double hi);

  // The state as four 16-digit hex strings: JSON numbers above 2^53 do not survive every
  // reader on the way to the database and back.
  Json Save() const;
  static Result<Rng> Load(const Json& state);

 private:
  std::array<uint64_t, 4> s_{};
};

}  // namespace yard::hpo
