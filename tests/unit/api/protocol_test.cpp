#include "api/protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/job_spec.h"
#include "contains.h"

namespace yard {
namespace {

JobReport Report(int64_t id, int attempt, JobState state) {
  JobReport r;
  r.job_id = id;
  r.attempt = attempt;
  r.state = state;
  return r;
}

void ExpectSameReport(const JobReport& a, const JobReport& b) {
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.attempt, b.attempt);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
}

// Parses `j` with `from`, expecting InvalidArgument and no exception; returns the message.
template <class F>
std::string ErrorOf(F from, const Json& j) {
  std::string message;
  EXPECT_NO_THROW({
    auto r = from(j);
    EXPECT_FALSE(r.ok()) << "accepted: " << j.dump();
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
      message = r.status().message();
    }
  }) << j.dump();
  return message;
}

// ---------------------------------------------------------------- JobReport

TEST(JobReport, RoundTrip) {
  JobReport r = Report(42, 3, JobState::kFailed);
  r.exit_code = 137;
  r.reason = "killed by signal 9";
  r.started_at = 1'700'000'000'000'000;
  r.finished_at = 1'700'000'123'456'789;
  Json j = ToJson(r);
  EXPECT_EQ(j["state"], "FAILED");
  EXPECT_EQ(j["exit_code"], 137);
  auto back = JobReportFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameReport(*back, r);
}

TEST(JobReport, NoExitCodeStaysAbsent) {
  JobReport r = Report(1, 1, JobState::kRunning);
  Json j = ToJson(r);
  EXPECT_FALSE(j.contains("exit_code"));
  auto back = JobReportFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->exit_code.has_value());
  EXPECT_EQ(back->state, JobState::kRunning);
}

TEST(JobReport, Malformed) {
  EXPECT_CONTAINS(ErrorOf(JobReportFromJson, Json{{"attempt", 1}, {"state", "RUNNING"}}),
                  "'job_id'");
  EXPECT_CONTAINS(
      ErrorOf(JobReportFromJson, Json{{"job_id", "1"}, {"attempt", 1}, {"state", "RUNNING"}}),
      "'job_id'");
  EXPECT_CONTAINS(ErrorOf(JobReportFromJson, Json{{"job_id", 1}, {"state", "RUNNING"}}),
                  "'attempt'");
  EXPECT_CONTAINS(ErrorOf(JobReportFromJson, Json{{"job_id", 1}, {"attempt", 1}, {"state", 3}}),
                  "'state'");
  EXPECT_CONTAINS(
      ErrorOf(JobReportFromJson, Json{{"job_id", 1}, {"attempt", 1}, {"state", "DANCING"}}),
      "DANCING");
  ErrorOf(JobReportFromJson, Json::array({1, 2}));
  ErrorOf(JobReportFromJson, Json(nullptr));
  ErrorOf(JobReportFromJson, Json(5));
}

// ---------------------------------------------------------------- RegisterRequest

RegisterRequest SampleRegister() {
  RegisterRequest r;
  r.name = "gpu-box-1";
  r.host = "10.0.0.7";
  r.runtime = "process";
  r.cpu_slots = 6;
  r.gpus.push_back({0, "GPU-aaaa", "A100-80GB", 81920, "8.0"});
  r.gpus.push_back({1, "GPU-bbbb", "A100-80GB", 81920, "8.0"});
  JobReport running = Report(7, 2, JobState::kRunning);
  running.started_at = 123;
  JobReport done = Report(8, 1, JobState::kSucceeded);
  done.exit_code = 0;
  done.finished_at = 456;
  r.jobs = {running, done};
  return r;
}

TEST(RegisterRequest, RoundTrip) {
  RegisterRequest r = SampleRegister();
  auto back = RegisterRequestFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, r.name);
  EXPECT_EQ(back->host, r.host);
  EXPECT_EQ(back->runtime, r.runtime);
  EXPECT_EQ(back->cpu_slots, 6);
  ASSERT_EQ(back->gpus.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->gpus[i].index, r.gpus[i].index);
    EXPECT_EQ(back->gpus[i].uuid, r.gpus[i].uuid);
    EXPECT_EQ(back->gpus[i].model, r.gpus[i].model);
    EXPECT_EQ(back->gpus[i].memory_mb, r.gpus[i].memory_mb);
    EXPECT_EQ(back->gpus[i].compute_capability, r.gpus[i].compute_capability);
  }
  ASSERT_EQ(back->jobs.size(), 2u);
  ExpectSameReport(back->jobs[0], r.jobs[0]);
  ExpectSameReport(back->jobs[1], r.jobs[1]);
  EXPECT_EQ(back->jobs[1].exit_code, 0);  // a zero exit code is still a code
}

TEST(RegisterRequest, NoGpusNoJobs) {
  RegisterRequest r;
  r.name = "cpu-only";
  r.host = "h";
  r.runtime = "docker";
  Json j = ToJson(r);
  j.erase("jobs");  // an older worker may leave it out
  auto back = RegisterRequestFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->gpus.empty());
  EXPECT_TRUE(back->jobs.empty());
  EXPECT_EQ(back->cpu_slots, 1);
}

TEST(RegisterRequest, CpuSlotsClamped) {
  Json j = ToJson(SampleRegister());
  j["cpu_slots"] = -3;
  EXPECT_EQ(RegisterRequestFromJson(j)->cpu_slots, 0);
  j["cpu_slots"] = 1'000'000;
  EXPECT_EQ(RegisterRequestFromJson(j)->cpu_slots, 4096);
}

TEST(RegisterRequest, Malformed) {
  const Json good = ToJson(SampleRegister());
  for (const char* field : {"name", "host", "runtime", "cpu_slots", "gpus"}) {
    Json missing = good;
    missing.erase(field);
    EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, missing), field);
    Json wrong = good;
    wrong[field] = Json::object({{"x", 1}});
    EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, wrong), field);
  }
  Json name_number = good;
  name_number["name"] = 5;
  ErrorOf(RegisterRequestFromJson, name_number);
  Json empty_name = good;
  empty_name["name"] = "";
  EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, empty_name), "worker name");
  Json long_name = good;
  long_name["name"] = std::string(129, 'w');
  ErrorOf(RegisterRequestFromJson, long_name);

  Json gpu_not_object = good;
  gpu_not_object["gpus"] = Json::array({3});
  ErrorOf(RegisterRequestFromJson, gpu_not_object);
  Json gpu_no_uuid = good;
  gpu_no_uuid["gpus"][0].erase("uuid");
  EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, gpu_no_uuid), "'uuid'");
  Json gpu_bad_index = good;
  gpu_bad_index["gpus"][0]["index"] = -1;
  ErrorOf(RegisterRequestFromJson, gpu_bad_index);
  Json gpu_float_memory = good;
  gpu_float_memory["gpus"][1]["memory_mb"] = 1.5;
  EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, gpu_float_memory), "'memory_mb'");

  Json jobs_not_list = good;
  jobs_not_list["jobs"] = "none";
  EXPECT_CONTAINS(ErrorOf(RegisterRequestFromJson, jobs_not_list), "'jobs'");
  Json job_bad_state = good;
  job_bad_state["jobs"][0]["state"] = "SLEEPING";
  ErrorOf(RegisterRequestFromJson, job_bad_state);

  ErrorOf(RegisterRequestFromJson, Json(nullptr));
  ErrorOf(RegisterRequestFromJson, Json::array());
  ErrorOf(RegisterRequestFromJson, Json("worker"));
}

TEST(RegisterResponse, RoundTripAndClamp) {
  RegisterResponse r{17, 2500};
  auto back = RegisterResponseFromJson(ToJson(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->worker_id, 17);
  EXPECT_EQ(back->heartbeat_interval_ms, 2500);
  auto fast = RegisterResponseFromJson(Json{{"worker_id", 1}, {"heartbeat_interval_ms", 0}});
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->heartbeat_interval_ms, 10);
  ErrorOf(RegisterResponseFromJson, Json{{"worker_id", 1}});
  ErrorOf(RegisterResponseFromJson, Json{{"worker_id", "1"}, {"heartbeat_interval_ms", 10}});
}

// ---------------------------------------------------------------- HeartbeatRequest

TEST(HeartbeatRequest, RoundTrip) {
  HeartbeatRequest r;
  r.usage.push_back({0, 97, 40'000, {}});
  r.usage.push_back({3, 5, 1'024, {4242, 4343}});
  JobReport ended = Report(9, 1, JobState::kTimedOut);
  ended.exit_code = -1;
  ended.reason = "timeout";
  r.jobs = {Report(5, 1, JobState::kStarting), ended};

  auto back = HeartbeatRequestFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->usage.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->usage[i].index, r.usage[i].index);
    EXPECT_EQ(back->usage[i].utilization_pct, r.usage[i].utilization_pct);
    EXPECT_EQ(back->usage[i].memory_used_mb, r.usage[i].memory_used_mb);
    EXPECT_EQ(back->usage[i].foreign_pids, r.usage[i].foreign_pids);
  }
  ASSERT_EQ(back->jobs.size(), 2u);
  ExpectSameReport(back->jobs[0], r.jobs[0]);
  ExpectSameReport(back->jobs[1], r.jobs[1]);
}

TEST(HeartbeatRequest, EmptyObjectIsAnEmptyHeartbeat) {
  auto back = HeartbeatRequestFromJson(Json::object());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->usage.empty());
  EXPECT_TRUE(back->jobs.empty());
}

TEST(HeartbeatRequest, Malformed) {
  ErrorOf(HeartbeatRequestFromJson, Json(nullptr));
  ErrorOf(HeartbeatRequestFromJson, Json::array());
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"usage", 3}}), "'usage'");
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"usage", {{{"index", 0}}}}}),
                  "utilization_pct");
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"usage",
                                                          {{{"index", 0},
                                                            {"utilization_pct", 1},
                                                            {"memory_used_mb", 2},
                                                            {"foreign_pids", {"x"}}}}}}),
                  "foreign_pids");
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"usage",
                                                          {{{"index", 0},
                                                            {"utilization_pct", 1},
                                                            {"memory_used_mb", 2},
                                                            {"foreign_pids", 7}}}}}),
                  "foreign_pids");
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"jobs", {{"job_id", 1}}}}), "jobs");
  EXPECT_CONTAINS(ErrorOf(HeartbeatRequestFromJson, Json{{"jobs", {{{"job_id", 1}}}}}),
                  "'attempt'");
}

// ---------------------------------------------------------------- HeartbeatResponse

Assignment SampleAssignment() {
  Json spec_json = {{"name", "mnist"},
                    {"image", "reg/pytorch:1"},
                    {"command", "python3 train.py --lr {lr}"},
                    {"resources", {{"gpus", 2}}},
                    {"priority", 70},
                    {"max_retries", 2},
                    {"timeout", "2h"},
                    {"env", {{"OMP_NUM_THREADS", "4"}}},
                    {"hyperparameters", {{"lr", {0.1, 0.01}}}}};
  auto spec = ParseJobSpec(spec_json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  Assignment a;
  a.job_id = 31;
  a.attempt = 2;
  a.sweep_id = 4;
  a.spec = *spec;
  a.spec.command[3] = "0.01";  // filled, as the master sends it
  a.hparams = {{"lr", 0.01}};
  a.gpus = {2, 3};
  return a;
}

TEST(HeartbeatResponse, RoundTripWithAssignmentsAndKills) {
  HeartbeatResponse r;
  r.assign.push_back(SampleAssignment());
  Assignment cpu = SampleAssignment();
  cpu.job_id = 32;
  cpu.sweep_id = 0;
  cpu.spec.resources.gpus = 0;
  cpu.gpus.clear();
  cpu.has_checkpoint = false;
  r.assign.push_back(cpu);
  Assignment resumed = SampleAssignment();
  resumed.job_id = 33;
  resumed.has_checkpoint = true;
  r.assign.push_back(resumed);
  r.kill.push_back({12, 1, "cancelled"});
  r.kill.push_back({13, 4, ""});
  r.news = 42;
  r.kill.push_back({14, 2, "preempted to make room for job 15", true, 30000});

  auto back = HeartbeatResponseFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->assign.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Assignment& got = back->assign[i];
    const Assignment& want = r.assign[i];
    EXPECT_EQ(got.job_id, want.job_id);
    EXPECT_EQ(got.attempt, want.attempt);
    EXPECT_EQ(got.sweep_id, want.sweep_id);
    EXPECT_EQ(got.hparams, want.hparams);
    EXPECT_EQ(got.gpus, want.gpus);
    EXPECT_EQ(got.has_checkpoint, want.has_checkpoint);
    EXPECT_EQ(got.spec.name, want.spec.name);
    EXPECT_EQ(got.spec.image, want.spec.image);
    EXPECT_EQ(got.spec.command, want.spec.command);
    EXPECT_EQ(got.spec.resources.gpus, want.spec.resources.gpus);
    EXPECT_EQ(got.spec.priority, want.spec.priority);
    EXPECT_EQ(got.spec.max_retries, want.spec.max_retries);
    EXPECT_EQ(got.spec.timeout_s, want.spec.timeout_s);
    EXPECT_EQ(got.spec.env, want.spec.env);
    EXPECT_EQ(got.spec.hyperparameters, want.spec.hyperparameters);
  }
  EXPECT_EQ(back->news, 42u);
  ASSERT_EQ(back->kill.size(), 3u);
  EXPECT_EQ(back->kill[0].job_id, 12);
  EXPECT_EQ(back->kill[0].attempt, 1);
  EXPECT_EQ(back->kill[0].reason, "cancelled");
  EXPECT_FALSE(back->kill[0].preempt);
  EXPECT_EQ(back->kill[0].grace_ms, 0);
  EXPECT_EQ(back->kill[1].job_id, 13);
  EXPECT_EQ(back->kill[1].attempt, 4);
  EXPECT_EQ(back->kill[1].reason, "");
  EXPECT_TRUE(back->kill[2].preempt);
  EXPECT_EQ(back->kill[2].grace_ms, 30000);
}

TEST(HeartbeatResponse, KillOrderGraceIsBounded) {
  Json j = {{"kill", {{{"job_id", 1}, {"attempt", 1}, {"preempt", true}, {"grace_ms", -5}}}}};
  EXPECT_FALSE(HeartbeatResponseFromJson(j).ok());
  j["kill"][0]["grace_ms"] = 4'000'000;
  EXPECT_FALSE(HeartbeatResponseFromJson(j).ok());
  j["kill"][0]["grace_ms"] = "10";
  EXPECT_FALSE(HeartbeatResponseFromJson(j).ok());
  j["kill"][0]["grace_ms"] = 10;
  EXPECT_TRUE(HeartbeatResponseFromJson(j).ok());
}

TEST(HeartbeatResponse, HasCheckpointMustBeABoolean) {
  Json answer = ToJson(HeartbeatResponse{{SampleAssignment()}, {}});
  EXPECT_FALSE(answer["assign"][0].contains("has_checkpoint"));  // unknown: not said
  answer["assign"][0]["has_checkpoint"] = "no";
  auto back = HeartbeatResponseFromJson(answer);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("has_checkpoint"), std::string::npos);
}

TEST(HeartbeatResponse, AGangPartSaysItsRankAndRendezvous) {
  Assignment part = SampleAssignment();
  part.num_nodes = 3;
  part.node_rank = 2;
  part.master_addr = "gpu-node-7";
  part.master_port = 29517;
  Json answer = ToJson(HeartbeatResponse{{part, SampleAssignment()}, {}});
  EXPECT_FALSE(answer["assign"][1].contains("num_nodes"));  // one worker: not said
  auto back = HeartbeatResponseFromJson(answer);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->assign[0].num_nodes, 3);
  EXPECT_EQ(back->assign[0].node_rank, 2);
  EXPECT_EQ(back->assign[0].master_addr, "gpu-node-7");
  EXPECT_EQ(back->assign[0].master_port, 29517);
  EXPECT_EQ(back->assign[1].num_nodes, 1);
  EXPECT_EQ(back->assign[1].node_rank, 0);
  EXPECT_EQ(back->assign[1].master_addr, "");
  for (auto [field, bad] : std::vector<std::pair<const char*, Json>>{{"node_rank", 3},
                                                                     {"node_rank", -1},
                                                                     {"num_nodes", 0},
                                                                     {"master_port", 70000},
                                                                     {"master_addr", ""},
                                                                     {"master_addr", 5}}) {
    Json broken = answer;
    broken["assign"][0][field] = bad;
    EXPECT_FALSE(HeartbeatResponseFromJson(broken).ok()) << field << " " << bad.dump();
  }
}

TEST(HeartbeatResponse, EmptyLists) {
  auto back = HeartbeatResponseFromJson(ToJson(HeartbeatResponse{}));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->assign.empty());
  EXPECT_TRUE(back->kill.empty());
  auto bare = HeartbeatResponseFromJson(Json::object());
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->news, 0u);  // an older master does not say
  EXPECT_FALSE(HeartbeatResponseFromJson({{"news", -1}}).ok());
  EXPECT_TRUE(bare->assign.empty());
}

TEST(HeartbeatResponse, Malformed) {
  HeartbeatResponse r;
  r.assign.push_back(SampleAssignment());
  r.kill.push_back({12, 1, "cancelled"});
  const Json good = ToJson(r);
  ASSERT_TRUE(HeartbeatResponseFromJson(good).ok());

  for (const char* field : {"job_id", "attempt", "sweep_id", "spec"}) {
    Json missing = good;
    missing["assign"][0].erase(field);
    EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, missing), field);
  }
  Json id_text = good;
  id_text["assign"][0]["job_id"] = "31";
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, id_text), "'job_id'");
  Json bad_spec = good;
  bad_spec["assign"][0]["spec"]["priority"] = "high";
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, bad_spec), "'priority'");
  Json spec_not_object = good;
  spec_not_object["assign"][0]["spec"] = "python3 train.py";
  ErrorOf(HeartbeatResponseFromJson, spec_not_object);
  Json gpu_text = good;
  gpu_text["assign"][0]["gpus"] = {"0", "1"};
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, gpu_text), "gpus");

  Json kill_no_attempt = good;
  kill_no_attempt["kill"][0].erase("attempt");
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, kill_no_attempt), "'attempt'");
  Json kill_not_object = good;
  kill_not_object["kill"] = Json::array({12});
  ErrorOf(HeartbeatResponseFromJson, kill_not_object);

  ErrorOf(HeartbeatResponseFromJson, Json(nullptr));
  ErrorOf(HeartbeatResponseFromJson, Json::array());
  ErrorOf(HeartbeatResponseFromJson, Json("ok"));
}

// Lists given as something else are errors too, not read as if they were lists.
TEST(HeartbeatResponse, ListsMustBeLists) {
  HeartbeatResponse r;
  r.assign.push_back(SampleAssignment());
  r.kill.push_back({12, 1, "cancelled"});
  const Json good = ToJson(r);

  Json gpus_number = good;
  gpus_number["assign"][0]["gpus"] = 3;
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, gpus_number), "gpus");
  Json gpus_object = good;
  gpus_object["assign"][0]["gpus"] = {{"a", 0}};
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, gpus_object), "gpus");
  Json assign_object = good;
  assign_object["assign"] = {{"first", good["assign"][0]}};
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, assign_object), "assign");
  Json assign_number = good;
  assign_number["assign"] = 1;
  ErrorOf(HeartbeatResponseFromJson, assign_number);
  Json kill_object = good;
  kill_object["kill"] = {{"k", good["kill"][0]}};
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, kill_object), "kill");
  Json hparams_list = good;
  hparams_list["assign"][0]["hparams"] = {1, 2};
  EXPECT_CONTAINS(ErrorOf(HeartbeatResponseFromJson, hparams_list), "hparams");
}

}  // namespace
}  // namespace yard
