#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sched/policy_config.h"
#include "sim/report.h"
#include "sim/trace.h"

namespace yard::sim {
namespace {

sched::PolicyConfig Policy(const std::string& name) { return *sched::PolicyPreset(name); }

std::vector<TraceJob> Trace(const std::string& csv) {
  auto t = ParseTrace(csv);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : std::vector<TraceJob>{};
}

ClusterSpec Spec(const std::string& text) {
  auto c = ParseClusterSpec(text);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

// ---------------------------------------------------------------- inputs

TEST(Trace, ParsesRequiredAndOptionalColumnsInAnyOrder) {
  auto t = Trace(
      "group,num_gpus,submit_time,duration,priority,timeout,gpu_model\n"
      "vision,2,30,100,90,200,A100-80GB|V100-16GB\n"
      "nlp,1,10,50,,,\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].group, "nlp");  // sorted by submit time
  EXPECT_EQ(t[0].priority, 50);
  EXPECT_EQ(t[1].gpus, 2);
  EXPECT_EQ(t[1].priority, 90);
  EXPECT_DOUBLE_EQ(t[1].timeout, 200);
  EXPECT_EQ(t[1].gpu_models, (std::vector<std::string>{"A100-80GB", "V100-16GB"}));
  EXPECT_EQ(t[1].line, 2);
}

TEST(Trace, ErrorsNameTheLineAndTheField) {
  auto missing = ParseTrace("submit_time,num_gpus\n0,1\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing column duration"), std::string::npos);

  auto bad = ParseTrace("submit_time,duration,num_gpus\n0,10,1\n5,ten,1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 3"), std::string::npos);
  EXPECT_NE(bad.status().message().find("duration"), std::string::npos);

  auto fractional = ParseTrace("submit_time,duration,num_gpus\n0,10,1.5\n");
  ASSERT_FALSE(fractional.ok());
  EXPECT_NE(fractional.status().message().find("num_gpus"), std::string::npos);

  EXPECT_FALSE(ParseTrace("submit_time,duration,num_gpus\n0,10\n").ok());
  EXPECT_FALSE(ParseTrace("submit_time,duration,num_gpus\n-1,10,1\n").ok());
  EXPECT_FALSE(ParseTrace("").ok());
  EXPECT_FALSE(ParseTrace("submit_time,duration,num_gpus\n").ok());
}

TEST(ClusterSpec, ParsesWorkersGpusAndModels) {
  ClusterSpec c = Spec("64x8xV100-16GB, 16x8xA100-80GB,2x4xV100-16GB");
  EXPECT_EQ(c.total_gpus, 64 * 8 + 16 * 8 + 8);
  ASSERT_EQ(c.models.size(), 2u);
  EXPECT_EQ(c.models[0].name, "V100-16GB");
  EXPECT_DOUBLE_EQ(c.models[0].memory_gb, 16);
  EXPECT_DOUBLE_EQ(c.models[1].compute_capability, 8.0);
  EXPECT_EQ(c.groups[2].model, 0);
  EXPECT_FALSE(ParseClusterSpec("64x8").ok());
  EXPECT_FALSE(ParseClusterSpec("0x8xV100-16GB").ok());
  EXPECT_FALSE(ParseClusterSpec("4xeightxV100-16GB").ok());
  EXPECT_FALSE(ParseClusterSpec("4x8xV100").ok());  // no memory
}

TEST(Simulate, AJobLargerThanTheClusterIsAnErrorNamingItsLine) {
  auto t = Trace("submit_time,duration,num_gpus\n0,10,1\n1,10,64\n");
  auto r = Simulate(t, Spec("2x8xV100-16GB"), Policy("fifo"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos);
  auto model = Trace("submit_time,duration,num_gpus,gpu_model\n0,10,1,H100-80GB\n");
  EXPECT_FALSE(Simulate(model, Spec("2x8xV100-16GB"), Policy("fifo"), {}).ok());
}

// ---------------------------------------------------------------- figures by hand

TEST(Simulate, FifoFiguresOnATinyTrace) {
  // One worker of 2 GPUs: A (2 GPUs, 100 s) at 0, B (1 GPU, 50 s) at 10 waits until 100.
  auto t = Trace("submit_time,duration,num_gpus,group\n0,100,2,x\n10,50,1,y\n");
  auto r = Simulate(t, Spec("1x2xV100-16GB"), Policy("fifo"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->avg_jct, (100 + 140) / 2.0);
  EXPECT_DOUBLE_EQ(r->avg_wait, (0 + 90) / 2.0);
  EXPECT_DOUBLE_EQ(r->p99_wait, 90);
  EXPECT_DOUBLE_EQ(r->makespan, 150);
  EXPECT_DOUBLE_EQ(r->utilisation, (200 + 50) / (2 * 150.0));
  EXPECT_EQ(r->worst_group, "y");
  EXPECT_DOUBLE_EQ(r->worst_group_p99_wait, 90);
  EXPECT_EQ(r->preemptions, 0);
}

TEST(Simulate, PreemptionPaysGraceAndRestart) {
  // A long job holds the only GPU; a new job arrives after A reached service level 1 and has
  // run min_run_s. A is preempted: it keeps the GPU for the grace period, B runs, then A
  // resumes and pays the restart cost.
  sched::PolicyConfig las = Policy("las");
  SimOptions o;
  o.grace_s = 30;
  o.restart_s = 60;
  auto t = Trace("submit_time,duration,num_gpus\n0,10000,1\n5000,100,1\n");
  auto r = Simulate(t, Spec("1x1xV100-16GB"), las, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->preemptions, 1);
  // B: waits the grace period, runs 100 s.  A: 5000 s done, then 5000 s left after B.
  double b_end = 5000 + 30 + 100;
  double a_end = b_end + 60 + 5000;
  EXPECT_DOUBLE_EQ(r->makespan, a_end);
  EXPECT_DOUBLE_EQ(r->avg_jct, (a_end + (b_end - 5000)) / 2);
  EXPECT_DOUBLE_EQ(r->avg_wait, 30 / 2.0);
  // FIFO lets B wait for A.
  auto fifo = Simulate(t, Spec("1x1xV100-16GB"), Policy("fifo"), o);
  ASSERT_TRUE(fifo.ok());
  EXPECT_EQ(fifo->preemptions, 0);
  EXPECT_DOUBLE_EQ(fifo->avg_wait, 5000 / 2.0);
}

TEST(Simulate, OracleTimeoutsRunTheShortestFirst) {
  auto t = Trace("submit_time,duration,num_gpus\n0,100,1\n1,1000,1\n2,10,1\n");
  SimOptions o;
  o.oracle_timeouts = true;
  auto r = Simulate(t, Spec("1x1xV100-16GB"), Policy("sjf"), o);
  ASSERT_TRUE(r.ok());
  // 0..100 the first; then the 10 s job (ends 110), then the long one (ends 1110).
  EXPECT_DOUBLE_EQ(r->avg_jct, (100 + (110 - 2) + (1110 - 1)) / 3.0);
}

TEST(Simulate, TimeoutsStopJobs) {
  auto t = Trace("submit_time,duration,num_gpus,timeout\n0,100,1,40\n");
  auto r = Simulate(t, Spec("1x1xV100-16GB"), Policy("fifo"), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->timed_out, 1);
  EXPECT_DOUBLE_EQ(r->makespan, 40);
}

TEST(Simulate, EveryPolicyFinishesARandomTrace) {
  std::string csv = "submit_time,duration,num_gpus,group\n";
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1664525u + 1013904223u; };
  for (int i = 0; i < 300; ++i) {
    int sizes[] = {1, 1, 1, 2, 4, 8, 16};
    csv += std::to_string(i * 37) + "," + std::to_string(60 + next() % 20000) + "," +
           std::to_string(sizes[next() % 7]) + ",g" + std::to_string(next() % 4) + "\n";
  }
  auto t = Trace(csv);
  for (const auto& name : sched::PolicyPresetNames()) {
    SimOptions o;
    o.oracle_timeouts = name == "sjf";
    auto r = Simulate(t, Spec("3x8xV100-16GB"), Policy(name), o);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->jobs, 300);
    EXPECT_GT(r->utilisation, 0);
    EXPECT_LE(r->utilisation, 1.0 + 1e-9);
    EXPECT_GE(r->avg_jct, r->avg_wait);
  }
}

TEST(Report, GroupsWorseThanTheBaseline) {
  SimResult a, b;
  a.group_p99_wait = {{"x", 10}, {"y", 50}};
  b.group_p99_wait = {{"x", 20}, {"y", 40}};
  EXPECT_EQ(GroupsWorseThan(a, b), std::vector<std::string>{"y"});
  EXPECT_EQ(ToJson(a)["group_p99_wait_s"]["y"], 50);
  EXPECT_EQ(HumanSeconds(7200), "2.00h");
}

}  // namespace
}  // namespace yard::sim
