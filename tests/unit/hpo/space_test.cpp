#include "hpo/space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

namespace yard::hpo {
namespace {

Json Hp(const char* json) { return Json::parse(json); }

TEST(ParseSearchSpace, ReadsEveryType) {
  auto space = ParseSearchSpace(Hp(R"({
    "lr": {"type": "log", "min": 1e-4, "max": 0.1},
    "hidden": {"type": "int", "min": 32, "max": 512, "step": 32},
    "dropout": {"type": "float", "min": 0, "max": 0.5},
    "opt": {"type": "choice", "values": ["sgd", "adam"]},
    "batch": [32, 64],
    "epochs": 27
  })"));
  ASSERT_TRUE(space.ok()) << space.status().ToString();
  ASSERT_EQ(space->params.size(), 6u);
  // Sorted by name.
  EXPECT_EQ(space->params[0].name, "batch");
  EXPECT_EQ(space->params[5].name, "opt");
  const Param* lr = space->Find("lr");
  ASSERT_NE(lr, nullptr);
  EXPECT_EQ(lr->type, ParamType::kLog);
  EXPECT_EQ(lr->min, 1e-4);
  EXPECT_EQ(lr->max, 0.1);
  EXPECT_EQ(space->Find("hidden")->type, ParamType::kInt);
  EXPECT_EQ(*space->Find("hidden")->step, 32);
  EXPECT_EQ(space->Find("dropout")->type, ParamType::kFloat);
  EXPECT_FALSE(space->Find("dropout")->step.has_value());
  EXPECT_EQ(space->Find("opt")->type, ParamType::kChoice);
  EXPECT_EQ(space->Find("opt")->values.size(), 2u);
  EXPECT_EQ(space->Find("batch")->type, ParamType::kGrid);
  EXPECT_EQ(space->Find("epochs")->type, ParamType::kConst);
  EXPECT_EQ(space->Find("epochs")->constant, 27);
  EXPECT_EQ(space->Find("nope"), nullptr);

  EXPECT_EQ(Cardinality(*space->Find("hidden")), 16);  // 32, 64, ..., 512
  EXPECT_EQ(Cardinality(*space->Find("dropout")), 0);
  EXPECT_EQ(Cardinality(*space->Find("batch")), 2);
  EXPECT_EQ(Cardinality(*space->Find("epochs")), 1);
  EXPECT_TRUE(IsCategorical(*space->Find("batch")));
  EXPECT_TRUE(IsCategorical(*space->Find("opt")));
  EXPECT_FALSE(IsCategorical(*space->Find("hidden")));
}

// Every refusal names the parameter and says what is wrong.
TEST(ParseSearchSpace, RefusesBadInputNamingTheParameter) {
  struct Case {
    const char* json;
    const char* want;
  };
  const Case cases[] = {
      {R"({"opt": {"type": "choice", "values": []}})", "hyperparameters.opt: empty choice"},
      {R"({"opt": {"type": "choice"}})", "hyperparameters.opt: a choice needs values"},
      {R"({"opt": {"type": "choice", "values": [[1]]}})", "hyperparameters.opt: choice values"},
      {R"({"lr": {"type": "float", "min": 2, "max": 1}})",
       "hyperparameters.lr: min (2) is greater than max (1)"},
      {R"({"lr": {"type": "log", "min": 0, "max": 1}})",
       "hyperparameters.lr: a log range needs min > 0"},
      {R"({"lr": {"type": "log", "min": -1, "max": 1}})",
       "hyperparameters.lr: a log range needs min > 0"},
      {R"({"lr": {"type": "normal", "min": 0, "max": 1}})",
       "hyperparameters.lr: unknown type 'normal'"},
      {R"({"lr": {"min": 0, "max": 1}})", "hyperparameters.lr: missing type"},
      {R"({"lr": {"type": "float", "max": 1}})", "hyperparameters.lr: missing min"},
      {R"({"lr": {"type": "float", "min": 0}})", "hyperparameters.lr: missing max"},
      {R"({"lr": {"type": "float", "min": "a", "max": 1}})",
       "hyperparameters.lr: min must be a number"},
      {R"({"n": {"type": "int", "min": 0, "max": 10, "step": 0}})",
       "hyperparameters.n: step must be > 0"},
      {R"({"x": {"type": "float", "min": 0, "max": 1, "step": -0.5}})",
       "hyperparameters.x: step must be > 0"},
      {R"({"n": {"type": "int", "min": 0, "max": 10, "step": 1.5}})",
       "hyperparameters.n: step of an int must be a whole number"},
      {R"({"n": {"type": "int", "min": 0.5, "max": 10}})",
       "hyperparameters.n: min and max of an int must be whole numbers"},
      {R"({"lr": {"type": "log", "min": 0.1, "max": 1, "step": 0.1}})",
       "hyperparameters.lr: step is not supported for a log range"},
      {R"({"lr": {"type": "float", "min": 0, "max": 1, "values": [1]}})",
       "hyperparameters.lr: 'values' is not a field of type float"},
      {R"({"lr": {"type": 3}})", "hyperparameters.lr: type must be a string"},
      {R"({"b": []})", "hyperparameters.b: empty grid axis"},
      {R"({"b": [{"a": 1}]})", "hyperparameters.b: grid values must be"},
      {R"({"b": null})", "hyperparameters.b: must be a value, a list or {type: ...}"},
      {R"({})", "hyperparameters: a search needs at least one hyperparameter"},
      {R"([1, 2])", "hyperparameters: must be a mapping"},
  };
  for (const Case& c : cases) {
    auto space = ParseSearchSpace(Hp(c.json));
    ASSERT_FALSE(space.ok()) << c.json;
    EXPECT_EQ(space.status().code(), Code::kInvalidArgument) << c.json;
    EXPECT_EQ(space.status().message().rfind(c.want, 0), 0u)
        << c.json << " gave: " << space.status().message();
  }
}

TEST(ParseSearchSpace, DegenerateRangesAreFine) {
  auto space = ParseSearchSpace(Hp(R"({"a": {"type": "float", "min": 1, "max": 1},
                                       "b": {"type": "log", "min": 2, "max": 2},
                                       "c": {"type": "int", "min": 5, "max": 5}})"));
  ASSERT_TRUE(space.ok()) << space.status().ToString();
  for (double u : {0.0, 0.3, 0.999}) {
    EXPECT_EQ(ValueFromUnit(*space->Find("a"), u), 1.0);
    EXPECT_EQ(ValueFromUnit(*space->Find("b"), u), 2.0);
    EXPECT_EQ(ValueFromUnit(*space->Find("c"), u), 5);
  }
}

Param MakeParam(const char* json) {
  auto space = ParseSearchSpace(Json{{"p", Json::parse(json)}});
  EXPECT_TRUE(space.ok()) << space.status().ToString();
  return space->params.at(0);
}

TEST(ValueFromUnit, IntsAreIntsOnTheirSteps) {
  Param p = MakeParam(R"({"type": "int", "min": 3, "max": 20, "step": 4})");  // 3 7 11 15 19
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    Json v = ValueFromUnit(p, i / 1000.0);
    ASSERT_TRUE(v.is_number_integer()) << v.dump();
    int64_t n = v.get<int64_t>();
    EXPECT_EQ((n - 3) % 4, 0);
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 20);
    seen.insert(n);
    EXPECT_EQ(ValueFromUnit(p, UnitFromValue(p, v)), v);  // the bucket's centre maps back
  }
  EXPECT_EQ(seen, (std::set<int64_t>{3, 7, 11, 15, 19}));
  EXPECT_EQ(ValueFromUnit(p, 0.0), 3);
  EXPECT_EQ(ValueFromUnit(p, 0.19999), 3);
  EXPECT_EQ(ValueFromUnit(p, 0.2), 7);
  EXPECT_EQ(ValueFromUnit(p, 1.0), 19);  // clamped
  EXPECT_EQ(ValueFromUnit(p, -5.0), 3);  // clamped
  EXPECT_DOUBLE_EQ(UnitFromValue(p, 11), 0.5);
  EXPECT_DOUBLE_EQ(UnitFromValue(p, 100), 0.9);  // clamped to the last bucket
}

TEST(ValueFromUnit, SteppedFloatsReadCleanly) {
  Param p = MakeParam(R"({"type": "float", "min": 0, "max": 1, "step": 0.1})");
  EXPECT_EQ(Cardinality(p), 11);
  std::set<std::string> seen;
  for (int i = 0; i < 1100; ++i) {
    Json v = ValueFromUnit(p, i / 1100.0);
    ASSERT_TRUE(v.is_number_float());
    seen.insert(v.dump());
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7",
                                         "0.8", "0.9", "1.0"}));
}

TEST(ValueFromUnit, FloatsAndLogsStayInRange) {
  Param f = MakeParam(R"({"type": "float", "min": -2, "max": 3})");
  Param l = MakeParam(R"({"type": "log", "min": 1e-5, "max": 10})");
  for (int i = 0; i <= 1000; ++i) {
    double u = i / 1000.0;
    double x = ValueFromUnit(f, u).get<double>();
    EXPECT_GE(x, -2);
    EXPECT_LE(x, 3);
    EXPECT_NEAR(x, -2 + 5 * u, 1e-9);
    EXPECT_NEAR(UnitFromValue(f, x), u, 1e-9);
    double y = ValueFromUnit(l, u).get<double>();
    EXPECT_GE(y, 1e-5);
    EXPECT_LE(y, 10);
    EXPECT_NEAR(std::log(y), std::log(1e-5) + u * (std::log(10) - std::log(1e-5)), 1e-9);
    EXPECT_NEAR(UnitFromValue(l, y), u, 1e-9);
  }
  // Half way in log space is the geometric mean.
  EXPECT_NEAR(
      ValueFromUnit(MakeParam(R"({"type": "log", "min": 1e-4, "max": 1})"), 0.5).get<double>(),
      1e-2, 1e-12);
  EXPECT_TRUE(std::isnan(UnitFromValue(f, "text")));
}

TEST(ValueFromUnit, ChoicesByBucket) {
  Param p = MakeParam(R"({"type": "choice", "values": ["sgd", "adam", 3]})");
  EXPECT_EQ(ValueFromUnit(p, 0.0), "sgd");
  EXPECT_EQ(ValueFromUnit(p, 0.34), "adam");
  EXPECT_EQ(ValueFromUnit(p, 0.99), 3);
  EXPECT_DOUBLE_EQ(UnitFromValue(p, "adam"), 0.5);
  EXPECT_DOUBLE_EQ(UnitFromValue(p, 3), 5.0 / 6);
  EXPECT_TRUE(std::isnan(UnitFromValue(p, "rmsprop")));
  Param c = MakeParam("\"fixed\"");
  EXPECT_EQ(ValueFromUnit(c, 0.7), "fixed");
}

}  // namespace
}  // namespace yard::hpo
