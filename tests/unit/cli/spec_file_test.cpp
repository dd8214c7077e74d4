#include "cli/spec_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace yard {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult ContainsFormat(const char* text_expr, const char* part_expr,
                                          std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " (\"" << text << "\") does not contain "
                                       << part_expr << " (\"" << part << "\")";
}
#define EXPECT_CONTAINS(text, part) EXPECT_PRED_FORMAT2(ContainsFormat, text, part)

Json Yaml(const std::string& text) {
  auto j = YamlToJson(text);
  EXPECT_TRUE(j.ok()) << text << ": " << j.status().ToString();
  return j.ok() ? *j : Json("<error>");
}

// ---------------------------------------------------------------- YamlToJson

TEST(YamlToJson, ScalarTypes) {
  Json j = Yaml(
      "int: 32\n"
      "quoted_int: \"32\"\n"
      "single_quoted: '32'\n"
      "neg: -7\n"
      "float: 1.0e-4\n"
      "float2: 0.5\n"
      "yes: true\n"
      "no: False\n"
      "quoted_bool: \"true\"\n"
      "text: adam\n"
      "null_word: null\n"
      "tilde: ~\n"
      "empty:\n"
      "version: 1.2.3\n"
      "command: python3 train.py --lr {lr}\n");
  EXPECT_TRUE(j["int"].is_number_integer());
  EXPECT_EQ(j["int"], 32);
  EXPECT_TRUE(j["quoted_int"].is_string());
  EXPECT_EQ(j["quoted_int"], "32");
  EXPECT_EQ(j["single_quoted"], "32");
  EXPECT_EQ(j["neg"], -7);
  EXPECT_TRUE(j["float"].is_number_float());
  EXPECT_DOUBLE_EQ(j["float"].get<double>(), 1.0e-4);
  EXPECT_EQ(j["float2"], 0.5);
  EXPECT_EQ(j["yes"], true);
  EXPECT_EQ(j["no"], false);
  EXPECT_EQ(j["quoted_bool"], "true");
  EXPECT_EQ(j["text"], "adam");
  EXPECT_TRUE(j["null_word"].is_null());
  EXPECT_TRUE(j["tilde"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["version"], "1.2.3");
  EXPECT_EQ(j["command"], "python3 train.py --lr {lr}");
}

TEST(YamlToJson, ExplicitPlusSign) {
  Json j = Yaml("int: +5\nfloat: +0.5\ntwo_signs: +-5\nplus_plus: ++5\nplus: +\n");
  EXPECT_TRUE(j["int"].is_number_integer()) << j["int"].dump();
  EXPECT_EQ(j["int"], 5);
  EXPECT_EQ(j["float"], 0.5);
  EXPECT_EQ(j["two_signs"], "+-5");
  EXPECT_EQ(j["plus_plus"], "++5");
  EXPECT_EQ(j["plus"], "+");
}

TEST(YamlToJson, NotNumbersStayText) {
  Json j = Yaml("a: inf\nb: nan\nc: 1e999\nd: 12abc\ne: '-'\nf: .\ng: 0.1.2\n");
  for (const char* k : {"a", "b", "c", "d", "e", "f", "g"})
    EXPECT_TRUE(j[k].is_string()) << k << ": " << j[k].dump();
}

TEST(YamlToJson, ListsAndNestedMaps) {
  Json j = Yaml(
      "hyperparameters:\n"
      "  lr: [0.1, 0.01]\n"
      "  opt:\n"
      "    - sgd\n"
      "    - adam\n"
      "  epochs: 27\n"
      "resources: {gpus: 2}\n"
      "data: []\n");
  EXPECT_EQ(j["hyperparameters"]["lr"], (Json{0.1, 0.01}));
  EXPECT_EQ(j["hyperparameters"]["opt"], (Json{"sgd", "adam"}));
  EXPECT_EQ(j["hyperparameters"]["epochs"], 27);
  EXPECT_EQ(j["resources"], (Json{{"gpus", 2}}));
  EXPECT_EQ(j["data"], Json::array());
}

TEST(YamlToJson, JsonIsYamlToo) {
  Json j = Yaml(R"({"command": ["python3", "t.py"], "priority": 70, "env": {"A": "1"}})");
  EXPECT_EQ(j, (Json{{"command", {"python3", "t.py"}}, {"priority", 70}, {"env", {{"A", "1"}}}}));
}

TEST(YamlToJson, DuplicateKeyNamesTheLine) {
  auto j = YamlToJson("name: a\npriority: 1\nname: b\n");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(j.status().message(), "line 3");
  EXPECT_CONTAINS(j.status().message(), "'name'");

  auto nested = YamlToJson("resources:\n  gpus: 1\n  gpus: 2\n");
  ASSERT_FALSE(nested.ok());
  EXPECT_CONTAINS(nested.status().message(), "line 3");
  EXPECT_CONTAINS(nested.status().message(), "'gpus'");
}

TEST(YamlToJson, SyntaxErrorNamesTheLine) {
  auto j = YamlToJson("name: a\ncommand: [python3, t.py\npriority: 5\n");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(j.status().message(), "line ");

  auto bad_indent = YamlToJson("a: 1\nb: 2\n  c: 3\n");
  ASSERT_FALSE(bad_indent.ok());
  EXPECT_CONTAINS(bad_indent.status().message(), "line 3");
}

TEST(YamlToJson, NonScalarKeysRefused) {
  auto j = YamlToJson("? [a, b]\n: 1\n");
  ASSERT_FALSE(j.ok());
  EXPECT_CONTAINS(j.status().message(), "line 1");
}

TEST(YamlToJson, DeepNestingRefused) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto j = YamlToJson(deep);
  ASSERT_FALSE(j.ok());
  EXPECT_CONTAINS(j.status().message(), "nested too deeply");
}

// ---------------------------------------------------------------- ApplyOverrides

TEST(ApplyOverrides, SetsTypedValues) {
  Json spec = {{"command", "train"}, {"priority", 50}, {"resources", {{"gpus", 1}}}};
  Status s = ApplyOverrides(spec, {"priority=80", "resources.gpus=2",
                                   "hyperparameters.lr=[0.1,0.01]", "name=run 7", "image=\"32\""});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(spec["priority"], 80);
  EXPECT_TRUE(spec["priority"].is_number_integer());
  EXPECT_EQ(spec["resources"], (Json{{"gpus", 2}}));
  EXPECT_EQ(spec["hyperparameters"]["lr"], (Json{0.1, 0.01}));
  EXPECT_TRUE(spec["hyperparameters"]["lr"].is_array());
  EXPECT_EQ(spec["name"], "run 7");
  EXPECT_EQ(spec["image"], "32");
  EXPECT_EQ(spec["command"], "train");
}

TEST(ApplyOverrides, ValueMayHoldEquals) {
  Json spec = Json::object();
  ASSERT_TRUE(ApplyOverrides(spec, {"env.OPTS=--a=1 --b=2"}).ok());
  EXPECT_EQ(spec["env"]["OPTS"], "--a=1 --b=2");
}

TEST(ApplyOverrides, LaterWins) {
  Json spec = Json::object();
  ASSERT_TRUE(ApplyOverrides(spec, {"priority=1", "priority=2"}).ok());
  EXPECT_EQ(spec["priority"], 2);
}

TEST(ApplyOverrides, Malformed) {
  Json spec = {{"priority", 50}};
  Status no_eq = ApplyOverrides(spec, {"foo"});
  ASSERT_FALSE(no_eq.ok());
  EXPECT_EQ(no_eq.code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(no_eq.message(), "--set foo");
  EXPECT_CONTAINS(no_eq.message(), "key=value");

  Status no_key = ApplyOverrides(spec, {"=5"});
  ASSERT_FALSE(no_key.ok());
  EXPECT_CONTAINS(no_key.message(), "key=value");

  Status through_scalar = ApplyOverrides(spec, {"priority.level=3"});
  ASSERT_FALSE(through_scalar.ok());
  EXPECT_CONTAINS(through_scalar.message(), "'priority' is not a mapping");

  Status bad_yaml = ApplyOverrides(spec, {"hyperparameters.lr=[0.1, 0.2"});
  ASSERT_FALSE(bad_yaml.ok());
  EXPECT_CONTAINS(bad_yaml.message(), "--set hyperparameters.lr");
  EXPECT_EQ(spec, (Json{{"priority", 50}}));  // the failed ones changed nothing they could not
}

// ---------------------------------------------------------------- ReadSpecFile

class SpecFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("yard-spec-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(SpecFileTest, ReadsYaml) {
  std::string path = Write("job.yaml",
                           "name: mnist\n"
                           "command: python3 train.py --lr {lr}\n"
                           "hyperparameters:\n"
                           "  lr: [0.1, 0.01]\n");
  auto j = ReadSpecFile(path);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, (Json{{"name", "mnist"},
                      {"command", "python3 train.py --lr {lr}"},
                      {"hyperparameters", {{"lr", {0.1, 0.01}}}}}));
}

TEST_F(SpecFileTest, MissingFile) {
  std::string path = (dir_ / "nope.yaml").string();
  auto j = ReadSpecFile(path);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(j.status().message(), path);
}

TEST_F(SpecFileTest, OverOneMiBIsTooLarge) {
  std::string path = Write("big.yaml", "name: x\n# " + std::string(kMaxSpecFileBytes, 'c') + "\n");
  auto j = ReadSpecFile(path);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Code::kTooLarge);
  EXPECT_CONTAINS(j.status().message(), path);
}

TEST_F(SpecFileTest, ExactlyOneMiBIsRead) {
  std::string head = "command: train\n#";
  std::string text = head + std::string(kMaxSpecFileBytes - head.size() - 1, 'c') + "\n";
  ASSERT_EQ(text.size(), kMaxSpecFileBytes);
  auto j = ReadSpecFile(Write("edge.yaml", text));
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, (Json{{"command", "train"}}));
}

TEST_F(SpecFileTest, ErrorsNameTheFile) {
  std::string dup = Write("dup.yaml", "a: 1\na: 2\n");
  auto j = ReadSpecFile(dup);
  ASSERT_FALSE(j.ok());
  EXPECT_CONTAINS(j.status().message(), dup);
  EXPECT_CONTAINS(j.status().message(), "line 2");

  std::string list = Write("list.yaml", "- a\n- b\n");
  auto l = ReadSpecFile(list);
  ASSERT_FALSE(l.ok());
  EXPECT_CONTAINS(l.status().message(), list);
  EXPECT_CONTAINS(l.status().message(), "mapping");

  auto empty = ReadSpecFile(Write("empty.yaml", ""));
  ASSERT_FALSE(empty.ok());
  EXPECT_CONTAINS(empty.status().message(), "mapping");
}

}  // namespace
}  // namespace yard
