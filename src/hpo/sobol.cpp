#include "hpo/sobol.h"

#include <bit>

#include "hpo/rng.h"

namespace yard::hpo {
namespace {

// Rows `s a m_1 .. m_s` of new-joe-kuo-6.21201 for dimensions 2 .. 40 (dimension 1 is van der
// Corput's and needs none): the degree of the primitive polynomial, its inner coefficients
// as bits, and the initial direction numbers.
struct Row {
  int s;
  uint32_t a;
  std::array<uint32_t, 8> m;
};
constexpr Row kJoeKuo[kSobolDims - 1] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},
};

// Direction numbers v_1 .. v_32 of dimension d (0-based) as 32-bit binary fractions: bit 31
// is the first binary digit.
std::array<uint32_t, 32> Directions(int d) {
  std::array<uint32_t, 32> v{};
  if (d == 0) {
    for (int i = 0; i < 32; ++i) v[i] = 1u << (31 - i);
    return v;
  }
  const Row& row = kJoeKuo[d - 1];
  int s = row.s;
  for (int i = 0; i < s; ++i) v[i] = row.m[i] << (31 - i);
  for (int i = s; i < 32; ++i) {
    v[i] = v[i - s] ^ (v[i - s] >> s);
    for (int k = 1; k < s; ++k)
      if ((row.a >> (s - 1 - k)) & 1) v[i] ^= v[i - k];
  }
  return v;
}

// Multiplies each direction number by a random lower-triangular binary matrix with a unit
// diagonal: output digit i mixes input digits 0 .. i. The generator matrix stays invertible
// in every leading block, so the net property survives.
void LinearScramble(std::array<uint32_t, 32>& v, Rng& rng) {
  std::array<uint32_t, 32> rows{};
  for (int i = 0; i < 32; ++i) {
    uint32_t above = i == 0 ? 0u : ~((1u << (31 - i)) | ((1u << (31 - i)) - 1u));
    rows[i] = (1u << (31 - i)) | (static_cast<uint32_t>(rng.Next()) & above);
  }
  for (auto& word : v) {
    uint32_t out = 0;
    for (int i = 0; i < 32; ++i)
      out |= static_cast<uint32_t>(std::popcount(rows[i] & word) & 1) << (31 - i);
    word = out;
  }
}

constexpr uint64_t kScrambleStream = 0x50b01;

}  // namespace

Sobol::Sobol(int dims, uint64_t seed) : dims_(dims < 0 ? 0 : dims), seed_(seed) {
  Rng rng(seed, kScrambleStream);
  int sobol_dims = dims_ < kSobolDims ? dims_ : kSobolDims;
  for (int d = 0; d < sobol_dims; ++d) {
    auto v = Directions(d);
    LinearScramble(v, rng);
    directions_.push_back(v);
    shifts_.push_back(static_cast<uint32_t>(rng.Next() >> 32));
  }
}

std::vector<double> Sobol::Point(uint64_t index) const {
  std::vector<double> point(static_cast<size_t>(dims_));
  for (size_t d = 0; d < directions_.size(); ++d) {
    uint32_t x = shifts_[d];
    uint64_t n = index;
    for (int bit = 0; n != 0 && bit < 32; ++bit, n >>= 1)
      if (n & 1) x ^= directions_[d][bit];
    // The centre of the point's 2^-32 cell, never exactly 0.
    point[d] = (static_cast<double>(x) + 0.5) * 0x1.0p-32;
  }
  for (size_t d = directions_.size(); d < point.size(); ++d)
    point[d] = UnitFromBits(SplitMix64(seed_ ^ SplitMix64(index ^ SplitMix64(d))));
  return point;
}

}  // namespace yard::hpo
