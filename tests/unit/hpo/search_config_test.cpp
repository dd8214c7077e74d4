#include <gtest/gtest.h>

#include <string>

#include "hpo/searcher.h"

namespace yard::hpo {
namespace {

SearchSpace Space() {
  auto space = ParseSearchSpace(Json::parse(R"({
    "lr": {"type": "log", "min": 1e-4, "max": 0.1},
    "opt": {"type": "choice", "values": ["sgd", "adam"]},
    "epochs": 27,
    "steps": {"type": "int", "min": 1, "max": 100},
    "frac": {"type": "float", "min": 0.1, "max": 1},
    "tag": "v1",
    "batch": [32, 64]
  })"));
  EXPECT_TRUE(space.ok()) << space.status().ToString();
  return *space;
}

TEST(ParseSearchConfig, ReadsTheSpecExample) {
  auto c = ParseSearchConfig(Json::parse(R"({"algorithm": "asha", "metric": "val_accuracy",
      "goal": "maximize", "max_trials": 64, "max_parallel": 8,
      "budget": {"param": "epochs", "min": 1, "max": 27, "reduction": 3}, "seed": 7})"),
                             Space());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->algorithm, "asha");
  EXPECT_EQ(c->metric, "val_accuracy");
  EXPECT_TRUE(c->maximize);
  EXPECT_EQ(c->max_trials, 64);
  EXPECT_EQ(c->max_parallel, 8);
  ASSERT_TRUE(c->budget.has_value());
  EXPECT_EQ(c->budget->param, "epochs");
  EXPECT_EQ(c->budget->min, 1);
  EXPECT_EQ(c->budget->max, 27);
  EXPECT_EQ(c->budget->reduction, 3);
  EXPECT_EQ(c->budget->mode, BudgetMode::kPromote);
  EXPECT_EQ(c->seed, 7u);
}

TEST(ParseSearchConfig, Defaults) {
  auto space = ParseSearchSpace(Json{{"lr", {0.1, 0.01}}, {"epochs", 3}});
  ASSERT_TRUE(space.ok());
  auto grid = ParseSearchConfig(Json(), *space);  // no search block: grid, no metric
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(grid->algorithm, "grid");
  EXPECT_EQ(grid->max_trials, 0);
  EXPECT_TRUE(grid->maximize);
  EXPECT_EQ(grid->seed, 0u);
  auto capped = ParseSearchConfig(Json{{"max_trials", 1}, {"goal", "minimize"}}, *space);
  ASSERT_TRUE(capped.ok()) << capped.status().ToString();
  EXPECT_EQ(capped->max_trials, 1);
  EXPECT_FALSE(capped->maximize);

  auto tpe = ParseSearchConfig(
      Json{{"algorithm", "tpe"}, {"metric", "loss"}, {"goal", "minimize"}, {"max_trials", 20}},
      Space());
  ASSERT_TRUE(tpe.ok()) << tpe.status().ToString();
  EXPECT_FALSE(tpe->budget.has_value());

  auto stop =
      ParseSearchConfig(Json::parse(R"({"algorithm": "hyperband", "metric": "m", "max_trials": 5,
                      "budget": {"param": "steps", "min": 1, "max": 81, "mode": "stop"}})"),
                        Space());
  ASSERT_TRUE(stop.ok()) << stop.status().ToString();
  EXPECT_EQ(stop->budget->reduction, 3);
  EXPECT_EQ(stop->budget->mode, BudgetMode::kStop);
  auto on_float =
      ParseSearchConfig(Json::parse(R"({"algorithm": "bohb", "metric": "m", "max_trials": 5,
                      "budget": {"param": "frac", "min": 0.1, "max": 1, "reduction": 2.5}})"),
                        Space());
  EXPECT_TRUE(on_float.ok()) << on_float.status().ToString();
}

TEST(ParseSearchConfig, RefusesBadInput) {
  struct Case {
    const char* json;
    const char* want;
  };
  const Case cases[] = {
      {R"({"algorithm": "bayes", "metric": "m", "max_trials": 3})",
       "search.algorithm: 'bayes' is not known"},
      {R"({"algorithm": "tpe", "max_trials": 3})",
       "search.metric: is required for algorithm 'tpe'"},
      {R"({"algorithm": "random", "max_trials": 3})",
       "search.metric: is required for algorithm 'random'"},
      {R"({"algorithm": "tpe", "metric": "", "max_trials": 3})", "search.metric: is empty"},
      {R"({"algorithm": "tpe", "metric": "m", "goal": "up", "max_trials": 3})",
       "search.goal: must be 'maximize' or 'minimize'"},
      {R"({"algorithm": "tpe", "metric": "m"})",
       "search.max_trials: is required (> 0) for algorithm 'tpe'"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 0})",
       "search.max_trials: must be between 1"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": -4})",
       "search.max_trials: must be between 1"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 2.5})",
       "search.max_trials: must be a whole number"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 3, "max_parallel": 0})",
       "search.max_parallel: must be between 1"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 3, "seed": -1})",
       "search.seed: must be a whole number >= 0"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 3, "seed": "x"})",
       "search.seed: must be a whole number >= 0"},
      {R"({"algorithm": "tpe", "metric": "m", "max_trials": 3, "speed": 1})",
       "search.speed: is not a known field"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3})",
       "search.budget: is required for algorithm 'asha'"},
      {R"({"algorithm": "hyperband", "metric": "m", "max_trials": 3})",
       "search.budget: is required for algorithm 'hyperband'"},
      {R"({"algorithm": "bohb", "metric": "m", "max_trials": 3})",
       "search.budget: is required for algorithm 'bohb'"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "x", "min": 1, "max": 27}})",
       "search.budget.param 'x' is not a hyperparameter"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "opt", "min": 1, "max": 27}})",
       "search.budget.param 'opt' must be a number or an int/float range, not a choice"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "lr", "min": 1, "max": 27}})",
       "search.budget.param 'lr' must be a number or an int/float range, not a log"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "tag", "min": 1, "max": 27}})",
       "search.budget.param 'tag' must be a number or an int/float range, not a non-numeric"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "batch", "min": 1, "max": 27}})",
       "search.budget.param 'batch' must be a number or an int/float range, not a grid"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 9, "max": 3}})",
       "search.budget: min (9) is greater than max (3)"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 0, "max": 3}})",
       "search.budget.min: must be > 0"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 1, "max": 27, "reduction": 1}})",
       "search.budget.reduction: must be > 1"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 1.5, "max": 27}})",
       "search.budget: min and max must be whole numbers"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "max": 27}})",
       "search.budget: missing min"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"min": 1, "max": 27}})",
       "search.budget: missing param"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 1, "max": 27, "eta": 3}})",
       "search.budget.eta: is not a known field"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3,
           "budget": {"param": "epochs", "min": 1, "max": 27, "mode": "halve"}})",
       "search.budget.mode: must be 'promote' or 'stop'"},
      {R"({"algorithm": "asha", "metric": "m", "max_trials": 3, "budget": 27})",
       "search.budget: must be a mapping"},
      {R"({"algorithm": "grid", "metric": "m"})",
       "grid search needs lists or constants; use random/tpe for ranges (hyperparameters.frac"},
      {R"([1])", "search: must be a mapping"},
  };
  for (const Case& c : cases) {
    auto config = ParseSearchConfig(Json::parse(c.json), Space());
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_EQ(config.status().code(), Code::kInvalidArgument) << c.json;
    EXPECT_EQ(config.status().message().rfind(c.want, 0), 0u)
        << c.json << " gave: " << config.status().message();
  }
}

TEST(ParseSearchConfig, NothingToSearch) {
  auto space = ParseSearchSpace(Json{{"epochs", 3}, {"tag", "x"}});
  ASSERT_TRUE(space.ok());
  auto c =
      ParseSearchConfig(Json{{"algorithm", "random"}, {"metric", "m"}, {"max_trials", 3}}, *space);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("nothing to search"), std::string::npos);
  // Grid search of constants alone is one trial, as the master always ran it.
  EXPECT_TRUE(ParseSearchConfig(Json{{"algorithm", "grid"}}, *space).ok());
}

TEST(ValidateSearchConfig, CatchesConfigsBuiltInCode) {
  SearchSpace space = Space();
  SearchConfig c;
  c.algorithm = "asha";
  c.metric = "m";
  c.max_trials = 10;
  EXPECT_FALSE(ValidateSearchConfig(c, space).ok());  // no budget
  c.budget = Budget{"epochs", 1, 27, 3};
  EXPECT_TRUE(ValidateSearchConfig(c, space).ok());
  c.max_trials = 0;
  EXPECT_FALSE(ValidateSearchConfig(c, space).ok());
  EXPECT_FALSE(MakeSearcher(space, c).ok());  // MakeSearcher checks too
}

}  // namespace
}  // namespace yard::hpo
