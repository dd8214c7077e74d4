// One test per rule of the policy, on small hand-made clusters.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sched/gpu_pools.h"
#include "sched/ordering.h"
#include "sched/policy.h"
#include "sched_fixtures.h"

namespace yard::sched {
namespace {

using namespace fixtures;  // NOLINT

// ---------------------------------------------------------------- configuration

TEST(PolicyConfig, PresetsParse) {
  for (const auto& name : PolicyPresetNames()) {
    auto c = PolicyPreset(name);
    ASSERT_TRUE(c.ok()) << name;
    EXPECT_EQ(c->name, name);
  }
  EXPECT_FALSE(PolicyPreset("nope").ok());
  EXPECT_FALSE(Preset("fifo").backfill);
  EXPECT_FALSE(Preset("fifo").preemption);
  EXPECT_TRUE(Preset("full").backfill);
  EXPECT_TRUE(Preset("full").preemption);
}

TEST(PolicyConfig, KeyValueOverridesThePreset) {
  auto c = ParsePolicyConfig(
      "preset=full, age_weight=2.5\nbackfill=off quota.group.vision=64 quota.user.ann=8 "
      "fair_share_by=user");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "full");
  EXPECT_DOUBLE_EQ(c->age_weight, 2.5);
  EXPECT_FALSE(c->backfill);
  EXPECT_TRUE(c->preemption);
  EXPECT_EQ(c->group_quota.at("vision"), 64);
  EXPECT_EQ(c->user_quota.at("ann"), 8);
  EXPECT_EQ(c->fair_share_by, FairShareBy::kUser);
}

TEST(PolicyConfig, BadItemsAreNamed) {
  auto unknown = ParsePolicyConfig("preset=fifo,speed=9");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("speed"), std::string::npos);
  auto bad = ParsePolicyConfig("age_weight=fast");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("age_weight=fast"), std::string::npos);
  EXPECT_FALSE(ParsePolicyConfig("age_weight=-1").ok());
  EXPECT_FALSE(ParsePolicyConfig("quota.group.x=1.5").ok());
  EXPECT_FALSE(ParsePolicyConfig("backfill").ok());
  EXPECT_FALSE(ParsePolicyConfig("age_weight=1,preset=full").ok());
}

// ---------------------------------------------------------------- ordering

TEST(Ordering, HigherPriorityFirst) {
  Cluster c = V100Cluster(1, 1);
  auto r = RunPass(c, {Job(1, 1, 10), Job(2, 1, 90)}, Preset("full"));
  EXPECT_EQ(PlacedIds(r), std::vector<int64_t>{2});
}

TEST(Ordering, OlderFirstAtEqualPriority) {
  Cluster c = V100Cluster(1, 1, 1000);
  auto r = RunPass(c, {Job(1, 1, 50, 500), Job(2, 1, 50, 100)}, Preset("full"));
  EXPECT_EQ(PlacedIds(r), std::vector<int64_t>{2});
}

TEST(Ordering, FairShareFavoursTheGroupThatUsedLess) {
  Cluster c = V100Cluster(1, 1, 10);
  c.recent_usage = {{"heavy", 1e6}, {"light", 10}};
  PendingJob a = Job(1, 1, 50, 0), b = Job(2, 1, 50, 5);
  a.group = "heavy";
  b.group = "light";
  auto r = RunPass(c, {a, b}, Preset("full"));
  EXPECT_EQ(PlacedIds(r), std::vector<int64_t>{2});
  // Without fair share the older job goes first.
  EXPECT_EQ(PlacedIds(RunPass(c, {a, b}, Preset("las"))), std::vector<int64_t>{1});
}

TEST(Ordering, AgeEventuallyBeatsFairShare) {
  PolicyConfig config = Preset("full");
  PendingJob old = Job(1, 1, 50, 0), fresh = Job(2, 1, 50, 0);
  old.group = "heavy";
  fresh.group = "light";
  double hours = config.fair_share_weight / config.age_weight + 1;
  fresh.submit_time = hours * 3600;
  Cluster c = V100Cluster(1, 1, fresh.submit_time);
  c.recent_usage = {{"heavy", 1e12}};  // a whole cluster's worth, the most it can count
  EXPECT_EQ(PlacedIds(RunPass(c, {old, fresh}, config)), std::vector<int64_t>{1});
}

TEST(Ordering, SmallerJobsFirstWithSizeWeight) {
  Cluster c = V100Cluster(1, 4);
  PolicyConfig config = Preset("fifo");
  config.size_weight = 5;
  auto r = RunPass(c, {Job(1, 4, 50, 0), Job(2, 1, 50, 10)}, config);
  EXPECT_EQ(PlacedIds(r).front(), 2);
}

TEST(Ordering, LeastAttainedServiceFirst) {
  Cluster c = V100Cluster(1, 1);
  PendingJob veteran = Job(1, 1, 50, 0), newcomer = Job(2, 1, 50, 50);
  veteran.attained_gpu_seconds = 50 * 3600;  // a preempted job that already ran a lot
  EXPECT_EQ(PlacedIds(RunPass(c, {veteran, newcomer}, Preset("las"))), std::vector<int64_t>{2});
  EXPECT_EQ(ServiceLevel(0, Preset("las")), 0);
  EXPECT_EQ(ServiceLevel(2 * 3600, Preset("las")), 1);
  EXPECT_EQ(ServiceLevel(1e12, Preset("las")), Preset("las").service_levels - 1);
}

TEST(Ordering, ShortestDeclaredTimeoutFirst) {
  Cluster c = V100Cluster(1, 1);
  PendingJob longer = Job(1, 1), shorter = Job(2, 1);
  longer.timeout = 36000;
  shorter.timeout = 60;
  EXPECT_EQ(PlacedIds(RunPass(c, {longer, shorter}, Preset("sjf"))), std::vector<int64_t>{2});
}

// ---------------------------------------------------------------- placement and filters

TEST(Placement, BestFitTakesTheFullestWorkerThatFits) {
  Cluster c = V100Cluster(3, 8);
  PutRunning(c, 100, 1, {0, 1, 2, 3, 4, 5});  // worker 1: 2 free
  PutRunning(c, 101, 2, {0, 1, 2, 3});        // worker 2: 4 free
  auto r = RunPass(c, {Job(1, 3)}, Preset("full"));
  ASSERT_NE(Placed(r, 1), nullptr);
  for (const auto& g : Placed(r, 1)->gpus) EXPECT_EQ(g.worker_id, 2);
  EXPECT_EQ(Placed(r, 1)->gpus, (std::vector<GpuSlot>{{2, 4}, {2, 5}, {2, 6}}));
}

Cluster MixedCluster() {
  Cluster c = MakeCluster({{"A100-80GB", 80, 8.0}, {"V100-16GB", 16, 7.0}, {"T4-16GB", 16, 7.5}});
  AddWorker(c, 1, 0, 4);
  AddWorker(c, 2, 1, 4);
  AddWorker(c, 3, 2, 4);
  return c;
}

int64_t WorkerOf(const PassResult& r, int64_t job) {
  const Assignment* a = Placed(r, job);
  return a ? a->gpus.front().worker_id : 0;
}

TEST(Placement, AJobNamingNoModelTakesTheLeastCapable) {
  Cluster c = MixedCluster();
  EXPECT_EQ(WorkerOf(RunPass(c, {Job(1, 2)}, Preset("full")), 1), 2);  // V100, cc 7.0
}

TEST(Placement, ModelMemoryAndComputeCapabilityFilters) {
  Cluster c = MixedCluster();
  PendingJob by_name = Job(1, 1), by_memory = Job(2, 1), by_cc = Job(3, 1);
  by_name.gpu_models = {"T4-16GB"};
  by_memory.min_gpu_memory_gb = 40;
  by_cc.min_compute_capability = 7.5;  // T4 and A100; the T4 is the less capable
  auto r = RunPass(c, {by_name, by_memory, by_cc}, Preset("full"));
  EXPECT_EQ(WorkerOf(r, 1), 3);
  EXPECT_EQ(WorkerOf(r, 2), 1);
  EXPECT_EQ(WorkerOf(r, 3), 3);
}

TEST(Placement, NoGpuOfItsModelIsExplained) {
  Cluster c = MixedCluster();
  PendingJob j = Job(1, 1);
  j.gpu_models = {"H100-80GB"};
  Scheduler s(Preset("full"));
  s.Enqueue(j);
  EXPECT_TRUE(s.Pass(c).assignments.empty());
  WaitExplanation e = s.Explain(c, 1);
  EXPECT_EQ(e.reason, WaitReason::kNoMatchingGpu);
  EXPECT_NE(e.text.find("H100-80GB"), std::string::npos);
}

TEST(Placement, ModelNamesMatchTheirFamily) {
  EXPECT_TRUE(GpuModelMatches("A100", "A100-80GB"));
  EXPECT_TRUE(GpuModelMatches("a100", "NVIDIA A100-SXM4-80GB"));
  EXPECT_TRUE(GpuModelMatches("H100", "NVIDIA H100 80GB HBM3"));
  EXPECT_TRUE(GpuModelMatches("A100-80GB", "A100-80GB"));
  EXPECT_FALSE(GpuModelMatches("A10", "A100-80GB"));
  EXPECT_FALSE(GpuModelMatches("A100", "A1000-8GB"));
  EXPECT_FALSE(GpuModelMatches("A100-40GB", "A100-80GB"));
  EXPECT_FALSE(GpuModelMatches("", "A100-80GB"));
  Cluster c = MixedCluster();
  PendingJob j = Job(1, 2);
  j.gpu_models = {"A100"};
  EXPECT_EQ(WorkerOf(RunPass(c, {j}, Preset("fifo")), 1), 1);
}

TEST(Placement, WithoutGangsALargerJobWaitsForALargerWorker) {
  Cluster c = MixedCluster();  // 4 GPUs of each model, one worker each
  AddWorker(c, 4, 1, 8);       // 8 V100s
  AddWorker(c, 5, 0, 4);       // 8 A100s in all, 4 on each worker
  PolicyConfig config = Preset("fifo");
  config.gangs = false;
  Scheduler s(config);
  PendingJob a100 = Job(1, 6), any = Job(2, 6);
  a100.gpu_models = {"A100-80GB"};
  s.Enqueue(a100);
  s.Enqueue(any);
  PassResult r = s.Pass(c);
  EXPECT_EQ(Placed(r, 1), nullptr);
  EXPECT_EQ(WorkerOf(r, 2), 4);  // the only worker with 6 of one model
  WaitExplanation e = s.Explain(c, 1);
  EXPECT_EQ(e.reason, WaitReason::kLargerThanWorker);
  EXPECT_NE(e.text.find("no worker has that many"), std::string::npos);
}

TEST(Explain, ManyJobsFromOneWalkGiveTheirPlaces) {
  Cluster c = V100Cluster(1, 2);
  Scheduler s(Preset("fifo"));
  for (int64_t id = 1; id <= 6; ++id) s.Enqueue(Job(id, 1, id == 5 ? 90 : 50));
  auto e = s.ExplainMany(c, {5, 1, 2, 6, 42});
  EXPECT_EQ(e[5].position, 0);
  EXPECT_EQ(e[5].reason, WaitReason::kStartsNow);
  EXPECT_EQ(e[1].position, 1);
  EXPECT_EQ(e[1].reason, WaitReason::kStartsNow);
  EXPECT_EQ(e[2].position, 2);
  EXPECT_EQ(e[2].reason, WaitReason::kNoFreeGpu);  // past where the pass stops: counted only
  EXPECT_EQ(e[6].position, 5);
  EXPECT_NE(e[6].text.find("5 jobs ahead"), std::string::npos);
  EXPECT_EQ(e[42].reason, WaitReason::kNotQueued);
}

TEST(Placement, UnusableGpusAreNotOffered) {
  Cluster c = V100Cluster(1, 2);
  c.workers[0].gpus[0].usable = false;
  auto r = RunPass(c, {Job(1, 1), Job(2, 1)}, Preset("full"));
  ASSERT_EQ(r.assignments.size(), 1u);
  EXPECT_EQ(r.assignments[0].gpus, (std::vector<GpuSlot>{{1, 1}}));
}

// ---------------------------------------------------------------- gangs

TEST(Gang, SpansTheFewestWorkers) {
  Cluster c = V100Cluster(4, 8);
  PutRunning(c, 100, 1, {0, 1, 2, 3});  // worker 1: 4 free; workers 2..4: 8 free
  auto r = RunPass(c, {Job(1, 12)}, Preset("full"));
  const Assignment* a = Placed(r, 1);
  ASSERT_NE(a, nullptr);
  std::set<int64_t> workers;
  std::set<std::pair<int64_t, int>> gpus;
  for (const auto& g : a->gpus) {
    workers.insert(g.worker_id);
    gpus.insert({g.worker_id, g.gpu_index});
  }
  EXPECT_EQ(gpus.size(), 12u);
  EXPECT_EQ(workers.size(), 2u);    // a whole worker, then the rest
  EXPECT_EQ(workers.count(1), 1u);  // the last 4 go to the best fit: the worker with 4 free
}

TEST(Gang, AllOrNothing) {
  Cluster c = V100Cluster(2, 8);
  PutRunning(c, 100, 1, {0, 1, 2, 3, 4});  // 3 + 8 = 11 free
  Scheduler s(Preset("fifo"));
  s.Enqueue(Job(1, 12));
  EXPECT_TRUE(s.Pass(c).assignments.empty());
  EXPECT_EQ(s.Explain(c, 1).reason, WaitReason::kGangNotSatisfiable);
}

TEST(Gang, AJobThatFitsOneWorkerIsNeverSplit) {
  Cluster c = V100Cluster(2, 8);
  PutRunning(c, 100, 1, {0, 1, 2, 3});
  PutRunning(c, 101, 2, {0, 1, 2, 3});  // 4 + 4 free, but a 6-GPU job fits one worker
  EXPECT_TRUE(RunPass(c, {Job(1, 6)}, Preset("fifo")).assignments.empty());
}

TEST(Gang, LargerThanTheClusterIsExplained) {
  Cluster c = V100Cluster(2, 8);
  Scheduler s(Preset("full"));
  s.Enqueue(Job(1, 32));
  EXPECT_EQ(s.Explain(c, 1).reason, WaitReason::kLargerThanCluster);
}

// ---------------------------------------------------------------- backfill

TEST(Backfill, ShortJobsRunInTheGapOnlyIfTheyEndBeforeTheReservation) {
  Cluster c = V100Cluster(1, 8, 0);
  PutRunning(c, 100, 1, {0, 1, 2, 3}, 50, false, 0, 100);  // ends by t=100
  PendingJob head = Job(1, 8, 50, 0), fits = Job(2, 2, 50, 1), too_long = Job(3, 2, 50, 2),
             no_timeout = Job(4, 1, 50, 3);
  fits.timeout = 50;
  too_long.timeout = 500;
  PolicyConfig config = Preset("fairshare");
  config.size_weight = 0;  // the order is by age alone here
  Scheduler s(config);
  for (const auto& j : {head, fits, too_long, no_timeout}) s.Enqueue(j);
  PassResult r = s.Pass(c);
  EXPECT_EQ(r.reserved_for, 1);
  EXPECT_DOUBLE_EQ(r.reservation_start, 100);
  EXPECT_EQ(PlacedIds(r), std::vector<int64_t>{2});
  EXPECT_EQ(s.Explain(c, 1).reason, WaitReason::kReservedForIt);
  EXPECT_EQ(s.Explain(c, 3).reason, WaitReason::kBehindReservation);
  EXPECT_EQ(s.Explain(c, 4).reason, WaitReason::kBehindReservation);
  // The seed's queue has no reservation: the small jobs take the gap and the big one waits.
  PassResult fifo = RunPass(c, {head, fits, too_long, no_timeout}, Preset("fifo"));
  EXPECT_EQ(PlacedIds(fifo), (std::vector<int64_t>{2, 3}));
}

TEST(Backfill, WorkersOutsideTheReservationStayOpen) {
  Cluster c = V100Cluster(2, 8);
  PutRunning(c, 100, 1, {0, 1, 2, 3, 4, 5});  // worker 1: 2 free, no timeout
  PutRunning(c, 101, 2, {0, 1, 2, 3});        // worker 2: 4 free, the one reserved (most free)
  PendingJob head = Job(1, 8, 50, 0), small = Job(2, 2, 50, 1), middle = Job(3, 3, 50, 2);
  PolicyConfig config = Preset("fairshare");
  config.size_weight = 0;
  PassResult r = RunPass(c, {head, small, middle}, config);
  EXPECT_EQ(r.reserved_for, 1);
  EXPECT_EQ(r.reservation_start, kNever);  // its blockers declared no timeout
  EXPECT_EQ(WorkerOf(r, 2), 1);
  EXPECT_EQ(Placed(r, 3), nullptr);  // only the reserved worker has 3 free
}

// ---------------------------------------------------------------- preemption

TEST(Preemption, HighPriorityStopsLowerPreemptibleJobs) {
  Cluster c = V100Cluster(1, 4, 10000);
  PutRunning(c, 100, 1, {0, 1}, 10, true, 0);
  PutRunning(c, 101, 1, {2, 3}, 10, false, 0);  // not preemptible
  Scheduler s(Preset("full"));
  s.Enqueue(Job(1, 2, 90, 9000));
  PassResult r = s.Pass(c);
  EXPECT_TRUE(r.assignments.empty());  // it starts once the victim has drained
  EXPECT_EQ(r.preempted, std::vector<int64_t>{100});
  EXPECT_EQ(r.preempted_for, std::vector<int64_t>{1});
  EXPECT_EQ(s.Explain(c, 1).reason, WaitReason::kWaitingForPreemption);

  // While the victim drains, nothing more is preempted for the job.
  c.running[0].draining = true;
  EXPECT_TRUE(s.Pass(c).preempted.empty());
}

TEST(Preemption, EqualRankMinimumRunAndMarginProtectJobs) {
  PolicyConfig config = Preset("full");
  Cluster c = V100Cluster(1, 2, 10000);
  PutRunning(c, 100, 1, {0, 1}, 50, true, 0);
  EXPECT_TRUE(RunPass(c, {Job(1, 2, 50, 9000)}, config).preempted.empty());  // equal rank
  c.running[0].start_time = c.now - config.min_run_s / 2;
  c.running[0].priority = 10;
  EXPECT_TRUE(RunPass(c, {Job(1, 2, 90, 9000)}, config).preempted.empty());  // too fresh
  c.running[0].start_time = 0;
  EXPECT_EQ(RunPass(c, {Job(1, 2, 90, 9000)}, config).preempted, std::vector<int64_t>{100});
  config.preemption = false;
  EXPECT_TRUE(RunPass(c, {Job(1, 2, 90, 9000)}, config).preempted.empty());
}

TEST(Preemption, LongRunningJobsYieldToNewOnes) {
  PolicyConfig config = Preset("las");
  Cluster c = V100Cluster(1, 1, 100000);
  RunningJob& veteran = PutRunning(c, 100, 1, {0}, 50, true, 0);
  veteran.attained_gpu_seconds = 100000;  // level 2
  PassResult r = RunPass(c, {Job(1, 1, 50, 99000)}, config);
  EXPECT_EQ(r.preempted, std::vector<int64_t>{100});
}

TEST(Preemption, PicksTheFewestGpusOfTheLowestRank) {
  Cluster c = V100Cluster(2, 4, 10000);
  PutRunning(c, 100, 1, {0, 1, 2, 3}, 10, true, 0);  // 4 GPUs
  PutRunning(c, 101, 2, {0}, 10, true, 0);           // 1 GPU on a worker with 3 free
  PassResult r = RunPass(c, {Job(1, 4, 90, 9000)}, Preset("full"));
  EXPECT_EQ(r.preempted, std::vector<int64_t>{101});
}

TEST(Preemption, WakeAtTellsWhenAVictimBecomesEligible) {
  PolicyConfig config = Preset("full");
  Cluster c = V100Cluster(1, 1, 100);
  PutRunning(c, 100, 1, {0}, 10, true, 50);
  PassResult r = RunPass(c, {Job(1, 1, 90, 99)}, config);
  EXPECT_TRUE(r.preempted.empty());
  EXPECT_DOUBLE_EQ(r.wake_at, 50 + config.min_run_s);
}

// ---------------------------------------------------------------- quotas

TEST(Quota, CapsTheGpusAGroupHolds) {
  PolicyConfig config = *ParsePolicyConfig("preset=fifo,quota.group.g=3");
  Cluster c = V100Cluster(1, 8);
  PutRunning(c, 100, 1, {0});
  Scheduler s(config);
  s.Enqueue(Job(1, 4, 90));
  s.Enqueue(Job(2, 2));
  s.Enqueue(Job(3, 1));
  PassResult r = s.Pass(c);
  EXPECT_EQ(PlacedIds(r), std::vector<int64_t>{2});  // 1 held + 2 = 3; then no room under the cap
  EXPECT_EQ(s.Explain(c, 1).reason, WaitReason::kQuota);
  EXPECT_EQ(s.Explain(c, 3).reason, WaitReason::kQuota);
}

// ---------------------------------------------------------------- queue and explanation

TEST(Scheduler, QueueReplaceAndRemove) {
  Scheduler s(Preset("full"));
  s.Enqueue(Job(1, 1));
  s.Enqueue(Job(1, 2));  // replaces
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.Find(1)->gpus, 2);
  EXPECT_TRUE(s.Remove(1));
  EXPECT_FALSE(s.Remove(1));
  EXPECT_EQ(s.Explain(V100Cluster(1, 1), 1).reason, WaitReason::kNotQueued);
}

TEST(Scheduler, ExplainGivesThePlaceInLine) {
  Cluster c = V100Cluster(1, 1);
  Scheduler s(Preset("las"));
  for (int i = 1; i <= 5; ++i) s.Enqueue(Job(i, 1, 50, i));
  WaitExplanation first = s.Explain(c, 1), last = s.Explain(c, 5);
  EXPECT_EQ(first.reason, WaitReason::kStartsNow);
  EXPECT_EQ(first.position, 0);
  EXPECT_EQ(last.reason, WaitReason::kNoFreeGpu);
  EXPECT_EQ(last.position, 4);
  EXPECT_NE(last.text.find("4 jobs ahead"), std::string::npos);
}

TEST(FairShareLedger, DecaysWithTheHalfLife) {
  FairShareLedger ledger(100);
  ledger.Advance(0, {{"a", 2}});
  ledger.Advance(100, {});
  double after_one = ledger.usage().at("a");
  // 2 GPUs for one half-life: 2 * (1 - 1/2) * 100 / ln 2.
  EXPECT_NEAR(after_one, 2 * 0.5 * 100 / std::log(2.0), 1e-9);
  ledger.Advance(200, {});
  EXPECT_NEAR(ledger.usage().at("a"), after_one / 2, 1e-9);
}

}  // namespace
}  // namespace yard::sched
