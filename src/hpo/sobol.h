// Scrambled Sobol points: a low-discrepancy sequence in the unit cube, so that random search
// covers the space evenly instead of in clumps. Direction numbers of Joe and Kuo
// (new-joe-kuo-6.21201) for the first kSobolDims dimensions, scrambled from a seed with a
// random linear matrix scramble and a random digital shift (as SciPy does): both keep the
// net structure, and different seeds give different but equally even point sets.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace yard::hpo {

inline constexpr int kSobolDims = 40;

class Sobol {
 public:
  // `dims` >= 0; coordinates past kSobolDims are not Sobol but independent uniforms hashed
  // from (seed, index, dimension), which keeps points a pure function of their index.
  Sobol(int dims, uint64_t seed);

  int dims() const { return dims_; }
  // Point number `index` (0, 1, 2, ...), each coordinate in [0, 1). Stateless: any index, any
  // order. For every k, points 0 .. 2^k - 1 put exactly one point in each of the 2^k equal
  // intervals of every single coordinate (below kSobolDims).
  std::vector<double> Point(uint64_t index) const;

 private:
  int dims_;
  uint64_t seed_;
  std::vector<std::array<uint32_t, 32>> directions_;  // scrambled, per Sobol dimension
  std::vector<uint32_t> shifts_;
};

}  // namespace yard::hpo
