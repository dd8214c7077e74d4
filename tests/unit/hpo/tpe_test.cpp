#include "hpo/tpe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "hpo/proposer.h"
#include "hpo/searcher.h"
#include "sweep_driver.h"

namespace yard::hpo {
namespace {

SearchSpace OneDim() {
  auto space = ParseSearchSpace(Json::parse(R"({"x": {"type": "float", "min": 0, "max": 1}})"));
  EXPECT_TRUE(space.ok());
  return *space;
}

SearchSpace TwoDims() {
  auto space = ParseSearchSpace(Json::parse(R"({"x": {"type": "float", "min": 0, "max": 1},
                                                "y": {"type": "float", "min": 0, "max": 1}})"));
  EXPECT_TRUE(space.ok());
  return *space;
}

// A history in which trial j, for every j so far, ended with scores[j] at points[j].
History Sequential(const std::vector<Json>& points, const std::vector<double>& scores) {
  History h;
  h.created = static_cast<int64_t>(points.size());
  for (size_t j = 0; j < points.size(); ++j)
    h.observed.push_back({&points[j], scores[j], static_cast<int64_t>(j)});
  return h;
}

SearchConfig Minimize(const char* algorithm, int max_trials, uint64_t seed) {
  SearchConfig c;
  c.algorithm = algorithm;
  c.metric = "loss";
  c.maximize = false;
  c.max_trials = max_trials;
  c.seed = seed;
  return c;
}

// How many of the last 20 of 60 sequential trials land within 0.15 of 0.7 when minimising
// (x - 0.7)^2.
int NearOptimum(const char* algorithm, uint64_t seed) {
  auto s = MakeSearcher(OneDim(), Minimize(algorithm, 60, seed));
  EXPECT_TRUE(s.ok());
  int near = 0;
  for (int i = 0; i < 60; ++i) {
    auto ds = (*s)->Ask(1);
    EXPECT_EQ(ds.size(), 1u);
    double x = ds[0].hparams["x"].get<double>();
    (*s)->TellEnded(ds[0].trial, TrialEnd::kCompleted, (x - 0.7) * (x - 0.7));
    if (i >= 40 && std::fabs(x - 0.7) < 0.15) ++near;
  }
  EXPECT_TRUE((*s)->Finished());
  return near;
}

TEST(Tpe, ConcentratesOnTheGoodRegion) {
  int tpe_total = 0, random_total = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    int tpe = NearOptimum("tpe", seed);
    EXPECT_GE(tpe, 12) << "seed " << seed << ": most of the last 20 near 0.7";
    tpe_total += tpe;
    random_total += NearOptimum("random", seed);
  }
  // Random search puts about 30% there (6 of 20).
  EXPECT_LE(random_total, 5 * 9);
  EXPECT_GE(tpe_total, 2 * random_total);
}

TEST(Tpe, HandlesCategoriesAndLogs) {
  auto space = ParseSearchSpace(Json::parse(R"({
    "opt": {"type": "choice", "values": ["a", "b", "c", "d"]},
    "lr": {"type": "log", "min": 1e-5, "max": 1},
    "n": {"type": "int", "min": 1, "max": 8}})"));
  ASSERT_TRUE(space.ok());
  int chose_best = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto s = MakeSearcher(*space, Minimize("tpe", 60, seed));
    ASSERT_TRUE(s.ok());
    double best = 1e9;
    for (int i = 0; i < 60; ++i) {
      auto d = (*s)->Ask(1).at(0);
      // Best: opt c, lr 1e-3, n 6, loss 0.
      double loss = (d.hparams["opt"] == "c" ? 0 : 1) +
                    std::pow(std::log10(d.hparams["lr"].get<double>()) + 3, 2) / 4 +
                    std::fabs(d.hparams["n"].get<double>() - 6) / 4;
      (*s)->TellEnded(d.trial, TrialEnd::kCompleted, loss);
      best = std::min(best, loss);
      if (i >= 40 && d.hparams["opt"] == "c") ++chose_best;
    }
    EXPECT_LT(best, 0.05) << "seed " << seed;
  }
  // Random search chooses c a quarter of the time: 25 of these 100.
  EXPECT_GE(chose_best, 50);
}

// Asking for 8 GPUs' worth at once must give 8 different points: running trials count as
// the worst result so far (constant liar), so each proposal avoids the ones before it.
TEST(Tpe, ConstantLiarSpreadsParallelAsks) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    auto s = MakeSearcher(OneDim(), Minimize("tpe", 100, seed));
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 20; ++i) {
      auto d = (*s)->Ask(1).at(0);
      double x = d.hparams["x"].get<double>();
      (*s)->TellEnded(d.trial, TrialEnd::kCompleted, (x - 0.7) * (x - 0.7));
    }
    auto batch = (*s)->Ask(8);
    ASSERT_EQ(batch.size(), 8u);
    std::set<double> xs;
    for (const Decision& d : batch) xs.insert(d.hparams["x"].get<double>());
    EXPECT_EQ(xs.size(), 8u);
    // Spread, not 8 copies of one point with noise: the batch spans a real range.
    EXPECT_GT(*xs.rbegin() - *xs.begin(), 0.05) << "seed " << seed;
  }
}

// A recorded proposal: the whole path (Sobol start, Parzen estimators, our exp/log, value
// rounding) must give these values everywhere.
TEST(Tpe, GoldenProposal) {
  auto space = ParseSearchSpace(Json::parse(R"({"x": {"type": "float", "min": 0, "max": 1},
                                                "lr": {"type": "log", "min": 1e-4, "max": 1}})"));
  ASSERT_TRUE(space.ok());
  SearchConfig c = Minimize("tpe", 30, 11);
  c.maximize = true;
  auto s = MakeSearcher(*space, c);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 15; ++i) {
    auto d = (*s)->Ask(1).at(0);
    double x = d.hparams["x"].get<double>();
    (*s)->TellEnded(d.trial, TrialEnd::kCompleted, -(x - 0.3) * (x - 0.3));
  }
  // Trial 15 is a local step (near the best x so far, about 0.3), trial 16 a draw from l(x).
  EXPECT_EQ((*s)->Ask(1).at(0).hparams,
            Json::parse(R"({"lr":0.0002317371969,"x":0.277151805484})"));
  EXPECT_EQ((*s)->Ask(1).at(0).hparams, Json::parse(R"({"lr":0.610052141015,"x":0.428405993732})"));
}

// Branin over [-5, 10] x [0, 15]; its minimum is 0.397887.
double BraninRegret(const Json& h) {
  double x1 = h["x1"].get<double>(), x2 = h["x2"].get<double>();
  const double pi = 3.14159265358979323846;
  double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  double f = std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
  return f - 0.397887357729738;
}

// The best regret of a sequential search of `trials` trials on Branin.
double BraninBest(const char* algorithm, int trials, uint64_t seed) {
  auto space = ParseSearchSpace(Json::parse(R"({"x1": {"type": "float", "min": -5, "max": 10},
                                                "x2": {"type": "float", "min": 0, "max": 15}})"));
  EXPECT_TRUE(space.ok());
  auto s = MakeSearcher(*space, Minimize(algorithm, trials, seed));
  EXPECT_TRUE(s.ok());
  double best = 1e9;
  for (int i = 0; i < trials; ++i) {
    auto d = (*s)->Ask(1).at(0);
    double regret = BraninRegret(d.hparams);
    (*s)->TellEnded(d.trial, TrialEnd::kCompleted, regret);
    best = std::min(best, regret);
  }
  return best;
}

// A short search must exploit what it found: with 64 trials on Branin (three optima), TPE's
// median best regret is a small fraction of random search's, and within 0.1 of the optimum.
TEST(Tpe, ShortSearchExploitsOnBranin) {
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 9; ++seed) {
    tpe.push_back(BraninBest("tpe", 64, seed));
    random.push_back(BraninBest("random", 64, seed));
  }
  std::sort(tpe.begin(), tpe.end());
  std::sort(random.begin(), random.end());
  EXPECT_LT(tpe[4], 0.1);
  EXPECT_LT(tpe[4], random[4] / 3);
}

// The good group's density is narrow even when it holds one point: the kernel's floor is
// options.min_bandwidth, not 1/(n+2) of the range (which would make l(x) almost flat).
TEST(ParzenEstimator, OneObservationGivesANarrowPeak) {
  std::vector<TpeDim> dims = {{false, 0}, {false, 0}};
  ParzenEstimator est(dims, {{0.3, 0.3}}, TpeOptions{});
  // The peak stands well above the density a quarter of the range away (with 1/(n+2) = 1/3
  // as the width, the ratio would be about 1.2).
  EXPECT_GT(est.LogDensity({0.3, 0.3}) - est.LogDensity({0.55, 0.3}), std::log(5.0));
  // And it stays a mixture with the prior: far away the density is not zero.
  EXPECT_GT(est.LogDensity({0.95, 0.95}), std::log(0.3));
}

// Past the startup, trials 3, 7, 11, ... are local steps: within a few local_sigma of the
// best point so far in every coordinate. The other trials are TPE's draws, which land there
// far less often.
TEST(Tpe, EveryFourthTrialIsALocalStepAroundTheBest) {
  const TpeProposerOptions defaults;
  ASSERT_EQ(defaults.local_every, 4);
  const double reach = 5 * defaults.local_sigma;
  int local = 0, near_in_others = 0, others = 0;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    auto s = MakeSearcher(TwoDims(), Minimize("tpe", 60, seed));  // startup: 10 trials
    ASSERT_TRUE(s.ok());
    double best = 1e9, bx = 0, by = 0;
    for (int i = 0; i < 60; ++i) {
      auto d = (*s)->Ask(1).at(0);
      double x = d.hparams["x"].get<double>(), y = d.hparams["y"].get<double>();
      bool near = std::fabs(x - bx) <= reach && std::fabs(y - by) <= reach;
      if (i >= 10 && (i + 1) % 4 == 0) {
        EXPECT_TRUE(near) << "seed " << seed << " trial " << i << ": (" << x << ", " << y
                          << ") is no local step from (" << bx << ", " << by << ")";
        ++local;
      } else if (i >= 10) {
        near_in_others += near;
        ++others;
      }
      double loss = std::pow(x - 0.31, 2) + std::pow(y - 0.77, 2);
      (*s)->TellEnded(d.trial, TrialEnd::kCompleted, loss);
      if (loss < best) best = loss, bx = x, by = y;
    }
  }
  EXPECT_EQ(local, 4 * 13);  // trials 11, 15, ..., 59
  EXPECT_LT(near_in_others, others / 2);
}

// Runs a TPE proposer alone on a smooth bowl in 4 dims and returns the best value found.
double BowlBest(const TpeProposerOptions& options, uint64_t seed, int trials) {
  std::string dims;
  for (const char* n : {"a", "b", "c", "d"})
    dims += std::string(dims.empty() ? "" : ",") + "\"" + n +
            "\": {\"type\": \"float\", \"min\": 0, \"max\": 1}";
  auto space = ParseSearchSpace(Json::parse("{" + dims + "}"));
  EXPECT_TRUE(space.ok());
  SearchConfig config = Minimize("tpe", trials, seed);
  auto proposer = MakeTpeProposer(*space, config, options);
  std::vector<Json> points;
  std::vector<double> scores;
  double best = 1e9;
  for (int i = 0; i < trials; ++i) {
    Json p = proposer->Propose(Sequential(points, scores));
    double loss = 0;
    for (const char* n : {"a", "b", "c", "d"}) loss += std::pow(p[n].get<double>() - 0.637, 2);
    points.push_back(p);
    scores.push_back(-loss);
    best = std::min(best, loss);
  }
  return best;
}

// The point of the local steps: TPE's kernels are never narrower than 0.03 of a range, so on
// its own it stops a kernel's width from the bottom of a basin; the steps go further down.
TEST(Tpe, LocalStepsRefineTheBestBasin) {
  TpeProposerOptions with, without;
  with.startup_trials = without.startup_trials = 10;
  without.local_every = 0;
  std::vector<double> a, b;
  for (uint64_t seed = 1; seed <= 7; ++seed) {
    a.push_back(BowlBest(with, seed, 120));
    b.push_back(BowlBest(without, seed, 120));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_LT(a[3], b[3] / 2) << "median best with local steps " << a[3] << ", without " << b[3];
}

// Drives a proposer on 2 dims with the scores `score(i)` for trial i, and returns its points.
std::vector<Json> DriveProposer(Proposer& proposer, int trials, double (*score)(int)) {
  std::vector<Json> points;
  std::vector<double> scores;
  for (int i = 0; i < trials; ++i) {
    points.push_back(proposer.Propose(Sequential(points, scores)));
    scores.push_back(score(i));
  }
  return points;
}

// Short runs for the restart tests: 3 startup points, a restart after 5 results without
// a better one.
TpeProposerOptions RestartAfterFive() {
  TpeProposerOptions options;
  options.startup_trials = 3;
  options.restart_after = 5;
  return options;
}

// Trial 0 is the best; nothing after it improves, so with restart_after 5 the run of trials
// 0..5 ends when trial 5's result is in, and trial 6 starts a new run with Sobol points
// further along the sequence than the first run's startup.
TEST(Tpe, RestartsAStalledRunWithFreshStartupPoints) {
  SearchSpace space = TwoDims();
  SearchConfig config = Minimize("tpe", 100, 3);
  TpeProposerOptions options = RestartAfterFive();
  options.local_every = 0;
  auto stalled = [](int i) { return i == 0 ? 0.0 : -1.0; };
  auto proposer = MakeTpeProposer(space, config, options);
  std::vector<Json> points = DriveProposer(*proposer, 10, stalled);

  auto sobol = MakeSobolProposer(space, config);
  std::vector<Json> sobol_points;
  for (int i = 0; i < 6; ++i) sobol_points.push_back(sobol->Propose(History{}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(points[i], sobol_points[i]) << "startup trial " << i;
  for (int i = 6; i < 9; ++i)
    EXPECT_EQ(points[i], sobol_points[i - 3]) << "trial " << i << " is no new startup point";
  EXPECT_EQ(proposer->SaveState().at("run_start"), 6);

  // Without restarts, trial 6 is a draw of the model, not a Sobol point.
  options.restart_after = 0;
  auto plain = MakeTpeProposer(space, config, options);
  std::vector<Json> plain_points = DriveProposer(*plain, 7, stalled);
  EXPECT_EQ(plain_points[5], points[5]);
  EXPECT_NE(plain_points[6], points[6]);
}

// A run's boundary is part of the saved state: a proposer restored after the restart
// proposes what the original does.
TEST(Tpe, RestoredProposerKeepsItsRun) {
  SearchSpace space = TwoDims();
  SearchConfig config = Minimize("tpe", 100, 5);
  TpeProposerOptions options = RestartAfterFive();
  auto stalled = [](int i) { return i == 0 ? 0.0 : -1.0 - 0.01 * i; };
  auto original = MakeTpeProposer(space, config, options);
  std::vector<Json> points = DriveProposer(*original, 14, stalled);
  auto restored = MakeTpeProposer(space, config, options);
  ASSERT_TRUE(restored->LoadState(original->SaveState()).ok());
  std::vector<double> scores;
  for (int i = 0; i < 14; ++i) scores.push_back(stalled(i));
  History h = Sequential(points, scores);
  EXPECT_EQ(restored->Propose(h), original->Propose(h));
  EXPECT_EQ(restored->SaveState(), original->SaveState());
}

// The tpe algorithm restarts after kTpeRestartAfter results without improvement: on a flat
// objective the first result stays the best, so trial kTpeRestartAfter + 1 starts a new run,
// and the searcher's saved state says so.
TEST(Tpe, TpeAlgorithmRestartsAfterAStall) {
  auto s = MakeSearcher(TwoDims(), Minimize("tpe", 200, 9));
  ASSERT_TRUE(s.ok());
  const int stalled_through = static_cast<int>(kTpeRestartAfter) + 1;  // trial 0, then 100 more
  for (int i = 0; i < stalled_through; ++i) {
    auto d = (*s)->Ask(1).at(0);
    (*s)->TellEnded(d.trial, TrialEnd::kCompleted, 1.0);
  }
  EXPECT_EQ((*s)->SaveState()["proposer"].value("run_start", int64_t{-1}), 0);
  (*s)->Ask(1);
  EXPECT_EQ((*s)->SaveState()["proposer"]["run_start"], stalled_through);
}

TEST(Tpe, GoodCountFollowsOptuna) {
  EXPECT_EQ(TpeGoodCount(1), 1);
  EXPECT_EQ(TpeGoodCount(10), 1);
  EXPECT_EQ(TpeGoodCount(11), 2);
  EXPECT_EQ(TpeGoodCount(60), 6);
  EXPECT_EQ(TpeGoodCount(1000), 25);
}

TEST(ParzenEstimator, DensityIntegratesToOneAndPeaksAtObservations) {
  std::vector<TpeDim> dims = {{false, 0}, {true, 3}};
  ParzenEstimator est(dims, {{0.2, 0}, {0.25, 0}, {0.8, 2}}, TpeOptions{});
  double total = 0;
  const int n = 2000;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < n; ++i)
      total += std::exp(est.LogDensity({(i + 0.5) / n, static_cast<double>(c)})) / n;
  EXPECT_NEAR(total, 1.0, 1e-3);
  EXPECT_GT(est.LogDensity({0.22, 0}), est.LogDensity({0.5, 0}));
  EXPECT_GT(est.LogDensity({0.22, 0}), est.LogDensity({0.22, 1}));
  Rng rng(1);
  for (int i = 0; i < 500; ++i) {
    auto x = est.Sample(rng);
    ASSERT_GE(x[0], 0);
    ASSERT_LE(x[0], 1);
    ASSERT_TRUE(x[1] == 0 || x[1] == 1 || x[1] == 2);
  }
}

}  // namespace
}  // namespace yard::hpo
