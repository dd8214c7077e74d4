#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "hpo/detmath.h"
#include "hpo/rng.h"
#include "hpo/sobol.h"

namespace yard::hpo {
namespace {

TEST(DetMath, MatchesLibmClosely) {
  for (double x = -700; x < 700; x += 0.37) {
    double want = std::exp(x);
    EXPECT_NEAR(DetExp(x), want, 1e-15 * want) << x;
  }
  for (double x = 1e-300; x < 1e300; x *= 3.7) {
    double want = std::log(x);
    EXPECT_NEAR(DetLog(x), want, 1e-15 * std::fabs(want) + 1e-300) << x;
  }
  EXPECT_NEAR(DetLog(1.0 + 1e-10), std::log(1.0 + 1e-10), 1e-25);
  EXPECT_EQ(DetLog(1.0), 0.0);
  EXPECT_EQ(DetExp(0.0), 1.0);
  EXPECT_EQ(DetExp(-1000), 0.0);
  EXPECT_TRUE(std::isinf(DetExp(1000)));
  EXPECT_TRUE(std::isnan(DetLog(-1)));
  for (double x = -8; x <= 8; x += 0.01)
    EXPECT_NEAR(DetNormalCdf(x), 0.5 * std::erfc(-x / std::sqrt(2.0)), 2e-7) << x;
  EXPECT_EQ(RoundSignificant(0.1 + 0.2, 12), 0.3);
  EXPECT_EQ(RoundSignificant(123456.7891, 4), 123500.0);
}

// Fixed outputs, recorded once: these bits must come out on every machine and standard
// library, or a master restarted elsewhere would not continue the same search.
TEST(Determinism, GoldenValues) {
  EXPECT_EQ(SplitMix64(0), 0xe220a8397b1dcdafULL);  // splitmix64's published first output
  Rng rng(7);
  EXPECT_EQ(rng.Next(), 0x19eed03a0258b993ULL);
  EXPECT_EQ(rng.Next(), 0xf47db508b7917d1dULL);
  EXPECT_EQ(rng.Next(), 0x83c92bb443ac5d3fULL);
  EXPECT_NE(Rng(1, 2).Next(), Rng(1, 3).Next()) << "streams must differ";
  auto p = Sobol(3, 9).Point(5);
  EXPECT_EQ(p, (std::vector<double>{0x1.fa20bef6p-2, 0x1.6686c56p-6, 0x1.fefd59b7p-1}));
  EXPECT_EQ(DetExp(0.1), 0x1.1aec7b35a00d2p+0);
  EXPECT_EQ(DetLog(3.0), 0x1.193ea7aad030bp+0);
}

TEST(Rng, SaveAndLoadContinue) {
  Rng a(123, 4);
  for (int i = 0; i < 10; ++i) a.Next();
  Json saved = Json::parse(a.Save().dump());
  auto b = Rng::Load(saved);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b->Next());
  EXPECT_FALSE(Rng::Load(Json::array({"0", "1"})).ok());
  EXPECT_FALSE(Rng::Load(Json::array({"zz", "1", "2", "3"})).ok());
  EXPECT_FALSE(Rng::Load(Json::array({"0000000000000000", "0000000000000000", "0000000000000000",
                                      "0000000000000000"}))
                   .ok());
}

TEST(Rng, DrawsHaveTheRightShape) {
  Rng rng(9);
  double sum = 0, sum2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double u = rng.Uniform();
    ASSERT_GE(u, 0);
    ASSERT_LT(u, 1);
    ASSERT_LT(rng.Below(7), 7u);
    double z = rng.Normal();
    sum += z;
    sum2 += z * z;
    double t = rng.TruncatedNormal(0.9, 0.5, 0, 1);
    ASSERT_GE(t, 0);
    ASSERT_LE(t, 1);
  }
  EXPECT_NEAR(sum / n, 0, 0.03);
  EXPECT_NEAR(sum2 / n, 1, 0.04);
}

// Every single coordinate of points 0 .. 2^k - 1 puts exactly one point in each interval
// [i / 2^k, (i + 1) / 2^k): the property that makes Sobol points cover a range evenly.
TEST(Sobol, EveryCoordinateHitsEveryBucketOnce) {
  Sobol sobol(kSobolDims, 17);
  for (int k = 0; k <= 10; ++k) {
    uint64_t n = 1ULL << k;
    std::vector<std::vector<int>> hits(kSobolDims, std::vector<int>(n, 0));
    for (uint64_t i = 0; i < n; ++i) {
      auto p = sobol.Point(i);
      ASSERT_EQ(p.size(), static_cast<size_t>(kSobolDims));
      for (int d = 0; d < kSobolDims; ++d) {
        ASSERT_GE(p[d], 0);
        ASSERT_LT(p[d], 1);
        ++hits[d][static_cast<size_t>(p[d] * static_cast<double>(n))];
      }
    }
    for (int d = 0; d < kSobolDims; ++d)
      for (uint64_t b = 0; b < n; ++b) ASSERT_EQ(hits[d][b], 1) << "k " << k << " dim " << d;
  }
}

// The first two dimensions form a (0, m, 2)-net: every box [a/2^i, (a+1)/2^i) x
// [b/2^j, (b+1)/2^j) with i + j = m holds exactly one of the first 2^m points. This checks
// the direction numbers of dimension 2 and that scrambling kept the structure.
TEST(Sobol, FirstTwoDimensionsAreANet) {
  for (uint64_t seed : {0u, 5u}) {
    Sobol sobol(2, seed);
    const int m = 8;
    std::vector<std::vector<double>> pts;
    for (uint64_t i = 0; i < (1u << m); ++i) pts.push_back(sobol.Point(i));
    for (int i = 0; i <= m; ++i) {
      int j = m - i;
      std::set<std::pair<int, int>> boxes;
      for (const auto& p : pts)
        boxes.insert({static_cast<int>(p[0] * (1 << i)), static_cast<int>(p[1] * (1 << j))});
      EXPECT_EQ(boxes.size(), pts.size()) << "split " << i << "+" << j;
    }
  }
}

TEST(Sobol, SeedsScrambleDifferently) {
  Sobol a(3, 1), b(3, 1), c(3, 2);
  int differ = 0;
  for (uint64_t i = 0; i < 16; ++i) {
    EXPECT_EQ(a.Point(i), b.Point(i));
    differ += a.Point(i) != c.Point(i) ? 1 : 0;
  }
  EXPECT_EQ(differ, 16);
}

TEST(Sobol, DimensionsPastTheTableAreUniform) {
  Sobol sobol(kSobolDims + 5, 3);
  double sum = 0;
  for (uint64_t i = 0; i < 2000; ++i) {
    auto p = sobol.Point(i);
    ASSERT_EQ(p.size(), static_cast<size_t>(kSobolDims + 5));
    ASSERT_GE(p.back(), 0);
    ASSERT_LT(p.back(), 1);
    sum += p.back();
  }
  EXPECT_NEAR(sum / 2000, 0.5, 0.03);
  EXPECT_EQ(sobol.Point(77), sobol.Point(77));
}

}  // namespace
}  // namespace yard::hpo
