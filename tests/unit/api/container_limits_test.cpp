// The container limits and user of a job spec: resources.memory/cpus/pids and run_as.
#include <gtest/gtest.h>

#include <string>

#include "api/job_spec.h"
#include "api/resource_limits.h"
#include "contains.h"

namespace yard {
namespace {

Json SpecWith(const std::string& key, Json value) {
  Json spec = {{"command", "python3 train.py"}};
  if (key.rfind("resources.", 0) == 0)
    spec["resources"][key.substr(10)] = std::move(value);
  else
    spec[key] = std::move(value);
  return spec;
}

std::string ErrorOf(const Json& spec) {
  auto parsed = ParseJobSpec(spec);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << spec.dump();
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
  return parsed.status().message();
}

TEST(ParseByteSize, ReadsBinaryDecimalAndDockerUnits) {
  EXPECT_EQ(ParseByteSize("8GiB"), int64_t{8} << 30);
  EXPECT_EQ(ParseByteSize("8gib"), int64_t{8} << 30);
  EXPECT_EQ(ParseByteSize("8g"), int64_t{8} << 30);
  EXPECT_EQ(ParseByteSize("512MiB"), int64_t{512} << 20);
  EXPECT_EQ(ParseByteSize("512 MiB"), int64_t{512} << 20);
  EXPECT_EQ(ParseByteSize("1.5GiB"), int64_t{3} << 29);
  EXPECT_EQ(ParseByteSize("2GB"), 2'000'000'000);
  EXPECT_EQ(ParseByteSize("100kB"), 100'000);
  EXPECT_EQ(ParseByteSize("1TiB"), int64_t{1} << 40);
  EXPECT_EQ(ParseByteSize("4096"), 4096);
  EXPECT_EQ(ParseByteSize("4096B"), 4096);
}

TEST(ParseByteSize, RefusesWhatIsNotASize) {
  for (const char* bad : {"", "GiB", "-1GiB", "8 GiBs", "8PiB0", "1..5G", ".5G", "5.G", "8 XB",
                          "1e3", "9999999999999TiB", " 8GiB"}) {
    EXPECT_FALSE(ParseByteSize(bad).has_value()) << bad;
  }
}

TEST(FormatByteSize, PicksTheLargestUnit) {
  EXPECT_EQ(FormatByteSize(100), "100 B");
  EXPECT_EQ(FormatByteSize(int64_t{8} << 30), "8 GiB");
  EXPECT_EQ(FormatByteSize(int64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(FormatByteSize(int64_t{5} << 20), "5 MiB");
}

TEST(CpusToNano, ConvertsAndBounds) {
  EXPECT_EQ(CpusToNano(2.5), 2'500'000'000);
  EXPECT_EQ(CpusToNano(4), 4'000'000'000);
  EXPECT_FALSE(CpusToNano(0).has_value());
  EXPECT_FALSE(CpusToNano(-1).has_value());
  EXPECT_FALSE(CpusToNano(2e6).has_value());
}

TEST(JobSpecLimits, ParseAndRoundTripThroughJson) {
  Json in = {{"command", "python3 train.py"},
             {"resources", {{"gpus", 1}, {"memory", "8GiB"}, {"cpus", 2.5}, {"pids", 1024}}},
             {"run_as", "1000:1000"}};
  auto spec = ParseJobSpec(in);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->resources.memory_bytes, int64_t{8} << 30);
  EXPECT_EQ(spec->resources.nano_cpus, 2'500'000'000);
  EXPECT_EQ(spec->resources.pids, 1024);
  EXPECT_EQ(spec->run_as, "1000:1000");

  auto again = ParseJobSpec(JobSpecToJson(*spec));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->resources.memory_bytes, spec->resources.memory_bytes);
  EXPECT_EQ(again->resources.nano_cpus, spec->resources.nano_cpus);
  EXPECT_EQ(again->resources.pids, spec->resources.pids);
  EXPECT_EQ(again->run_as, spec->run_as);
}

TEST(JobSpecLimits, AbsentMeansNone) {
  auto spec = ParseJobSpec(Json{{"command", "true"}});
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->resources.memory_bytes, 0);
  EXPECT_EQ(spec->resources.nano_cpus, 0);
  EXPECT_EQ(spec->resources.pids, 0);
  EXPECT_EQ(spec->run_as, "");
  Json out = JobSpecToJson(*spec);
  EXPECT_FALSE(out["resources"].contains("memory"));
  EXPECT_FALSE(out.contains("run_as"));
}

TEST(JobSpecLimits, MemoryTakesBytesOrAUnit) {
  auto bytes = ParseJobSpec(SpecWith("resources.memory", int64_t{1} << 30));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->resources.memory_bytes, int64_t{1} << 30);
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.memory", "lots")), "resources.memory");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.memory", "lots")), "'lots'");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.memory", "1MiB")), "at least 6 MiB");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.memory", Json::array())), "not array");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.memory", -5)), "resources.memory");
}

TEST(JobSpecLimits, CpusAndPidsAreBounded) {
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.cpus", "4")), "resources.cpus");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.cpus", 0)), "between 0.001");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.pids", 4)), "resources.pids");
  EXPECT_CONTAINS(ErrorOf(SpecWith("resources.pids", 1.5)), "whole number");
  EXPECT_CONTAINS(
      ErrorOf(SpecWith("resources.shm", 1)),
      "known: gpus, gpu_model, min_gpu_memory_gb, min_compute_capability, memory, cpus, pids");
}

TEST(JobSpecLimits, RunAsIsANonRootNumericUser) {
  auto plain = ParseJobSpec(SpecWith("run_as", 1000));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->run_as, "1000");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "0")), "0 is root");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "0:0")), "0 is root");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "yard")), "user id must be a number");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "1000:staff")), "group id must be a number");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "1000:")), "group id");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", "-1")), "run_as");
  EXPECT_CONTAINS(ErrorOf(SpecWith("run_as", true)), "run_as");
}

}  // namespace
}  // namespace yard
