// Property tests over random small workloads (seeded): a tiny driver runs passes to completion
// and checks the invariants after every pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "sched/policy.h"
#include "sched_fixtures.h"
#include "seed_schedule.h"

namespace yard::sched {
namespace {

using namespace fixtures;  // NOLINT

struct Hidden {
  double duration;  // the driver knows it; the policy never does
  double end = -1;
  double drained_at = -1;
  bool done = false, started = false;
  std::vector<GpuSlot> gpus;
};

class Driver {
 public:
  Driver(uint32_t seed, const std::string& preset) : rng_(seed) {
    config_ = Preset(preset);
    std::uniform_int_distribution<int> workers(2, 4), gpus(2, 8), coin(0, 1);
    cluster_ = MakeCluster({{"V100-16GB", 16, 7.0}, {"A100-80GB", 80, 8.0}});
    int n = workers(rng_);
    for (int w = 1; w <= n; ++w) AddWorker(cluster_, w, coin(rng_), gpus(rng_));
    int per_model[2] = {0, 0}, max_one[2] = {0, 0};
    for (const auto& w : cluster_.workers) {
      per_model[w.gpus[0].model] += static_cast<int>(w.gpus.size());
      max_one[w.gpus[0].model] =
          std::max(max_one[w.gpus[0].model], static_cast<int>(w.gpus.size()));
    }
    if (coin(rng_)) {  // a quota that every job can live with
      config_.group_quota["a"] = std::max(per_model[0], per_model[1]);
      config_.user_quota["u1"] = std::max(per_model[0], per_model[1]) - 1;
    }
    scheduler_.emplace(config_);
    std::uniform_int_distribution<int> jobs(10, 40), prio(0, 2), group(0, 2);
    std::uniform_real_distribution<double> submit(0, 300), duration(10, 400);
    int count = jobs(rng_);
    for (int i = 1; i <= count; ++i) {
      PendingJob j = Job(i, 1, 10 + 40 * prio(rng_), std::floor(submit(rng_)));
      j.group = std::string(1, static_cast<char>('a' + group(rng_)));
      j.user = "u" + std::to_string(group(rng_));
      j.preemptible = coin(rng_);
      int model = coin(rng_);
      if (per_model[model] == 0) model = 1 - model;
      if (coin(rng_)) j.gpu_models = {cluster_.models[model].name};
      int total = j.gpu_models.empty() ? per_model[0] + per_model[1] : per_model[model];
      int largest = j.gpu_models.empty() ? std::max(max_one[0], max_one[1]) : max_one[model];
      std::uniform_int_distribution<int> size(1, coin(rng_) ? largest : std::max(1, total / 2));
      j.gpus = size(rng_);
      if (auto cap = config_.user_quota.find(j.user); cap != config_.user_quota.end())
        j.gpus = std::min(j.gpus, cap->second);
      Hidden h{std::floor(duration(rng_))};
      if (coin(rng_)) j.timeout = h.duration + 5;  // declared timeouts hold
      pending_.push_back(j);
      hidden_[i] = h;
    }
  }

  // Runs to completion; returns the number of steps.
  void RunToCompletion() {
    const double step = 10;
    double now = 0;
    size_t done = 0;
    for (int iteration = 0; iteration < 20000 && done < hidden_.size(); ++iteration, now += step) {
      cluster_.now = now;
      // Ends and drains first, as a master hears of them before it schedules.
      for (size_t i = 0; i < cluster_.running.size();) {
        RunningJob& r = cluster_.running[i];
        Hidden& h = hidden_[r.id];
        bool ends = !r.draining && h.end <= now;
        bool drained = r.draining && h.drained_at <= now;
        if (!ends && !drained) {
          r.attained_gpu_seconds += r.gpus * step;
          ++i;
          continue;
        }
        for (const auto& g : h.gpus) GpuOf(g).job_id = 0;
        h.gpus.clear();
        if (ends) {
          h.done = true;
          ++done;
        } else {
          PendingJob again = jobs_.at(r.id);
          again.attained_gpu_seconds = r.attained_gpu_seconds;
          jobs_[r.id] = again;
          scheduler_->Enqueue(again);
        }
        cluster_.running.erase(cluster_.running.begin() + static_cast<long>(i));
      }
      for (const auto& j : pending_)
        if (j.submit_time <= now && !jobs_.count(j.id)) {
          jobs_[j.id] = j;
          scheduler_->Enqueue(j);
        }
      PassResult r = scheduler_->Pass(cluster_);
      Check(r);
      if (::testing::Test::HasFailure()) return;
      Apply(r, now);
    }
    EXPECT_EQ(done, hidden_.size()) << "every job eventually runs (preset " << config_.name << ", "
                                    << scheduler_->size() << " still queued)";
  }

 private:
  WorkerGpu& GpuOf(const GpuSlot& s) { return cluster_.workers[s.worker_id - 1].gpus[s.gpu_index]; }

  void Check(const PassResult& r) {
    std::set<std::pair<int64_t, int>> taken;
    std::map<std::string, int> by_group, by_user;
    for (const auto& run : cluster_.running) {
      by_group[run.group] += run.gpus;
      by_user[run.user] += run.gpus;
    }
    for (const auto& a : r.assignments) {
      const PendingJob& j = jobs_.at(a.job_id);
      ASSERT_EQ(static_cast<int>(a.gpus.size()), j.gpus) << "all of a gang or nothing";
      std::set<int64_t> workers;
      std::set<int> models;
      for (const auto& g : a.gpus) {
        ASSERT_TRUE(taken.insert({g.worker_id, g.gpu_index}).second) << "GPU given twice";
        ASSERT_EQ(GpuOf(g).job_id, 0) << "GPU already held";
        workers.insert(g.worker_id);
        models.insert(GpuOf(g).model);
      }
      ASSERT_EQ(models.size(), 1u) << "one model per job";
      int model = *models.begin();
      if (!j.gpu_models.empty()) {
        EXPECT_EQ(j.gpu_models[0], cluster_.models[model].name);
      }
      int largest = 0;
      for (const auto& w : cluster_.workers)
        if (w.gpus[0].model == model) largest = std::max(largest, static_cast<int>(w.gpus.size()));
      if (j.gpus <= largest) {
        EXPECT_EQ(workers.size(), 1u) << "fits one worker: not split";
      }
      by_group[j.group] += j.gpus;
      by_user[j.user] += j.gpus;
    }
    for (const auto& [who, cap] : config_.group_quota) EXPECT_LE(by_group[who], cap);
    for (const auto& [who, cap] : config_.user_quota) EXPECT_LE(by_user[who], cap);
    for (int64_t id : r.preempted) {
      auto it = std::find_if(cluster_.running.begin(), cluster_.running.end(),
                             [&](const RunningJob& run) { return run.id == id; });
      ASSERT_NE(it, cluster_.running.end());
      EXPECT_TRUE(it->preemptible);
      EXPECT_FALSE(it->draining);
    }
  }

  void Apply(const PassResult& r, double now) {
    for (const auto& a : r.assignments) {
      const PendingJob& j = jobs_.at(a.job_id);
      Hidden& h = hidden_[a.job_id];
      for (const auto& g : a.gpus) GpuOf(g).job_id = a.job_id;
      h.gpus = a.gpus;
      h.end = now + h.duration;  // a preempted job starts over: the simplest honest model
      RunningJob run;
      run.id = j.id;
      run.user = j.user;
      run.group = j.group;
      run.gpus = j.gpus;
      run.priority = j.priority;
      run.preemptible = j.preemptible;
      run.submit_time = j.submit_time;
      run.start_time = now;
      run.timeout = j.timeout;
      run.attained_gpu_seconds = j.attained_gpu_seconds;
      cluster_.running.push_back(run);
      scheduler_->Remove(a.job_id);
    }
    for (int64_t id : r.preempted) {
      for (auto& run : cluster_.running)
        if (run.id == id) run.draining = true;
      hidden_[id].drained_at = now + 10;
    }
  }

  std::mt19937 rng_;
  PolicyConfig config_;
  Cluster cluster_;
  std::optional<Scheduler> scheduler_;
  std::vector<PendingJob> pending_;
  std::map<int64_t, PendingJob> jobs_;  // arrived
  std::map<int64_t, Hidden> hidden_;
};

TEST(Property, InvariantsHoldAndEveryJobRuns) {
  for (const std::string& preset : PolicyPresetNames()) {
    for (uint32_t seed = 1; seed <= 60; ++seed) {
      SCOPED_TRACE("preset " + preset + " seed " + std::to_string(seed));
      Driver driver(seed, preset);
      driver.RunToCompletion();
      if (HasFailure()) return;
    }
  }
}

// The fifo preset is the seed's queue: on jobs that fit one worker it decides exactly as the
// seed's scheduler did (seed_schedule.h).
TEST(Property, FifoPresetMatchesTheSeedScheduler) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::uniform_int_distribution<int> workers(1, 5), gpus(1, 8), jobs(1, 30), prio(0, 3);
    Cluster c = V100Cluster(workers(rng), 8);
    std::vector<seed::WorkerSnapshot> seed_workers;
    for (auto& w : c.workers) {
      seed::WorkerSnapshot s{w.id, {}};
      for (auto& g : w.gpus) {
        if (rng() % 3 == 0)
          g.job_id = 999;
        else
          s.free_gpus.push_back(g.index);
      }
      seed_workers.push_back(s);
    }
    std::vector<PendingJob> queue;
    std::vector<seed::QueuedJob> seed_queue;
    int n = jobs(rng);
    for (int i = 1; i <= n; ++i) {
      int g = gpus(rng), p = 25 * prio(rng);
      queue.push_back(Job(i, g, p, static_cast<double>(i)));
      seed_queue.push_back(seed::QueuedJob{i, g, p, i});
    }
    seed::OrderQueue(seed_queue);
    auto expected = seed::Schedule(seed_workers, seed_queue);
    auto got = RunPass(c, queue, Preset("fifo"));
    ASSERT_EQ(got.assignments.size(), expected.size()) << "round " << round;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(got.assignments[i].job_id, expected[i].job_id) << "round " << round;
      std::vector<GpuSlot> slots;
      for (int g : expected[i].gpus) slots.push_back({expected[i].worker_id, g});
      EXPECT_EQ(got.assignments[i].gpus, slots) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace yard::sched
