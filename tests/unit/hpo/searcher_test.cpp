// Properties every searcher has: determinism for a seed, values within the space, exact
// continuation after SaveState and a restore, robustness to NaN, failures and silence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "hpo/searcher.h"
#include "sweep_driver.h"

namespace yard::hpo {
namespace {

using testing::SweepDriver;

// Every algorithm, and the multi-fidelity ones in both budget modes ("asha:stop").
const char* kAlgorithms[] = {"grid",      "random",         "tpe",      "asha", "hyperband", "bohb",
                             "asha:stop", "hyperband:stop", "bohb:stop"};

SearchSpace MixedSpace() {
  auto space = ParseSearchSpace(Json::parse(R"({
    "lr": {"type": "log", "min": 1e-4, "max": 0.1},
    "hidden": {"type": "int", "min": 32, "max": 512, "step": 32},
    "dropout": {"type": "float", "min": 0, "max": 0.5, "step": 0.1},
    "momentum": {"type": "float", "min": 0.8, "max": 0.99},
    "layers": {"type": "int", "min": 1, "max": 4},
    "opt": {"type": "choice", "values": ["sgd", "adam", "rmsprop"]},
    "batch": [32, 64, 128],
    "epochs": 9,
    "tag": "run"
  })"));
  EXPECT_TRUE(space.ok()) << space.status().ToString();
  return *space;
}

SearchSpace GridSpace() {
  auto space = ParseSearchSpace(
      Json{{"lr", {0.1, 0.01, 0.001}}, {"batch", {32, 64}}, {"epochs", 9}, {"tag", "run"}});
  EXPECT_TRUE(space.ok());
  return *space;
}

SearchConfig Config(const std::string& variant, uint64_t seed, int max_trials = 40) {
  std::string algorithm = variant.substr(0, variant.find(':'));
  bool stop = variant.find(":stop") != std::string::npos;
  SearchConfig c;
  c.algorithm = algorithm;
  c.metric = "acc";
  c.maximize = true;
  c.seed = seed;
  if (algorithm != "grid") c.max_trials = max_trials;
  if (UsesBudget(algorithm))
    c.budget = Budget{"epochs", 1, 9, 3, stop ? BudgetMode::kStop : BudgetMode::kPromote};
  return c;
}

SearchSpace SpaceFor(const std::string& algorithm) {
  return algorithm == "grid" ? GridSpace() : MixedSpace();
}

// A smooth made-up accuracy: best near lr = 0.01, dropout 0.2, adam; grows with the step.
double Accuracy(const Json& hp, double step) {
  double lr = std::log10(hp["lr"].get<double>()) + 2;  // 0 at lr = 0.01
  double q = 1 - 0.1 * lr * lr;
  if (hp.contains("dropout")) q -= std::fabs(hp["dropout"].get<double>() - 0.2);
  if (hp.contains("opt") && hp["opt"] == "adam") q += 0.05;
  if (hp.contains("hidden")) q += 0.0001 * hp["hidden"].get<double>();
  return q * (1 - 1 / (1 + step));
}

std::unique_ptr<Searcher> Make(const SearchSpace& space, const SearchConfig& c,
                               const Json& state = Json()) {
  auto s = MakeSearcher(space, c, state);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

std::vector<std::string> RunLog(const std::string& algorithm, uint64_t seed, int gpus = 3) {
  SearchSpace space = SpaceFor(algorithm);
  auto searcher = Make(space, Config(algorithm, seed));
  SweepDriver driver(searcher.get(), Accuracy, gpus);
  driver.RunToEnd();
  EXPECT_TRUE(searcher->Finished()) << algorithm;
  return driver.log();
}

TEST(Searchers, SameSeedSameTrialsOtherSeedOtherTrials) {
  for (const char* a : kAlgorithms) {
    auto first = RunLog(a, 7);
    EXPECT_EQ(first, RunLog(a, 7)) << a;
    if (std::string(a) != "grid") {
      EXPECT_NE(first, RunLog(a, 8)) << a;
    }
  }
}

void ExpectInSpace(const SearchSpace& space, const Json& hp, const std::string& budget_param) {
  ASSERT_TRUE(hp.is_object());
  EXPECT_EQ(hp.size(), space.params.size()) << hp.dump();
  for (const Param& p : space.params) {
    ASSERT_TRUE(hp.contains(p.name)) << p.name;
    const Json& v = hp[p.name];
    if (p.name == budget_param) continue;
    switch (p.type) {
      case ParamType::kConst:
        EXPECT_EQ(v, p.constant);
        break;
      case ParamType::kGrid:
      case ParamType::kChoice:
        EXPECT_NE(std::find(p.values.begin(), p.values.end(), v), p.values.end()) << v.dump();
        break;
      case ParamType::kInt: {
        ASSERT_TRUE(v.is_number_integer()) << p.name << " " << v.dump();
        int64_t n = v.get<int64_t>();
        EXPECT_GE(n, p.min);
        EXPECT_LE(n, p.max);
        EXPECT_EQ((n - static_cast<int64_t>(p.min)) % static_cast<int64_t>(p.step.value_or(1)), 0);
        break;
      }
      case ParamType::kFloat:
      case ParamType::kLog: {
        ASSERT_TRUE(v.is_number_float()) << p.name << " " << v.dump();
        double x = v.get<double>();
        EXPECT_GE(x, p.min);
        EXPECT_LE(x, p.max);
        if (p.step) {
          double k = (x - p.min) / *p.step;
          EXPECT_NEAR(k, std::round(k), 1e-9) << p.name << " " << x;
        }
        break;
      }
    }
  }
}

TEST(Searchers, EveryValueWithinTheSpace) {
  for (const char* a : kAlgorithms) {
    SearchSpace space = SpaceFor(a);
    SearchConfig c = Config(a, 3, 200);
    auto searcher = Make(space, c);
    SweepDriver driver(searcher.get(), Accuracy, 4);
    driver.RunToEnd();
    ASSERT_FALSE(driver.decisions().empty()) << a;
    std::set<int64_t> created;
    std::map<DecisionKind, int> kinds;
    for (const Decision& d : driver.decisions()) {
      ++kinds[d.kind];
      if (d.kind == DecisionKind::kStop) continue;
      ExpectInSpace(space, d.hparams, c.budget ? c.budget->param : "");
      if (c.budget) {
        EXPECT_EQ(d.hparams["epochs"], static_cast<int64_t>(d.budget)) << a;
        EXPECT_TRUE(d.hparams["epochs"].is_number_integer());
      }
      if (d.kind == DecisionKind::kCreate) created.insert(d.trial);
    }
    if (std::string(a) == "grid")
      EXPECT_EQ(created.size(), 6u);
    else
      EXPECT_EQ(created.size(), 200u) << a;
    EXPECT_TRUE(searcher->Finished()) << a;
    EXPECT_TRUE(searcher->Ask(5).empty()) << a;
    // Promotion mode promotes and never stops; stopping mode the other way round.
    bool promotes = c.budget && c.budget->mode == BudgetMode::kPromote;
    bool stops = c.budget && c.budget->mode == BudgetMode::kStop;
    EXPECT_EQ(kinds[DecisionKind::kPromote] > 0, promotes) << a;
    EXPECT_EQ(kinds[DecisionKind::kStop] > 0, stops) << a;
  }
}

TEST(Searchers, RandomCoversEachChoiceEvenly) {
  SearchSpace space = MixedSpace();
  auto searcher = Make(space, Config("random", 11, 96));
  auto ds = searcher->Ask(96);
  ASSERT_EQ(ds.size(), 96u);
  std::map<std::string, int> opts;
  std::map<int64_t, int> layers;
  for (const Decision& d : ds) {
    ++opts[d.hparams["opt"].get<std::string>()];
    ++layers[d.hparams["layers"].get<int64_t>()];
  }
  // Sobol points split 96 = 64 + 32 exactly evenly over four layer counts (each block of 2^k
  // points is stratified), and within one of even over three choices.
  EXPECT_EQ(layers, (std::map<int64_t, int>{{1, 24}, {2, 24}, {3, 24}, {4, 24}}));
  ASSERT_EQ(opts.size(), 3u);
  for (const auto& [opt, n] : opts) EXPECT_NEAR(n, 32, 2) << opt;
}

// A master restarted mid-search rebuilds its searcher from the saved state and must make
// exactly the decisions the first one would have made.
TEST(Searchers, SaveStateAndRestoreContinueExactly) {
  for (const char* a : kAlgorithms) {
    for (int cut : {1, 7, 23}) {
      SearchSpace space = SpaceFor(a);
      SearchConfig c = Config(a, 5, 30);
      auto straight = Make(space, c);
      SweepDriver reference(straight.get(), Accuracy, 3);
      reference.RunToEnd();

      auto first = Make(space, c);
      SweepDriver driver(first.get(), Accuracy, 3);
      for (int i = 0; i < cut; ++i) driver.Step();
      // Through text, as the database keeps it.
      Json saved = Json::parse(first->SaveState().dump());
      EXPECT_EQ(saved["algorithm"], c.algorithm);
      EXPECT_EQ(saved["version"], 1);
      first.reset();
      auto restored = Make(space, c, saved);
      ASSERT_NE(restored, nullptr) << a;
      EXPECT_EQ(restored->SaveState(), saved) << a;
      driver.set_searcher(restored.get());
      driver.RunToEnd();
      EXPECT_EQ(driver.log(), reference.log()) << a << " cut at " << cut;
      EXPECT_EQ(restored->SaveState(), straight->SaveState()) << a;
      EXPECT_TRUE(restored->Finished());
    }
  }
}

TEST(Searchers, StateForAnotherAlgorithmOrMalformedIsRefused) {
  SearchSpace space = MixedSpace();
  auto tpe = Make(space, Config("tpe", 1));
  tpe->Ask(3);
  Json state = tpe->SaveState();
  auto wrong = MakeSearcher(space, Config("random", 1), state);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("algorithm 'tpe'"), std::string::npos);
  Json broken = state;
  broken["trials"][0]["running"] = "yes";
  auto bad = MakeSearcher(space, Config("tpe", 1), broken);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  Json no_rng = state;
  no_rng["proposer"].erase("rng");
  EXPECT_FALSE(MakeSearcher(space, Config("tpe", 1), no_rng).ok());
  EXPECT_FALSE(MakeSearcher(space, Config("tpe", 1), Json{{"version", 2}}).ok());
  EXPECT_FALSE(MakeSearcher(space, Config("tpe", 1), Json("text")).ok());

  auto asha = Make(space, Config("asha", 1));
  asha->Ask(2);
  Json asha_state = asha->SaveState();
  asha_state["trials"][1]["phase"] = "sleeping";
  EXPECT_FALSE(MakeSearcher(space, Config("asha", 1), asha_state).ok());
  asha_state = asha->SaveState();
  asha_state["trials"][0]["rung"] = 17;
  EXPECT_FALSE(MakeSearcher(space, Config("asha", 1), asha_state).ok());
  SearchConfig other_budget = Config("asha", 1);
  other_budget.budget->max = 3;
  EXPECT_FALSE(MakeSearcher(space, other_budget, asha->SaveState()).ok());
}

// NaN results, failed trials and trials that never report rank last and break nothing.
TEST(Searchers, NanFailedAndSilentTrialsRankLast) {
  for (const char* a : kAlgorithms) {
    SearchSpace space = SpaceFor(a);
    SearchConfig c = Config(a, 2, 60);
    auto searcher = Make(space, c);
    auto nan_for_sgd = [](const Json& hp, double step) {
      if (hp.contains("opt") && hp["opt"] == "sgd") return std::nan("");
      return Accuracy(hp, step);
    };
    SweepDriver driver(searcher.get(), nan_for_sgd, 4);
    driver.fails = [](int64_t t) { return t % 5 == 1; };
    driver.silent = [](int64_t t) { return t % 7 == 3; };
    driver.RunToEnd();
    EXPECT_TRUE(searcher->Finished()) << a;
    for (const Decision& d : driver.decisions()) {
      if (d.kind != DecisionKind::kPromote) continue;
      EXPECT_NE(d.trial % 5, 1) << a << ": a failed trial was promoted";
      EXPECT_NE(d.trial % 7, 3) << a << ": a silent trial was promoted";
      EXPECT_NE(d.hparams["opt"], "sgd") << a << ": a NaN trial was promoted";
    }
    Json state = searcher->SaveState();
    auto again = MakeSearcher(space, c, Json::parse(state.dump()));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ((*again)->SaveState(), state);
  }
}

TEST(Searchers, TellingUnknownOrEndedTrialsIsHarmless) {
  for (const char* a : kAlgorithms) {
    SearchSpace space = SpaceFor(a);
    auto searcher = Make(space, Config(a, 1, 10));
    auto ds = searcher->Ask(2);
    ASSERT_EQ(ds.size(), 2u);
    EXPECT_TRUE(searcher->TellReport(99, 1, 0.5).empty());
    EXPECT_TRUE(searcher->TellReport(-1, 1, 0.5).empty());
    searcher->TellEnded(99, TrialEnd::kCompleted, 0.5);
    searcher->TellEnded(ds[0].trial, TrialEnd::kCompleted, 0.5);
    Json before = searcher->SaveState();
    searcher->TellEnded(ds[0].trial, TrialEnd::kFailed, 0.1);  // twice: ignored
    EXPECT_TRUE(searcher->TellReport(ds[0].trial, 2, 0.9).empty());
    EXPECT_EQ(searcher->SaveState(), before) << a;
    EXPECT_TRUE(searcher->Ask(0).empty());
    EXPECT_TRUE(searcher->Ask(-3).empty());
  }
}

TEST(Searchers, MaxParallelCapsAsk) {
  for (const char* a : kAlgorithms) {
    SearchSpace space = SpaceFor(a);
    SearchConfig c = Config(a, 1, 10);
    c.max_parallel = 2;
    auto searcher = Make(space, c);
    auto ds = searcher->Ask(5);
    EXPECT_EQ(ds.size(), 2u) << a;
    EXPECT_TRUE(searcher->Ask(5).empty()) << a;
    searcher->TellEnded(ds[0].trial, TrialEnd::kCompleted, 0.5);
    EXPECT_EQ(searcher->Ask(5).size(), 1u) << a;
  }
}

TEST(GridSearcher, RunsEveryPointInExpandGridOrderCappedByMaxTrials) {
  SearchSpace space = GridSpace();
  SearchConfig c = Config("grid", 0);
  auto searcher = Make(space, c);
  auto ds = searcher->Ask(100);
  ASSERT_EQ(ds.size(), 6u);
  EXPECT_EQ(ds[0].hparams, (Json{{"batch", 32}, {"lr", 0.1}, {"epochs", 9}, {"tag", "run"}}));
  EXPECT_EQ(ds[1].hparams["lr"], 0.01);  // the last axis by name varies fastest
  EXPECT_EQ(ds[3].hparams["batch"], 64);
  EXPECT_EQ(ds[5].budget, 0);
  EXPECT_FALSE(searcher->Finished());
  for (const Decision& d : ds) searcher->TellEnded(d.trial, TrialEnd::kCompleted, 1);
  EXPECT_TRUE(searcher->Finished());

  c.max_trials = 4;
  auto capped = Make(space, c);
  EXPECT_EQ(capped->Ask(100).size(), 4u);
}

TEST(Searchers, NonMultiFidelityAlgorithmsRunTheWholeBudget) {
  SearchSpace space = MixedSpace();
  SearchConfig c = Config("tpe", 1, 5);
  c.budget = Budget{"epochs", 1, 27, 3};
  auto searcher = Make(space, c);
  for (const Decision& d : searcher->Ask(5)) {
    EXPECT_EQ(d.budget, 27);
    EXPECT_EQ(d.hparams["epochs"], 27);
  }
}

}  // namespace
}  // namespace yard::hpo
