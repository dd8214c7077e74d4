#include "hpo/grid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "api/job_spec.h"

namespace yard {
namespace {

TEST(ExpandGrid, CrossProductHasEveryCombinationOnce) {
  Json hp = {{"lr", {0.1, 0.01, 0.001}}, {"batch", {32, 64}}, {"opt", {"sgd", "adam"}}};
  auto points = ExpandGrid(hp);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 3u * 2u * 2u);
  std::set<std::string> seen;
  for (const Json& p : *points) {
    ASSERT_TRUE(p.is_object());
    EXPECT_EQ(p.size(), 3u) << p.dump();
    seen.insert(p.dump());
  }
  EXPECT_EQ(seen.size(), points->size()) << "a combination appears twice";
  for (const Json& lr : hp["lr"])
    for (const Json& batch : hp["batch"])
      for (const Json& opt : hp["opt"]) {
        Json want = {{"lr", lr}, {"batch", batch}, {"opt", opt}};
        EXPECT_EQ(seen.count(want.dump()), 1u) << want.dump();
      }
}

TEST(ExpandGrid, ConstantsCopiedIntoEveryPoint) {
  Json hp = {{"lr", {0.1, 0.2}}, {"epochs", 27}, {"model", "resnet"}};
  auto points = ExpandGrid(hp);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 2u);
  for (const Json& p : *points) {
    EXPECT_EQ(p["epochs"], 27);
    EXPECT_EQ(p["model"], "resnet");
    EXPECT_TRUE(p["lr"].is_number_float()) << p.dump();  // the value, not the list
  }
  EXPECT_EQ((*points)[0]["lr"], 0.1);
  EXPECT_EQ((*points)[1]["lr"], 0.2);
}

TEST(ExpandGrid, LastAxisByNameVariesFastest) {
  // Given out of order on purpose: axes are ordered by name, a < b < c.
  Json hp = {{"c", {"x", "y"}}, {"a", {1, 2}}, {"b", {10, 20, 30}}};
  auto points = ExpandGrid(hp);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 12u);
  size_t n = 0;
  for (int a : {1, 2})
    for (int b : {10, 20, 30})
      for (const char* c : {"x", "y"}) {
        Json want = {{"a", a}, {"b", b}, {"c", c}};
        EXPECT_EQ((*points)[n], want) << "point " << n;
        ++n;
      }
}

TEST(ExpandGrid, NoListsGiveOnePoint) {
  Json hp = {{"lr", 0.1}, {"epochs", 3}};
  auto points = ExpandGrid(hp);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ((*points)[0], hp);

  auto none = ExpandGrid(Json::object());
  ASSERT_TRUE(none.ok());
  ASSERT_EQ(none->size(), 1u);
  EXPECT_EQ((*none)[0], Json::object());
}

TEST(ExpandGrid, SingleValueAxis) {
  auto points = ExpandGrid(Json{{"lr", {0.5}}, {"b", {1, 2}}});
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0], (Json{{"lr", 0.5}, {"b", 1}}));
  EXPECT_EQ((*points)[1], (Json{{"lr", 0.5}, {"b", 2}}));
}

TEST(ExpandGrid, EmptyAxisRefused) {
  auto points = ExpandGrid(Json{{"lr", Json::array()}, {"b", {1}}});
  ASSERT_FALSE(points.ok());
  EXPECT_EQ(points.status().code(), Code::kInvalidArgument);
  EXPECT_NE(points.status().message().find("hyperparameters.lr"), std::string::npos);
}

TEST(ExpandGrid, TooLarge) {
  Json axis = Json::array();
  for (int i = 0; i < 100; ++i) axis.push_back(i);
  // 100^2 * 10 = exactly the limit: allowed.
  Json ten = Json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto at_limit = ExpandGrid(Json{{"a", axis}, {"b", axis}, {"c", ten}});
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->size(), kMaxGridPoints);
  EXPECT_EQ(at_limit->back(), (Json{{"a", 99}, {"b", 99}, {"c", 9}}));

  // One more value on any axis goes over.
  Json eleven = ten;
  eleven.push_back(10);
  auto over = ExpandGrid(Json{{"a", axis}, {"b", axis}, {"c", eleven}});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kTooLarge);

  // A product far beyond size_t's range must not wrap around to a small number.
  Json huge = Json::object();
  for (int i = 0; i < 20; ++i) huge["h" + std::to_string(i)] = axis;
  auto way_over = ExpandGrid(huge);
  ASSERT_FALSE(way_over.ok());
  EXPECT_EQ(way_over.status().code(), Code::kTooLarge);
}

TEST(IsSweep, ListsOrSearchMakeASweep) {
  JobSpec spec;
  spec.command = {"train"};
  EXPECT_FALSE(IsSweep(spec));
  spec.hyperparameters = {{"lr", 0.1}, {"name", "x"}};
  EXPECT_FALSE(IsSweep(spec));
  spec.hyperparameters["b"] = {1, 2};
  EXPECT_TRUE(IsSweep(spec));
  spec.hyperparameters = {{"lr", 0.1}};
  spec.search = {{"algorithm", "grid"}};
  EXPECT_TRUE(IsSweep(spec));
}

TEST(ValueText, HowValuesReadOnACommandLine) {
  EXPECT_EQ(ValueText(Json(0.1)), "0.1");
  EXPECT_EQ(ValueText(Json(0.001)), "0.001");
  EXPECT_EQ(ValueText(Json(32)), "32");
  EXPECT_EQ(ValueText(Json(-7)), "-7");
  EXPECT_EQ(ValueText(Json("adam")), "adam");
  EXPECT_EQ(ValueText(Json("a \"b\"")), "a \"b\"");  // raw, not JSON-quoted
  EXPECT_EQ(ValueText(Json(true)), "true");
  EXPECT_EQ(ValueText(Json(1e-4)), "0.0001");
}

TEST(FillPlaceholders, FillsCommandWordsAndEnvValues) {
  JobSpec spec;
  spec.name = "t";
  spec.command = {"python3", "train.py", "--lr", "{lr}", "--opt={opt}", "{lr}/{batch}"};
  spec.env = {{"OPT", "{opt}"}, {"PLAIN", "keep"}, {"MIX", "b{batch}-e{epochs}"}};
  spec.hyperparameters = {{"lr", {0.1, 0.01}}, {"opt", {"sgd"}}, {"batch", 32}, {"epochs", 3}};
  Json point = {{"lr", 0.01}, {"opt", "sgd"}, {"batch", 32}, {"epochs", 3}};
  JobSpec filled = FillPlaceholders(spec, point);
  EXPECT_EQ(filled.command, (std::vector<std::string>{"python3", "train.py", "--lr", "0.01",
                                                      "--opt=sgd", "0.01/32"}));
  EXPECT_EQ(filled.env.at("OPT"), "sgd");
  EXPECT_EQ(filled.env.at("PLAIN"), "keep");
  EXPECT_EQ(filled.env.at("MIX"), "b32-e3");
  // Everything else is copied as is.
  EXPECT_EQ(filled.name, "t");
  EXPECT_EQ(filled.hyperparameters, spec.hyperparameters);
  // The original spec is untouched.
  EXPECT_EQ(spec.command[3], "{lr}");
}

TEST(FillPlaceholders, ValueWithSpacesStaysOneWord) {
  JobSpec spec;
  spec.command = {"train", "--tag", "{tag}", "--x"};
  Json point = {{"tag", "a b; rm -rf / --evil"}};
  JobSpec filled = FillPlaceholders(spec, point);
  ASSERT_EQ(filled.command.size(), 4u);
  EXPECT_EQ(filled.command[2], "a b; rm -rf / --evil");
  EXPECT_EQ(filled.command[3], "--x");
}

TEST(FillPlaceholders, ValuesAreNotExpandedAgain) {
  JobSpec spec;
  spec.command = {"train", "{a}", "{b}"};
  Json point = {{"a", "{b}"}, {"b", "x"}};
  JobSpec filled = FillPlaceholders(spec, point);
  EXPECT_EQ(filled.command, (std::vector<std::string>{"train", "{b}", "x"}));
}

TEST(FillPlaceholders, UnknownPlaceholderKeptVisible) {
  JobSpec spec;
  spec.command = {"train", "{missing}", "{ lr }", "{}"};
  JobSpec filled = FillPlaceholders(spec, Json{{"lr", 1}});
  EXPECT_EQ(filled.command, (std::vector<std::string>{"train", "{missing}", "{ lr }", "{}"}));
}

// The worker reads each trial's filled spec with ParseJobSpec again (api/protocol.cpp), so every
// trial of a spec the master accepted must pass it too, or the worker could not read any
// heartbeat answer holding that trial.
TEST(FillPlaceholders, EveryTrialOfAnAcceptedSpecParsesAgain) {
  const Json specs[] = {
      {{"command", "python3 train.py --lr {lr} --tag {tag} --cfg {cfg}"},
       {"env", {{"RUN", "{tag}-{lr}"}}},
       {"hyperparameters",
        {{"lr", {0.1, 1e-4, 3}},
         {"tag", {"a b", "--evil", "x'y\"z", ""}},
         {"cfg", R"({"a": 1})"}}}},
      {{"command", {"{prog}", "-c", "print({n})"}},
       {"hyperparameters", {{"prog", {"python3", "/usr/bin/python3"}}, {"n", {1, 2}}}}},
      {{"command", "./{bin}"}, {"hyperparameters", {{"bin", {"", "b"}}}}},
  };
  for (const Json& spec_json : specs) {
    auto spec = ParseJobSpec(spec_json);
    ASSERT_TRUE(spec.ok()) << spec_json.dump() << ": " << spec.status().ToString();
    auto points = ExpandGrid(spec->hyperparameters);
    ASSERT_TRUE(points.ok());
    for (const Json& point : *points) {
      JobSpec trial = FillPlaceholders(*spec, point);
      ASSERT_EQ(trial.command.size(), spec->command.size());
      // As the master makes a trial (master/submit.cpp): it carries its point, not the space.
      trial.hyperparameters = point;
      trial.search = Json();
      auto again = ParseJobSpec(JobSpecToJson(trial));
      ASSERT_TRUE(again.ok()) << point.dump() << ": " << again.status().ToString();
      EXPECT_EQ(again->command, trial.command);
      EXPECT_EQ(again->env, trial.env);
    }
  }
}

// Values that would break that second reading are refused when the spec is submitted.
TEST(FillPlaceholders, SpecsWhoseTrialsWouldNotParseAreRefusedUpFront) {
  const Json specs[] = {
      {{"command", "train {tag}"}, {"hyperparameters", {{"tag", {"ok", "{epoch}"}}}}},
      {{"command", "train"}, {"env", {{"T", "{tag}"}}}, {"hyperparameters", {{"tag", "{x}"}}}},
      {{"command", "train {tag}"}, {"hyperparameters", {{"tag", std::string("a\0b", 3)}}}},
      {{"command", "{prog} train.py"}, {"hyperparameters", {{"prog", {"python3", ""}}}}},
  };
  for (const Json& spec_json : specs) {
    auto spec = ParseJobSpec(spec_json);
    EXPECT_FALSE(spec.ok()) << spec_json.dump();
  }
}

}  // namespace
}  // namespace yard
