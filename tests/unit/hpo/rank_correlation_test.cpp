#include "hpo/rank_correlation.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace yard::hpo {
namespace {

TEST(SpearmanRho, OrderNotValues) {
  EXPECT_DOUBLE_EQ(SpearmanRho({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(SpearmanRho({1, 2, 3, 4}, {1, 8, 27, 1000}), 1.0);  // monotone, not linear
  EXPECT_DOUBLE_EQ(SpearmanRho({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // One swap of neighbours in 4: 1 - 6 * 2 / (4 * 15) = 0.8.
  EXPECT_NEAR(SpearmanRho({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-12);
}

TEST(SpearmanRho, TiesShareTheirMeanRankAndMinusInfinityRanksLowest) {
  // y's ranks are 0.5, 0.5, 2, 3: Pearson's r of (0, 1, 2, 3) with them is 0.9486833.
  EXPECT_NEAR(SpearmanRho({1, 2, 3, 4}, {5, 5, 6, 7}), 0.9486832980505138, 1e-12);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(SpearmanRho({-inf, 0.1, 0.2}, {1, 2, 3}), 1.0);
}

TEST(SpearmanRho, ZeroWithoutEnoughToRank) {
  EXPECT_EQ(SpearmanRho({}, {}), 0.0);
  EXPECT_EQ(SpearmanRho({1, 2}, {2, 1}), 0.0);
  EXPECT_EQ(SpearmanRho({1, 2, 3}, {1, 2}), 0.0);
  EXPECT_EQ(SpearmanRho({1, 1, 1}, {1, 2, 3}), 0.0);
}

}  // namespace
}  // namespace yard::hpo
