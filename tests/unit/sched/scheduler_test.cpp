#include "sched/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace yard::sched {
namespace {

WorkerSnapshot Worker(int64_t id, std::vector<int> free_gpus, int cpu_slots = 0) {
  return WorkerSnapshot{id, std::move(free_gpus), cpu_slots};
}

QueuedJob Job(int64_t id, int gpus, int priority = 50, int64_t seq = -1) {
  return QueuedJob{id, gpus, priority, seq < 0 ? id : seq};
}

const Placement* Find(const std::vector<Placement>& ps, int64_t job_id) {
  for (const auto& p : ps)
    if (p.job_id == job_id) return &p;
  return nullptr;
}

std::vector<int64_t> Ids(const std::vector<QueuedJob>& q) {
  std::vector<int64_t> ids;
  for (const auto& j : q) ids.push_back(j.id);
  return ids;
}

// ---------------------------------------------------------------- ordering

TEST(OrderQueue, PriorityThenSubmissionOrder) {
  std::vector<QueuedJob> q = {Job(1, 1, 50, 10), Job(2, 1, 90, 30), Job(3, 1, 50, 5),
                              Job(4, 1, 90, 20), Job(5, 1, 0, 1),   Job(6, 1, 100, 99)};
  OrderQueue(q);
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{6, 4, 2, 3, 1, 5}));
}

TEST(OrderQueue, IdBreaksFullTies) {
  std::vector<QueuedJob> q = {Job(9, 1, 50, 7), Job(3, 1, 50, 7), Job(5, 1, 50, 7)};
  OrderQueue(q);
  EXPECT_EQ(Ids(q), (std::vector<int64_t>{3, 5, 9}));
  EXPECT_FALSE(ComesBefore(q[0], q[0]));  // a strict order
}

TEST(Schedule, HigherPriorityGetsTheLastGpu) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0})};
  std::vector<QueuedJob> q = {Job(1, 1, 10, 1), Job(2, 1, 90, 2)};
  OrderQueue(q);
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].job_id, 2);
  EXPECT_EQ(ps[0].gpus, std::vector<int>{0});
}

TEST(Schedule, EarlierSubmissionWinsAtEqualPriority) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1})};
  std::vector<QueuedJob> q = {Job(7, 1, 50, 3), Job(8, 1, 50, 1), Job(9, 1, 50, 2)};
  OrderQueue(q);
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].job_id, 8);
  EXPECT_EQ(ps[1].job_id, 9);
  EXPECT_EQ(Find(ps, 7), nullptr);
}

// ---------------------------------------------------------------- placement

TEST(Schedule, OnlyFreeGpusAreGiven) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {5, 2, 7})};
  std::vector<QueuedJob> q = {Job(1, 2), Job(2, 1), Job(3, 1)};
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 2u);
  std::set<int> given;
  for (const auto& p : ps) {
    EXPECT_EQ(p.worker_id, 1);
    for (int g : p.gpus) {
      EXPECT_TRUE(g == 2 || g == 5 || g == 7) << g;
      EXPECT_TRUE(given.insert(g).second) << "GPU " << g << " given twice";
    }
  }
  EXPECT_EQ(Find(ps, 1)->gpus.size(), 2u);
  EXPECT_EQ(Find(ps, 2)->gpus.size(), 1u);
  EXPECT_EQ(Find(ps, 3), nullptr);
  EXPECT_EQ(given, (std::set<int>{2, 5, 7}));
}

TEST(Schedule, NothingFreeNothingPlaced) {
  EXPECT_TRUE(Schedule({Worker(1, {}), Worker(2, {})}, {Job(1, 1), Job(2, 0)}).empty());
  EXPECT_TRUE(Schedule({}, {Job(1, 1)}).empty());
  EXPECT_TRUE(Schedule({Worker(1, {0, 1}, 2)}, {}).empty());
}

TEST(Schedule, MultiGpuJobIsNeverSplitAcrossWorkers) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2}), Worker(2, {0, 1})};
  auto ps = Schedule(workers, {Job(1, 4)});
  EXPECT_TRUE(ps.empty()) << "5 free GPUs, but no worker has 4";
}

TEST(Schedule, MultiGpuJobOnTheWorkerWithEnough) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2}), Worker(2, {0, 1, 2, 3}),
                                         Worker(3, {4})};
  auto ps = Schedule(workers, {Job(1, 4)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].worker_id, 2);
  EXPECT_EQ(ps[0].gpus, (std::vector<int>{0, 1, 2, 3}));
}

TEST(Schedule, BestFitPicksFewestFreeThatFit) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2, 3, 4, 5, 6, 7}), Worker(2, {0, 1}),
                                         Worker(3, {0}), Worker(4, {0, 1, 2, 3})};
  // A 2-GPU job goes to worker 2 (exactly 2), not the big holes.
  auto ps = Schedule(workers, {Job(1, 2)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].worker_id, 2);
  // A 1-GPU job fills worker 3's single GPU.
  ps = Schedule(workers, {Job(1, 1)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].worker_id, 3);
  // A 3-GPU job takes the 4-hole, keeping the 8-hole whole.
  ps = Schedule(workers, {Job(1, 3)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].worker_id, 4);
}

TEST(Schedule, BestFitSeesWhatEarlierPlacementsTook) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2, 3}), Worker(2, {0, 1, 2})};
  // Job 1 (2 GPUs) -> worker 2 (3 free, fewest that fit), leaving 1 there.
  // Job 2 (2 GPUs) -> worker 1 (worker 2 has 1 left).
  // Job 3 (1 GPU)  -> worker 2's last GPU.
  // Job 4 (2 GPUs) -> worker 1's last 2.
  auto ps = Schedule(workers, {Job(1, 2), Job(2, 2), Job(3, 1), Job(4, 2)});
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(Find(ps, 1)->worker_id, 2);
  EXPECT_EQ(Find(ps, 2)->worker_id, 1);
  EXPECT_EQ(Find(ps, 3)->worker_id, 2);
  EXPECT_EQ(Find(ps, 4)->worker_id, 1);
  EXPECT_EQ(Find(ps, 1)->gpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(Find(ps, 3)->gpus, (std::vector<int>{2}));
  EXPECT_EQ(Find(ps, 2)->gpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(Find(ps, 4)->gpus, (std::vector<int>{2, 3}));
}

TEST(Schedule, JobThatDoesNotFitIsPassedOver) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2}), Worker(2, {0, 1})};
  std::vector<QueuedJob> q = {Job(1, 4, 90), Job(2, 1, 50), Job(3, 2, 50),
                              Job(4, 8, 40), Job(5, 2, 20), Job(6, 1, 10)};
  OrderQueue(q);
  auto ps = Schedule(workers, q);
  // Job 1 (4 GPUs) fits nowhere. Job 2 (1 GPU) best-fits onto worker 2 (2 free), job 3
  // (2 GPUs) onto worker 1 (3 free; worker 2 has 1 left). Job 4 (8) fits nowhere, nor job 5 (2):
  // each worker has 1 left. Job 6 (1 GPU) takes worker 1's last GPU (a tie: the first worker).
  EXPECT_EQ(Find(ps, 1), nullptr);
  EXPECT_EQ(Find(ps, 4), nullptr);
  EXPECT_EQ(Find(ps, 5), nullptr);
  ASSERT_NE(Find(ps, 2), nullptr);
  ASSERT_NE(Find(ps, 3), nullptr);
  ASSERT_NE(Find(ps, 6), nullptr);
  EXPECT_EQ(ps.size(), 3u);
  EXPECT_EQ(Find(ps, 2)->worker_id, 2);
  EXPECT_EQ(Find(ps, 2)->gpus, std::vector<int>{0});
  EXPECT_EQ(Find(ps, 3)->worker_id, 1);
  EXPECT_EQ(Find(ps, 3)->gpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(Find(ps, 6)->worker_id, 1);
  EXPECT_EQ(Find(ps, 6)->gpus, std::vector<int>{2});
}

TEST(Schedule, PassedOverWhenSpreadThenSmallerStart) {
  // Worker 1 has 3 free and worker 2 has 2: the 4-GPU job waits, the 2-GPU job behind it starts.
  std::vector<WorkerSnapshot> workers = {Worker(1, {0, 1, 2}), Worker(2, {4, 6})};
  std::vector<QueuedJob> q = {Job(1, 4, 100), Job(2, 2, 50)};
  OrderQueue(q);
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].job_id, 2);
  EXPECT_EQ(ps[0].worker_id, 2);
  EXPECT_EQ(ps[0].gpus, (std::vector<int>{4, 6}));
}

TEST(Schedule, NegativeOrHugeGpuRequestsArePassedOver) {
  auto ps = Schedule({Worker(1, {0, 1}, 1)}, {Job(1, -1), Job(2, 1'000'000), Job(3, 1)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].job_id, 3);
}

// ---------------------------------------------------------------- CPU jobs

TEST(Schedule, CpuJobsUseCpuSlotsNotGpus) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {0}, 1), Worker(2, {}, 3)};
  std::vector<QueuedJob> q = {Job(1, 0), Job(2, 0), Job(3, 0), Job(4, 0), Job(5, 0), Job(6, 1)};
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 5u);
  int on1 = 0, on2 = 0;
  for (const auto& p : ps) {
    if (p.job_id == 6) {
      EXPECT_EQ(p.worker_id, 1);
      EXPECT_EQ(p.gpus, std::vector<int>{0});
      continue;
    }
    EXPECT_TRUE(p.gpus.empty()) << "CPU job " << p.job_id << " got a GPU";
    (p.worker_id == 1 ? on1 : on2)++;
  }
  EXPECT_EQ(on1, 1);
  EXPECT_EQ(on2, 3);
  EXPECT_EQ(Find(ps, 5), nullptr);  // 4 slots for 5 CPU jobs
  // The worker with the most slots is taken first.
  EXPECT_EQ(Find(ps, 1)->worker_id, 2);
}

TEST(Schedule, CpuJobsWithoutSlotsWait) {
  auto ps = Schedule({Worker(1, {0, 1}, 0), Worker(2, {}, -2)}, {Job(1, 0), Job(2, 2)});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].job_id, 2);
}

TEST(Schedule, CpuJobsBehindFullGpusStillStart) {
  // Every GPU is taken by the first job; a CPU job further back still gets a slot.
  auto ps = Schedule({Worker(1, {0, 1}, 1)}, {Job(1, 2), Job(2, 1), Job(3, 0)});
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_NE(Find(ps, 1), nullptr);
  ASSERT_NE(Find(ps, 3), nullptr);
  EXPECT_TRUE(Find(ps, 3)->gpus.empty());
}

TEST(Schedule, InputIsNotModified) {
  std::vector<WorkerSnapshot> workers = {Worker(1, {3, 1, 2}, 2)};
  std::vector<QueuedJob> q = {Job(1, 2), Job(2, 0)};
  auto ps = Schedule(workers, q);
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(workers[0].free_gpus, (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(workers[0].free_cpu_slots, 2);
}

// ---------------------------------------------------------------- property

// Random small clusters and queues: no GPU is double-booked, every GPU given was free, every
// job gets exactly what it asked for, and no job is placed twice.
TEST(ScheduleProperty, NeverDoubleBooks) {
  std::mt19937 rng(20240611);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  size_t total_placements = 0, total_multi_gpu = 0;
  for (int round = 0; round < 1000; ++round) {
    std::vector<WorkerSnapshot> workers;
    int n_workers = uniform(0, 5);
    for (int w = 0; w < n_workers; ++w) {
      WorkerSnapshot snap;
      snap.id = 100 + w;
      int installed = uniform(0, 8);
      for (int g = 0; g < installed; ++g)
        if (uniform(0, 2) != 0) snap.free_gpus.push_back(g);
      std::shuffle(snap.free_gpus.begin(), snap.free_gpus.end(), rng);
      snap.free_cpu_slots = uniform(-1, 3);
      workers.push_back(std::move(snap));
    }
    std::vector<QueuedJob> queue;
    int n_jobs = uniform(0, 12);
    for (int j = 0; j < n_jobs; ++j)
      queue.push_back(QueuedJob{j + 1, uniform(0, 5), uniform(0, 100), uniform(0, 20)});
    OrderQueue(queue);
    for (size_t i = 1; i < queue.size(); ++i) ASSERT_FALSE(ComesBefore(queue[i], queue[i - 1]));

    std::vector<Placement> ps = Schedule(workers, queue);

    std::map<int64_t, const WorkerSnapshot*> by_id;
    for (const auto& w : workers) by_id[w.id] = &w;
    std::map<int64_t, const QueuedJob*> job_by_id;
    for (const auto& j : queue) job_by_id[j.id] = &j;
    std::map<int64_t, std::set<int>> used;
    std::map<int64_t, int> cpu_used;
    std::set<int64_t> placed;
    for (const auto& p : ps) {
      SCOPED_TRACE("round " + std::to_string(round) + " job " + std::to_string(p.job_id));
      ASSERT_TRUE(placed.insert(p.job_id).second) << "placed twice";
      ASSERT_TRUE(job_by_id.count(p.job_id)) << "not in the queue";
      ASSERT_TRUE(by_id.count(p.worker_id)) << "unknown worker " << p.worker_id;
      const QueuedJob& job = *job_by_id[p.job_id];
      const WorkerSnapshot& w = *by_id[p.worker_id];
      ASSERT_EQ(p.gpus.size(), static_cast<size_t>(job.gpus));
      if (job.gpus == 0) ++cpu_used[w.id];
      if (job.gpus > 1) ++total_multi_gpu;
      for (int g : p.gpus) {
        EXPECT_NE(std::find(w.free_gpus.begin(), w.free_gpus.end(), g), w.free_gpus.end())
            << "GPU " << g << " was not free on worker " << w.id;
        EXPECT_TRUE(used[w.id].insert(g).second) << "GPU " << g << " double-booked";
      }
    }
    for (const auto& [wid, n] : cpu_used) EXPECT_LE(n, std::max(0, by_id[wid]->free_cpu_slots));

    // Work-conserving in the small: a job left out must not fit anywhere after all placements.
    std::map<int64_t, size_t> gpus_left;
    std::map<int64_t, int> cpu_left;
    for (const auto& w : workers) {
      gpus_left[w.id] = w.free_gpus.size() - used[w.id].size();
      cpu_left[w.id] = std::max(0, w.free_cpu_slots) - cpu_used[w.id];
    }
    for (const auto& j : queue) {
      if (placed.count(j.id)) continue;
      for (const auto& w : workers) {
        if (j.gpus == 0) {
          EXPECT_EQ(cpu_left[w.id], 0)
              << "round " << round << ": CPU job " << j.id << " left waiting beside a free slot";
        } else {
          EXPECT_LT(gpus_left[w.id], static_cast<size_t>(j.gpus))
              << "round " << round << ": job " << j.id << " left waiting though worker " << w.id
              << " has room";
        }
      }
    }
    total_placements += ps.size();
  }
  // The generator must actually exercise the scheduler.
  EXPECT_GT(total_placements, 2000u);
  EXPECT_GT(total_multi_gpu, 300u);
}

}  // namespace
}  // namespace yard::sched
