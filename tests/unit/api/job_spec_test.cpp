#include "api/job_spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contains.h"

namespace yard {
namespace {

Json MinimalSpec() { return Json{{"command", "python3 train.py"}}; }

// Parses `spec` expecting InvalidArgument; returns the message.
std::string ErrorOf(const Json& spec) {
  auto parsed = ParseJobSpec(spec);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << spec.dump();
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << parsed.status().ToString();
  return parsed.status().message();
}

Json With(Json spec, const std::string& key, Json value) {
  spec[key] = std::move(value);
  return spec;
}

// ---------------------------------------------------------------- ParseJobSpec: valid specs

TEST(ParseJobSpec, FullSpecRoundTripsThroughJson) {
  Json in = {
      {"name", "mnist-lr"},
      {"image", "127.0.0.1:5000/pytorch:1.13"},
      {"command", "python3 train.py --lr {lr} --epochs {epochs} --opt '{optimizer}'"},
      {"resources", {{"gpus", 2}}},
      {"priority", 80},
      {"max_retries", 3},
      {"timeout", "1h30m"},
      {"env", {{"OMP_NUM_THREADS", "4"}, {"LR_TEXT", "lr={lr}"}}},
      {"hyperparameters", {{"lr", {0.1, 0.01}}, {"epochs", 27}, {"optimizer", {"sgd", "adam"}}}},
      {"search", {{"algorithm", "grid"}, {"metric", "val_accuracy"}, {"goal", "maximize"}}},
  };
  auto parsed = ParseJobSpec(in);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const JobSpec& spec = *parsed;
  EXPECT_EQ(spec.name, "mnist-lr");
  EXPECT_EQ(spec.image, "127.0.0.1:5000/pytorch:1.13");
  EXPECT_EQ(spec.command,
            (std::vector<std::string>{"python3", "train.py", "--lr", "{lr}", "--epochs", "{epochs}",
                                      "--opt", "{optimizer}"}));
  EXPECT_EQ(spec.resources.gpus, 2);
  EXPECT_EQ(spec.priority, 80);
  EXPECT_EQ(spec.max_retries, 3);
  EXPECT_EQ(spec.timeout_s, 5400);
  ASSERT_EQ(spec.env.size(), 2u);
  EXPECT_EQ(spec.env.at("OMP_NUM_THREADS"), "4");
  EXPECT_EQ(spec.env.at("LR_TEXT"), "lr={lr}");
  EXPECT_EQ(spec.hyperparameters, in["hyperparameters"]);
  EXPECT_EQ(spec.search, in["search"]);

  Json out = JobSpecToJson(spec);
  EXPECT_EQ(out["name"], "mnist-lr");
  EXPECT_EQ(out["timeout"], "1h30m");
  EXPECT_EQ(out["resources"], (Json{{"gpus", 2}}));
  EXPECT_TRUE(out["command"].is_array());

  auto again = ParseJobSpec(out);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << " for " << out.dump();
  EXPECT_EQ(again->name, spec.name);
  EXPECT_EQ(again->image, spec.image);
  EXPECT_EQ(again->command, spec.command);
  EXPECT_EQ(again->resources.gpus, spec.resources.gpus);
  EXPECT_EQ(again->priority, spec.priority);
  EXPECT_EQ(again->max_retries, spec.max_retries);
  EXPECT_EQ(again->timeout_s, spec.timeout_s);
  EXPECT_EQ(again->env, spec.env);
  EXPECT_EQ(again->hyperparameters, spec.hyperparameters);
  EXPECT_EQ(again->search, spec.search);
  EXPECT_EQ(JobSpecToJson(*again), out);
}

TEST(ParseJobSpec, Defaults) {
  auto parsed = ParseJobSpec(Json{{"command", "/usr/bin/python3 -u train.py"}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->priority, 50);
  EXPECT_EQ(parsed->max_retries, 1);
  EXPECT_EQ(parsed->resources.gpus, 1);
  EXPECT_EQ(parsed->timeout_s, 0);
  EXPECT_EQ(parsed->name, "python3");  // the basename of the command
  EXPECT_TRUE(parsed->image.empty());
  EXPECT_TRUE(parsed->env.empty());
  EXPECT_TRUE(parsed->hyperparameters.is_object());
  EXPECT_TRUE(parsed->hyperparameters.empty());
  EXPECT_TRUE(parsed->search.is_null());

  Json out = JobSpecToJson(*parsed);
  EXPECT_FALSE(out.contains("timeout"));
  EXPECT_FALSE(out.contains("image"));
  EXPECT_FALSE(out.contains("env"));
  EXPECT_FALSE(out.contains("hyperparameters"));
  EXPECT_FALSE(out.contains("search"));
}

TEST(ParseJobSpec, NameFromCommandListAndEmptyBasename) {
  auto listed = ParseJobSpec(Json{{"command", {"./bin/train", "--x"}}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->name, "train");
  EXPECT_EQ(listed->command, (std::vector<std::string>{"./bin/train", "--x"}));

  auto dir = ParseJobSpec(Json{{"command", "/opt/tools/"}});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->name, "job");

  auto given_empty = ParseJobSpec(Json{{"name", ""}, {"command", "run.sh"}});
  ASSERT_TRUE(given_empty.ok());
  EXPECT_EQ(given_empty->name, "run.sh");
}

TEST(ParseJobSpec, CommandListScalarsBecomeWords) {
  auto parsed = ParseJobSpec(Json{{"command", {"python3", "train.py", 3, 0.5, true}}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->command, (std::vector<std::string>{"python3", "train.py", "3", "0.5", "true"}));
}

TEST(ParseJobSpec, ZeroGpusIsACpuJob) {
  Json spec = MinimalSpec();
  spec["resources"] = {{"gpus", 0}};
  auto parsed = ParseJobSpec(spec);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->resources.gpus, 0);
}

TEST(ParseJobSpec, PriorityBounds) {
  for (int p : {0, 100}) {
    auto parsed = ParseJobSpec(With(MinimalSpec(), "priority", p));
    ASSERT_TRUE(parsed.ok()) << p << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->priority, p);
  }
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "priority", 101)), "'priority'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "priority", 101)), "between 0 and 100");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "priority", -1)), "'priority'");
}

TEST(ParseJobSpec, TimeoutForms) {
  struct Case {
    Json value;
    int64_t seconds;
  };
  for (const Case& c : {Case{"90s", 90}, Case{"1h30m", 5400}, Case{3600, 3600}, Case{"15m", 900},
                        Case{"2h", 7200}, Case{"1d", 86400}}) {
    auto parsed = ParseJobSpec(With(MinimalSpec(), "timeout", c.value));
    ASSERT_TRUE(parsed.ok()) << c.value.dump() << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->timeout_s, c.seconds) << c.value.dump();
  }
  for (const Json& bad : {Json("soon"), Json(0), Json(-5), Json("0s"), Json("1h30"), Json(""),
                          Json(1.5), Json(true), Json(nullptr), Json("-5m")}) {
    std::string why = ErrorOf(With(MinimalSpec(), "timeout", bad));
    EXPECT_CONTAINS(why, "'timeout'") << bad.dump();
    EXPECT_CONTAINS(why, "positive duration") << bad.dump();
  }
}

TEST(ParseJobSpec, EnvValuesAreText) {
  auto parsed =
      ParseJobSpec(With(MinimalSpec(), "env", {{"A", "x y"}, {"N", 4}, {"B", true}, {"_X1", ""}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->env.at("A"), "x y");
  EXPECT_EQ(parsed->env.at("N"), "4");
  EXPECT_EQ(parsed->env.at("B"), "true");
  EXPECT_EQ(parsed->env.at("_X1"), "");
}

TEST(ParseJobSpec, PlaceholdersBackedByHyperparameters) {
  Json spec = {{"command", "train --lr {lr} --batch={batch}"},
               {"env", {{"LR", "{lr}"}}},
               {"hyperparameters", {{"lr", {0.1, 0.01}}, {"batch", 32}}}};
  auto parsed = ParseJobSpec(spec);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  // Placeholders stay as they are: they are filled later, per trial.
  EXPECT_EQ(parsed->command,
            (std::vector<std::string>{"train", "--lr", "{lr}", "--batch={batch}"}));
  EXPECT_EQ(parsed->env.at("LR"), "{lr}");
}

// ---------------------------------------------------------------- ParseJobSpec: errors

TEST(ParseJobSpecErrors, NotAMapping) {
  EXPECT_CONTAINS(ErrorOf(Json::array({"python3"})), "mapping");
  EXPECT_CONTAINS(ErrorOf(Json("python3 train.py")), "mapping");
  EXPECT_CONTAINS(ErrorOf(Json(nullptr)), "mapping");
}

TEST(ParseJobSpecErrors, CommandRequired) {
  EXPECT_CONTAINS(ErrorOf(Json{{"name", "x"}}), "'command': is required");
  EXPECT_CONTAINS(ErrorOf(Json::object()), "'command'");
}

TEST(ParseJobSpecErrors, UnknownTopLevelField) {
  std::string why = ErrorOf(With(MinimalSpec(), "gpus", 2));
  EXPECT_CONTAINS(why, "'gpus'");
  EXPECT_CONTAINS(why, "not known");
}

TEST(ParseJobSpecErrors, UnknownResourcesField) {
  std::string why = ErrorOf(With(MinimalSpec(), "resources", {{"shm", 4}}));
  EXPECT_CONTAINS(why, "'resources.shm'");
  EXPECT_CONTAINS(why, "not a known field");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", {{"gpu_model", {1}}})),
                  "'resources.gpu_model'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", {{"gpu_model", "A100;rm"}})),
                  "not a model name");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", {{"min_gpu_memory_gb", -1}})),
                  "'resources.min_gpu_memory_gb'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", {{"min_compute_capability", "8"}})),
                  "'resources.min_compute_capability'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "preemptible", "yes")), "'preemptible'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "group", "a b")), "'group'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", 2)), "'resources'");
}

TEST(ParseJobSpecErrors, WrongTypesNameTheField) {
  std::string priority = ErrorOf(With(MinimalSpec(), "priority", "high"));
  EXPECT_CONTAINS(priority, "'priority'");
  EXPECT_CONTAINS(priority, "whole number");
  EXPECT_CONTAINS(priority, "string");

  std::string gpus = ErrorOf(With(MinimalSpec(), "resources", {{"gpus", 1.5}}));
  EXPECT_CONTAINS(gpus, "'resources.gpus'");
  EXPECT_CONTAINS(gpus, "whole number");

  std::string command = ErrorOf(Json{{"command", 42}});
  EXPECT_CONTAINS(command, "'command'");
  EXPECT_CONTAINS(command, "string");

  EXPECT_CONTAINS(ErrorOf(Json{{"command", {"a", {{"b", 1}}}}}), "'command'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "name", 7)), "'name'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "image", Json::array())), "'image'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "max_retries", "2")), "'max_retries'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "priority", true)), "'priority'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "env", Json::array({"A=1"}))), "'env'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "env", {{"A", {1, 2}}})), "'env.A'");
}

TEST(ParseJobSpecErrors, NegativeGpuCount) {
  std::string why = ErrorOf(With(MinimalSpec(), "resources", {{"gpus", -1}}));
  EXPECT_CONTAINS(why, "'resources.gpus'");
  EXPECT_CONTAINS(why, "must not be negative");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "resources", {{"gpus", 100000}})),
                  "'resources.gpus'");
}

TEST(ParseJobSpecErrors, EmptyOrBadCommand) {
  EXPECT_CONTAINS(ErrorOf(Json{{"command", ""}}), "'command': is empty");
  EXPECT_CONTAINS(ErrorOf(Json{{"command", "   "}}), "'command': is empty");
  EXPECT_CONTAINS(ErrorOf(Json{{"command", Json::array()}}), "'command': is empty");
  EXPECT_CONTAINS(ErrorOf(Json{{"command", "python 'unclosed"}}), "'command'");
  EXPECT_CONTAINS(ErrorOf(Json{{"command", {"a", std::string("b\0c", 3)}}}), "NUL");
}

TEST(ParseJobSpecErrors, NameTooLong) {
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "name", std::string(129, 'n'))), "'name'");
  EXPECT_TRUE(ParseJobSpec(With(MinimalSpec(), "name", std::string(128, 'n'))).ok());
}

TEST(ParseJobSpecErrors, EnvNames) {
  for (const char* bad : {"1ABC", "A-B", "A B", "", "A=B", "ÄB"}) {
    std::string why = ErrorOf(With(MinimalSpec(), "env", {{bad, "x"}}));
    EXPECT_CONTAINS(why, "env." + std::string(bad)) << bad;
    EXPECT_CONTAINS(why, "not a valid variable name") << bad;
  }
  for (const char* reserved : {"YARD_JOB_ID", "YARD_", "YARD_ANYTHING", "CUDA_VISIBLE_DEVICES",
                               "NVIDIA_VISIBLE_DEVICES"}) {
    std::string why = ErrorOf(With(MinimalSpec(), "env", {{reserved, "0"}}));
    EXPECT_CONTAINS(why, "'env." + std::string(reserved) + "'") << reserved;
    EXPECT_CONTAINS(why, "set by Trainyard") << reserved;
  }
  // Only the prefix is reserved: names that merely contain it are the user's.
  EXPECT_TRUE(ParseJobSpec(With(MinimalSpec(), "env", {{"MY_YARD_X", "1"}})).ok());
  EXPECT_TRUE(ParseJobSpec(With(MinimalSpec(), "env", {{"yard_x", "1"}})).ok());
}

TEST(ParseJobSpecErrors, PlaceholderWithoutHyperparameter) {
  std::string in_command = ErrorOf(Json{{"command", "train --lr {lr}"}});
  EXPECT_CONTAINS(in_command, "'command'");
  EXPECT_CONTAINS(in_command, "{lr}");
  EXPECT_CONTAINS(in_command, "no hyperparameter");

  std::string typo =
      ErrorOf(Json{{"command", "train --lr {lrr}"}, {"hyperparameters", {{"lr", {0.1, 0.2}}}}});
  EXPECT_CONTAINS(typo, "{lrr}");

  std::string in_env = ErrorOf(
      Json{{"command", "train"}, {"env", {{"LR", "{lr}"}}}, {"hyperparameters", {{"x", 1}}}});
  EXPECT_CONTAINS(in_env, "'env.LR'");
  EXPECT_CONTAINS(in_env, "{lr}");
}

// Ranges and choices pass this layer; their shape is hpo::ParseSearchSpace's to check at
// submit. Their values still may not smuggle in a placeholder.
TEST(ParseJobSpec, HyperparameterSearchSpacesPassThrough) {
  Json space = {{"lr", {{"type", "log"}, {"min", 1e-4}, {"max", 0.1}}}};
  auto spec = ParseJobSpec(With(MinimalSpec(), "hyperparameters", space));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->hyperparameters, space);
  std::string why = ErrorOf(With(MinimalSpec(), "hyperparameters",
                                 {{"opt", {{"type", "choice"}, {"values", {"adam", "{lr}"}}}}}));
  EXPECT_CONTAINS(why, "'hyperparameters.opt'");
}

TEST(ParseJobSpecErrors, HyperparameterShapes) {
  std::string empty = ErrorOf(With(MinimalSpec(), "hyperparameters", {{"lr", Json::array()}}));
  EXPECT_CONTAINS(empty, "'hyperparameters.lr'");
  EXPECT_CONTAINS(empty, "at least one value");

  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", {{"lr", {{1, 2}}}})),
                  "'hyperparameters.lr'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", {{"lr", nullptr}})),
                  "'hyperparameters.lr'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", {{"bad-name", 1}})),
                  "'hyperparameters.bad-name'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", Json::array({1}))),
                  "'hyperparameters'");
}

// A trial's value goes into the command whole and is never expanded again, so the worker,
// which checks the filled spec once more, must not find a placeholder or NUL it cannot place.
TEST(ParseJobSpecErrors, HyperparameterValuesCannotHoldPlaceholdersOrNul) {
  std::string placeholder = ErrorOf(
      Json{{"command", "train --name {tag}"}, {"hyperparameters", {{"tag", {"a", "{epoch}"}}}}});
  EXPECT_CONTAINS(placeholder, "'hyperparameters.tag'");
  EXPECT_CONTAINS(placeholder, "{epoch}");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", {{"tag", "{x}"}})),
                  "'hyperparameters.tag'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "hyperparameters", {{"t", std::string("a\0b", 3)}})),
                  "NUL");
  // A trial's program name must not come out empty.
  std::string program = ErrorOf(
      Json{{"command", "{prog} train.py"}, {"hyperparameters", {{"prog", {"python3", ""}}}}});
  EXPECT_CONTAINS(program, "'command'");
  EXPECT_CONTAINS(program, "program");
  EXPECT_CONTAINS(
      ErrorOf(Json{{"command", "{a}{b} x"}, {"hyperparameters", {{"a", ""}, {"b", {"", "y"}}}}}),
      "'command'");
  EXPECT_TRUE(ParseJobSpec(Json{{"command", "{a}{b} x"},
                                {"hyperparameters", {{"a", ""}, {"b", {"z", "y"}}}}})
                  .ok());
  EXPECT_TRUE(
      ParseJobSpec(Json{{"command", "./{prog} x"}, {"hyperparameters", {{"prog", {"", "y"}}}}})
          .ok());
  EXPECT_TRUE(
      ParseJobSpec(Json{{"command", "train --suffix {s}"}, {"hyperparameters", {{"s", {"", "b"}}}}})
          .ok());
  // Braces that are not a placeholder are plain text.
  EXPECT_TRUE(ParseJobSpec(With(MinimalSpec(), "hyperparameters", {{"cfg", R"({"a": 1})"}})).ok());
}

// The search block's fields are hpo::ParseSearchConfig's to check (against the space); this
// layer only insists on a mapping.
TEST(ParseJobSpecErrors, SearchBlock) {
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "search", "grid")), "'search'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "search", Json::array())), "'search'");
  auto ok =
      ParseJobSpec(With(MinimalSpec(), "search", {{"algorithm", "asha"}, {"metric", "loss"}}));
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

// `code` and `data` name things on the file server (the master checks they are there); this
// layer checks their shapes.
TEST(ParseJobSpec, CodeAndData) {
  auto spec =
      ParseJobSpec(With(With(MinimalSpec(), "code", "code/abc"), "data", {"datasets/mnist"}));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->code, "code/abc");
  EXPECT_EQ(spec->data, std::vector<std::string>{"datasets/mnist"});
  EXPECT_EQ(JobSpecToJson(*spec)["code"], "code/abc");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "code", 5)), "'code'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "code", "")), "'code'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "data", "datasets/mnist")), "'data'");
  EXPECT_CONTAINS(ErrorOf(With(MinimalSpec(), "data", {1})), "'data'");
}

// ---------------------------------------------------------------- SplitCommandLine

std::vector<std::string> Split(std::string_view line) {
  auto words = SplitCommandLine(line);
  EXPECT_TRUE(words.ok()) << line << ": " << words.status().ToString();
  return words.ok() ? *words : std::vector<std::string>{"<error>"};
}

using Words = std::vector<std::string>;

TEST(SplitCommandLine, Whitespace) {
  EXPECT_EQ(Split("a b\tc\nd"), (Words{"a", "b", "c", "d"}));
  EXPECT_EQ(Split("  a   b  "), (Words{"a", "b"}));
  EXPECT_EQ(Split(""), Words{});
  EXPECT_EQ(Split("   "), Words{});
}

TEST(SplitCommandLine, Quotes) {
  EXPECT_EQ(Split("echo 'a b' \"c d\""), (Words{"echo", "a b", "c d"}));
  EXPECT_EQ(Split("x'a b'y\"c\"z"), (Words{"xa bycz"}));
  EXPECT_EQ(Split("'' \"\""), (Words{"", ""}));  // empty quotes still make a word
  EXPECT_EQ(Split("'\"' \"'\""), (Words{"\"", "'"}));
  // Nothing is expanded: no variables, globs or pipes.
  EXPECT_EQ(Split("echo $HOME *.py | wc"), (Words{"echo", "$HOME", "*.py", "|", "wc"}));
  EXPECT_EQ(Split("'$HOME \\n'"), (Words{"$HOME \\n"}));  // single quotes keep backslashes
}

TEST(SplitCommandLine, Escapes) {
  EXPECT_EQ(Split("a\\ b"), (Words{"a b"}));
  EXPECT_EQ(Split("\\'x"), (Words{"'x"}));
  EXPECT_EQ(Split("\"a\\\"b\""), (Words{"a\"b"}));
  EXPECT_EQ(Split("\"a\\\\b\""), (Words{"a\\b"}));
  EXPECT_EQ(Split("\"\\$x \\`y\\`\""), (Words{"$x `y`"}));
  // In double quotes a backslash before any other character stays.
  EXPECT_EQ(Split("\"a\\nb\""), (Words{"a\\nb"}));
}

TEST(SplitCommandLine, Unterminated) {
  for (std::string_view bad : {"echo 'abc", "echo \"abc", "echo \"abc\\\"", "echo abc\\"}) {
    auto words = SplitCommandLine(bad);
    ASSERT_FALSE(words.ok()) << bad;
    EXPECT_EQ(words.status().code(), Code::kInvalidArgument);
  }
  EXPECT_CONTAINS(SplitCommandLine("'x").status().message(), "unterminated");
  EXPECT_CONTAINS(SplitCommandLine("\"x").status().message(), "unterminated");
}

// ---------------------------------------------------------------- PlaceholderNames

TEST(PlaceholderNames, InOrderOfAppearance) {
  EXPECT_EQ(PlaceholderNames("--lr {lr} --b={batch_size}{lr}"), (Words{"lr", "batch_size", "lr"}));
  EXPECT_EQ(PlaceholderNames("{_x1}"), (Words{"_x1"}));
}

TEST(PlaceholderNames, NotPlaceholders) {
  EXPECT_TRUE(PlaceholderNames("no braces").empty());
  EXPECT_TRUE(PlaceholderNames("{} {1x} { lr } {a-b} {\"a\": 1}").empty());
  EXPECT_EQ(PlaceholderNames("{{lr}}"), (Words{"lr"}));
  EXPECT_EQ(PlaceholderNames("{lr"), Words{});
}

}  // namespace
}  // namespace yard

namespace yard {
namespace {

TEST(ParseJobSpec, SchedulingFieldsRoundTrip) {
  Json j = MinimalSpec();
  j["resources"] = {{"gpus", 2},
                    {"gpu_model", {"A100", "H100-80GB"}},
                    {"min_gpu_memory_gb", 40},
                    {"min_compute_capability", 8.0}};
  j["group"] = "vision";
  j["preemptible"] = true;
  auto spec = ParseJobSpec(j);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->resources.gpu_models, (std::vector<std::string>{"A100", "H100-80GB"}));
  EXPECT_EQ(spec->resources.min_gpu_memory_gb, 40);
  EXPECT_EQ(spec->resources.min_compute_capability, 8.0);
  EXPECT_EQ(spec->group, "vision");
  EXPECT_TRUE(spec->preemptible);
  auto again = ParseJobSpec(JobSpecToJson(*spec));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->resources.gpu_models, spec->resources.gpu_models);
  EXPECT_EQ(again->group, "vision");
  EXPECT_TRUE(again->preemptible);
  j["resources"]["gpu_model"] = "L4";
  EXPECT_EQ(ParseJobSpec(j)->resources.gpu_models, std::vector<std::string>{"L4"});
}

}  // namespace
}  // namespace yard
