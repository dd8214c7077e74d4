#include "master/cluster_state.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace yard {
namespace {

bool SamePlacements(const std::vector<sched::Placement>& a,
                    const std::vector<sched::Placement>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].job_id != b[i].job_id || a[i].worker_id != b[i].worker_id || a[i].gpus != b[i].gpus)
      return false;
  return true;
}

Job Queued(int64_t id, int gpus, int priority) {
  Job job;
  job.id = id;
  job.state = JobState::kQueued;
  job.spec.resources.gpus = gpus;
  job.spec.priority = priority;
  return job;
}

// Workers 1..n with `gpus` GPUs and `cpu` CPU slots each.
void AddWorkers(ClusterState& state, int n, int gpus, int cpu) {
  for (int w = 1; w <= n; ++w) {
    WorkerRecord record;
    record.id = w;
    record.name = "w" + std::to_string(w);
    record.cpu_slots = cpu;
    for (int g = 0; g < gpus; ++g) record.gpus.push_back({g, "uuid", "model", 0, ""});
    state.UpsertWorker(record, cpu);
  }
}

// A job running on worker `w` holding `gpus`.
Job Running(int64_t id, int64_t w, std::vector<int> gpus) {
  Job job = Queued(id, static_cast<int>(gpus.size()), 50);
  job.state = JobState::kRunning;
  job.worker_id = w;
  for (int g : gpus) job.gpus.push_back({"w" + std::to_string(w), g, "uuid", "model"});
  return job;
}

TEST(ClusterStateTest, CandidateQueueTakesPerDemandOnlyWhatFreeCapacityCouldHold) {
  ClusterState state;
  AddWorkers(state, 2, 4, 1);
  state.Apply(Running(1000, 1, {0, 1, 2}));  // worker 1: GPU 3 free; worker 2: all 4 free
  int64_t id = 1;
  for (int i = 0; i < 10; ++i) state.Apply(Queued(id++, 1, 50));
  for (int i = 0; i < 10; ++i) state.Apply(Queued(id++, 2, 50));
  for (int i = 0; i < 10; ++i) state.Apply(Queued(id++, 8, 50));
  for (int i = 0; i < 10; ++i) state.Apply(Queued(id++, 0, 50));
  ASSERT_EQ(state.queued_count(), 40u);
  auto workers = state.WorkerSnapshots();
  auto queue = state.CandidateQueue(workers);
  // 5 free GPUs: five 1-GPU jobs, two 2-GPU jobs, no 8-GPU job; 2 CPU slots: two CPU jobs.
  std::map<int, int> by_demand;
  for (const auto& q : queue) ++by_demand[q.gpus];
  EXPECT_EQ(by_demand, (std::map<int, int>{{0, 2}, {1, 5}, {2, 2}}));
  // In scheduling order, and the first of each demand.
  std::vector<int64_t> ids;
  for (const auto& q : queue) ids.push_back(q.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 4, 5, 11, 12, 31, 32}));
}

TEST(ClusterStateTest, FullWorkersAreNotOffered) {
  ClusterState state;
  AddWorkers(state, 3, 2, 0);
  state.Apply(Running(100, 1, {0, 1}));
  state.Apply(Running(101, 2, {0}));
  auto workers = state.WorkerSnapshots();
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(workers[0].id, 2);
  EXPECT_EQ(workers[0].free_gpus, std::vector<int>{1});
  EXPECT_EQ(workers[1].id, 3);
}

TEST(ClusterStateTest, CountsFollowJobsThroughTheirStates) {
  ClusterState state;
  AddWorkers(state, 1, 2, 0);
  state.Apply(Queued(1, 1, 50));
  state.Apply(Queued(2, 1, 50));
  EXPECT_EQ(state.counts_by_state(), (std::map<JobState, int>{{JobState::kQueued, 2}}));
  state.Apply(Running(1, 1, {0}));
  EXPECT_EQ(state.counts_by_state(),
            (std::map<JobState, int>{{JobState::kQueued, 1}, {JobState::kRunning, 1}}));
  EXPECT_EQ(state.queued_count(), 1u);
  Job done = Running(1, 1, {0});
  done.state = JobState::kSucceeded;
  state.Apply(done);
  EXPECT_EQ(state.counts_by_state(), (std::map<JobState, int>{{JobState::kQueued, 1}}));
  EXPECT_EQ(state.FindJob(1), nullptr);
}

// The candidate queue must not change what the policy decides: on random clusters and queues,
// scheduling from it places exactly what scheduling from the whole queue places.
TEST(ClusterStateTest, PolicyDecidesTheSameFromTheCandidateQueueAsFromTheWholeQueue) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    ClusterState state;
    int n = 1 + static_cast<int>(rng() % 6);
    int gpus = 1 + static_cast<int>(rng() % 8);
    AddWorkers(state, n, gpus, static_cast<int>(rng() % 3));
    int64_t id = 1;
    for (int w = 1; w <= n; ++w) {
      std::vector<int> held;
      for (int g = 0; g < gpus; ++g)
        if (rng() % 2) held.push_back(g);
      if (!held.empty()) state.Apply(Running(100000 + id++, w, held));
    }
    int queued = static_cast<int>(rng() % 60);
    static const int kDemands[] = {0, 1, 1, 1, 2, 3, 4, 8};
    for (int i = 0; i < queued; ++i)
      state.Apply(Queued(id++, kDemands[rng() % 8], static_cast<int>(rng() % 3) * 25));
    auto workers = state.WorkerSnapshots();
    auto whole = sched::Schedule(workers, state.QueueInOrder());
    auto candidates = sched::Schedule(workers, state.CandidateQueue(workers));
    ASSERT_TRUE(SamePlacements(whole, candidates)) << "round " << round;
  }
}

}  // namespace
}  // namespace yard
