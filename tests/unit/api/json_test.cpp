#include "api/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>

#include "contains.h"

namespace yard {
namespace {

// 2023-11-14T22:13:20.123456Z
constexpr Micros kSubmitted = 1'700'000'000'123'456;

Job SampleJob() {
  Job job;
  job.id = 12;
  job.name = "mnist-lr";
  job.user = "ada";
  job.sweep_id = 3;
  job.state = JobState::kSucceeded;
  job.spec.command = {"python3", "train.py", "--lr", "0.1"};
  job.spec.resources.gpus = 2;
  job.hparams = {{"lr", 0.1}, {"epochs", 27}};
  job.gpus = {{"box-a", 2, "GPU-2222", "A100-80GB"}, {"box-a", 3, "GPU-3333", "A100-80GB"}};
  job.worker_name = "box-a";
  job.exit_code = 0;
  job.submitted_at = kSubmitted;
  job.started_at = kSubmitted + 2'000'000;
  job.finished_at = kSubmitted + 3'600'000'000;
  job.metrics = {{"val_accuracy", 0.91}, {"loss", 0.25}};
  return job;
}

TEST(JobToJson, ContractFields) {
  Json j = JobToJson(SampleJob());
  for (const char* field : {"id", "name", "state", "sweep_id", "hparams", "gpus", "submitted_at",
                            "started_at", "finished_at", "exit_code", "metrics"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j["id"], 12);
  EXPECT_EQ(j["name"], "mnist-lr");
  EXPECT_EQ(j["state"], "SUCCEEDED");
  EXPECT_EQ(j["sweep_id"], 3);
  EXPECT_EQ(j["hparams"], (Json{{"lr", 0.1}, {"epochs", 27}}));
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["metrics"], (Json{{"val_accuracy", 0.91}, {"loss", 0.25}}));
  EXPECT_EQ(j["worker"], "box-a");
}

TEST(JobToJson, GpusNameWorkerIndexUuidModel) {
  Json gpus = JobToJson(SampleJob())["gpus"];
  ASSERT_TRUE(gpus.is_array());
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(
      gpus[0],
      (Json{{"worker", "box-a"}, {"index", 2}, {"uuid", "GPU-2222"}, {"model", "A100-80GB"}}));
  EXPECT_EQ(gpus[1]["index"], 3);
  EXPECT_EQ(gpus[1]["uuid"], "GPU-3333");
}

TEST(JobToJson, TimesAreRfc3339UtcWithMilliseconds) {
  Json j = JobToJson(SampleJob());
  const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  for (const char* field : {"submitted_at", "started_at", "finished_at"}) {
    ASSERT_TRUE(j[field].is_string()) << field;
    EXPECT_TRUE(std::regex_match(j[field].get<std::string>(), rfc3339))
        << field << ": " << j[field];
  }
  EXPECT_EQ(j["submitted_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["started_at"], "2023-11-14T22:13:22.123Z");
  EXPECT_EQ(j["finished_at"], "2023-11-14T23:13:20.123Z");
}

TEST(JobToJson, AbsentValuesAreNull) {
  Job job;
  job.id = 1;
  job.name = "queued";
  job.submitted_at = 1'000'000;  // 1970-01-01T00:00:01Z
  Json j = JobToJson(job);
  EXPECT_EQ(j["state"], "QUEUED");
  EXPECT_TRUE(j["sweep_id"].is_null());
  EXPECT_TRUE(j["started_at"].is_null());
  EXPECT_TRUE(j["finished_at"].is_null());
  EXPECT_TRUE(j["exit_code"].is_null());
  EXPECT_TRUE(j["worker"].is_null());
  EXPECT_EQ(j["submitted_at"], "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(j["gpus"], Json::array());
  EXPECT_EQ(j["metrics"], Json::object());
  EXPECT_EQ(j["hparams"], Json::object());
}

TEST(JobToJson, NonZeroExitCodeAndNaNMetric) {
  Job job = SampleJob();
  job.state = JobState::kFailed;
  job.exit_code = 137;
  job.metrics["diverged"] = std::nan("");
  Json j = JobToJson(job);
  EXPECT_EQ(j["state"], "FAILED");
  EXPECT_EQ(j["exit_code"], 137);
  // NaN cannot be JSON; it must still serialise to valid JSON text.
  Json reparsed = Json::parse(j.dump(), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(reparsed.is_discarded()) << j.dump();
  EXPECT_TRUE(reparsed["metrics"]["diverged"].is_null());
}

TEST(TimeToJson, NullForZeroAndNegative) {
  EXPECT_TRUE(TimeToJson(0).is_null());
  EXPECT_TRUE(TimeToJson(-5).is_null());
  EXPECT_EQ(TimeToJson(1'999), "1970-01-01T00:00:00.001Z");
}

TEST(RequireFields, ErrorsNameTheField) {
  Json j = {{"n", 5}, {"s", "x"}, {"f", 1.5}};
  EXPECT_EQ(*RequireInt(j, "n"), 5);
  EXPECT_EQ(*RequireString(j, "s"), "x");
  EXPECT_CONTAINS(RequireInt(j, "f").status().message(), "'f'");
  EXPECT_CONTAINS(RequireInt(j, "s").status().message(), "'s'");
  EXPECT_CONTAINS(RequireInt(j, "missing").status().message(), "'missing'");
  EXPECT_CONTAINS(RequireString(j, "n").status().message(), "'n'");
  EXPECT_FALSE(RequireInt(Json::array({1}), "n").ok());
  EXPECT_FALSE(RequireString(Json(nullptr), "s").ok());
}

TEST(GpuInfoJson, RoundTrip) {
  GpuInfo gpu{5, "GPU-5", "H100-80GB", 81559, "9.0"};
  auto back = GpuInfoFromJson(GpuInfoToJson(gpu));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->index, 5);
  EXPECT_EQ(back->uuid, "GPU-5");
  EXPECT_EQ(back->model, "H100-80GB");
  EXPECT_EQ(back->memory_mb, 81559);
  EXPECT_EQ(back->compute_capability, "9.0");
}

TEST(SweepAndWorkerJson, Fields) {
  Sweep s;
  s.id = 2;
  s.name = "grid";
  s.algorithm = "grid";
  s.maximize = false;
  s.state = "ACTIVE";
  s.created_at = kSubmitted;
  Json sj = SweepToJson(s);
  EXPECT_TRUE(sj["metric"].is_null());
  EXPECT_EQ(sj["goal"], "minimize");
  EXPECT_TRUE(sj["finished_at"].is_null());
  EXPECT_EQ(sj["created_at"], "2023-11-14T22:13:20.123Z");

  WorkerRecord w;
  w.id = 4;
  w.name = "box";
  w.state = WorkerState::kLost;
  w.gpus.push_back({0, "GPU-0", "T4-16GB", 16384, "7.5"});
  Json wj = WorkerToJson(w);
  EXPECT_EQ(wj["state"], "LOST");
  ASSERT_EQ(wj["gpus"].size(), 1u);
  EXPECT_EQ(wj["gpus"][0]["model"], "T4-16GB");
  EXPECT_TRUE(wj["registered_at"].is_null());
}

}  // namespace
}  // namespace yard
