#include "master/cluster_state.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace yard {
namespace {

Job Queued(int64_t id, int gpus, int priority) {
  Job job;
  job.id = id;
  job.user = "u" + std::to_string(id % 3);
  job.state = JobState::kQueued;
  job.spec.resources.gpus = gpus;
  job.spec.priority = priority;
  job.submitted_at = id * 1'000'000;
  return job;
}

WorkerRecord Record(int64_t id, const std::vector<std::string>& models, int cpu) {
  WorkerRecord record;
  record.id = id;
  record.name = "w" + std::to_string(id);
  record.cpu_slots = cpu;
  for (int g = 0; g < static_cast<int>(models.size()); ++g) {
    const std::string& m = models[g];
    std::string cc = m == "V100-16GB" ? "7.0" : m == "A100-80GB" ? "8.0" : "9.0";
    int64_t mb = m == "V100-16GB" ? 16 * 1024 : 80 * 1024;
    record.gpus.push_back({g, "uuid-" + std::to_string(id) + "-" + std::to_string(g), m, mb, cc});
  }
  return record;
}

// Workers 1..n with `gpus` GPUs of one model and `cpu` CPU slots each.
void AddWorkers(ClusterState& state, int n, int gpus, int cpu) {
  for (int w = 1; w <= n; ++w)
    state.UpsertWorker(Record(w, std::vector<std::string>(gpus, "V100-16GB"), cpu), cpu);
}

// A job running on worker `w` holding `gpus`.
Job Running(int64_t id, int64_t w, std::vector<int> gpus) {
  Job job = Queued(id, static_cast<int>(gpus.size()), 50);
  job.state = JobState::kRunning;
  job.worker_id = w;
  for (int g : gpus) job.gpus.push_back({"w" + std::to_string(w), g, "uuid", "model"});
  return job;
}

TEST(ClusterStateTest, CountsFollowJobsThroughTheirStates) {
  ClusterState state;
  AddWorkers(state, 1, 2, 0);
  state.Apply(Queued(1, 1, 50));
  state.Apply(Queued(2, 1, 50));
  EXPECT_EQ(state.counts_by_state(), (std::map<JobState, int>{{JobState::kQueued, 2}}));
  EXPECT_EQ(state.scheduler().size(), 2u);
  state.Apply(Running(1, 1, {0}));
  EXPECT_EQ(state.counts_by_state(),
            (std::map<JobState, int>{{JobState::kQueued, 1}, {JobState::kRunning, 1}}));
  EXPECT_EQ(state.queued_count(), 1u);
  EXPECT_EQ(state.scheduler().size(), 1u);
  Job done = Running(1, 1, {0});
  done.state = JobState::kSucceeded;
  state.Apply(done);
  EXPECT_EQ(state.counts_by_state(), (std::map<JobState, int>{{JobState::kQueued, 1}}));
  EXPECT_EQ(state.FindJob(1), nullptr);
}

TEST(ClusterStateTest, ClusterFollowsJobsAndWorkers) {
  ClusterState state;
  AddWorkers(state, 2, 2, 0);
  EXPECT_TRUE(state.HasFreeGpu());
  state.Apply(Running(10, 1, {0, 1}));
  state.Apply(Running(11, 2, {0}));
  const sched::Cluster& c = state.SchedCluster(100);
  ASSERT_EQ(c.workers.size(), 2u);
  EXPECT_EQ(c.workers[0].gpus[0].job_id, 10);
  EXPECT_EQ(c.workers[1].gpus[1].job_id, 0);
  ASSERT_EQ(c.running.size(), 2u);
  // A foreign process takes the last free GPU.
  state.SetUsage(2, {{1, 90, 1000, {4242}}});
  EXPECT_FALSE(state.HasFreeGpu());
  EXPECT_FALSE(state.SchedCluster(101).workers[1].gpus[1].usable);
  // A lost worker leaves the cluster; back, it returns in id order.
  WorkerRecord lost = state.FindWorker(1)->record;
  lost.state = WorkerState::kLost;
  state.UpsertWorker(lost, 0);
  ASSERT_EQ(state.SchedCluster(102).workers.size(), 1u);
  EXPECT_EQ(state.SchedCluster(102).workers[0].id, 2);
  lost.state = WorkerState::kAlive;
  state.UpsertWorker(lost, 0);
  ASSERT_EQ(state.SchedCluster(103).workers.size(), 2u);
  EXPECT_EQ(state.SchedCluster(103).workers[0].id, 1);
}

TEST(ClusterStateTest, CpuJobsTakeTheWorkerWithTheMostFreeSlotsInPriorityOrder) {
  ClusterState state;
  state.UpsertWorker(Record(1, {}, 1), 1);
  state.UpsertWorker(Record(2, {}, 2), 2);
  state.Apply(Queued(1, 0, 10));
  state.Apply(Queued(2, 0, 90));
  state.Apply(Queued(3, 0, 50));
  state.Apply(Queued(4, 0, 50));
  EXPECT_EQ(state.scheduler().size(), 0u);
  auto placed = state.PlaceCpuJobs();
  ASSERT_EQ(placed.size(), 3u);
  EXPECT_EQ(placed[0].job_id, 2);
  EXPECT_EQ(placed[0].worker_id, 2);
  EXPECT_EQ(placed[1].job_id, 3);
  EXPECT_EQ(placed[2].job_id, 4);
  EXPECT_EQ(state.CpuQueuePosition(1), 3);
}

// --- The incremental view against one built from scratch -------------------------------

// The Cluster a pass would see, built from the jobs and workers alone.
sched::Cluster FromScratch(const ClusterState& state, const sched::Cluster& incremental) {
  sched::Cluster c;
  c.now = incremental.now;
  c.recent_usage = incremental.recent_usage;  // the ledger's history is not in the index
  std::map<std::tuple<std::string, int64_t, std::string>, int> models;
  std::map<std::pair<int64_t, int>, int64_t> owner;
  for (const auto& [id, job] : state.jobs())
    if (IsActive(job.state))
      for (const auto& g : job.gpus) owner[{std::stoll(g.worker.substr(1)), g.index}] = id;
  for (const auto& [id, w] : state.workers()) {
    if (w.record.state != WorkerState::kAlive) continue;
    sched::Worker sw{id, {}};
    for (const auto& gpu : w.record.gpus) {
      auto key = std::make_tuple(gpu.model, gpu.memory_mb, gpu.compute_capability);
      auto [it, added] = models.try_emplace(key, static_cast<int>(c.models.size()));
      if (added)
        c.models.push_back({gpu.model, static_cast<double>(gpu.memory_mb / 1024),
                            std::stod(gpu.compute_capability)});
      bool foreign = false;
      for (const auto& u : w.usage)
        foreign = foreign || (u.index == gpu.index && !u.foreign_pids.empty());
      auto o = owner.find({id, gpu.index});
      sw.gpus.push_back({gpu.index, it->second, o == owner.end() ? 0 : o->second, !foreign});
    }
    c.workers.push_back(std::move(sw));
  }
  for (const auto& [id, job] : state.jobs()) {
    if (!IsActive(job.state) || job.gpus.empty()) continue;
    sched::RunningJob r;
    r.id = id;
    r.user = job.user;
    r.group = job.spec.group.empty() ? job.user : job.spec.group;
    r.gpus = static_cast<int>(job.gpus.size());
    r.priority = job.spec.priority;
    r.preemptible = job.spec.preemptible;
    r.submit_time = static_cast<double>(job.submitted_at) / 1e6;
    r.start_time = job.started_at > 0 ? static_cast<double>(job.started_at) / 1e6 : c.now;
    r.timeout = static_cast<double>(job.spec.timeout_s);
    r.attained_gpu_seconds = r.gpus * (c.now - r.start_time);
    r.draining = !state.DrainingReason(id).empty();
    c.running.push_back(std::move(r));
  }
  return c;
}

std::string Describe(const sched::PassResult& p) {
  std::string s;
  for (const auto& a : p.assignments) {
    s += "job " + std::to_string(a.job_id) + " ->";
    for (const auto& g : a.gpus)
      s += " " + std::to_string(g.worker_id) + ":" + std::to_string(g.gpu_index);
    s += "; ";
  }
  for (int64_t id : p.preempted) s += "preempt " + std::to_string(id) + "; ";
  return s;
}

// Random workloads moved through their states: after every change, a pass over the kept view
// decides exactly what a pass over a Cluster and queue built from scratch decides, and the
// explanations of the whole queue agree with the pass.
// `max_worker_gpus`: workers have 1 to that many GPUs; jobs ask for 0 to 4, so small workers
// make many gangs, of which there must be at least `min_gangs`.
void CheckAgainstScratch(sched::PolicyConfig config, uint64_t seed, int max_worker_gpus = 8,
                         int64_t min_gangs = 0) {
  // The comparisons must have had substance.
  int64_t placed_total = 0, preempted_total = 0, gangs_total = 0;
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  static const std::vector<std::string> kModels = {"V100-16GB", "A100-80GB", "H100-80GB"};
  for (int round = 0; round < 40; ++round) {
    ClusterState state(config);
    int workers = 1 + pick(5);
    for (int w = 1; w <= workers; ++w) {
      std::vector<std::string> models(1 + pick(max_worker_gpus), kModels[pick(3)]);
      state.UpsertWorker(Record(w, models, pick(3)), pick(3));
    }
    int64_t next_id = 1;
    double now = 1000;
    for (int step = 0; step < 60; ++step) {
      now += pick(4000);
      int op = pick(10);
      if (op <= 3) {  // submit
        Job job = Queued(next_id++, pick(5), pick(4) * 25);
        job.submitted_at = static_cast<Micros>(now * 1e6);
        job.spec.group = pick(2) ? "g" + std::to_string(pick(2)) : "";
        job.spec.preemptible = pick(2);
        job.spec.timeout_s = pick(2) ? 600 * (1 + pick(10)) : 0;
        if (pick(4) == 0) job.spec.resources.gpu_models = {pick(2) ? "A100" : "H100-80GB"};
        if (pick(6) == 0) job.spec.resources.min_gpu_memory_gb = 40;
        state.Apply(job);
      } else if (op <= 5) {  // start what a pass places
        auto pass = state.scheduler().Pass(state.SchedCluster(now));
        for (const auto& a : pass.assignments) {
          Job job = *state.FindJob(a.job_id);
          job.state = JobState::kRunning;
          job.worker_id = a.gpus[0].worker_id;
          job.started_at = pick(2) ? static_cast<Micros>(now * 1e6) : 0;
          if (job.started_at == 0) job.state = JobState::kAssigned;
          for (const auto& g : a.gpus)
            job.gpus.push_back({"w" + std::to_string(g.worker_id), g.gpu_index, "uuid", "m"});
          state.Apply(job);
          if (IsGang(job)) {
            ++gangs_total;
            // Every part's worker holds it, and the parts are its workers in rank order.
            const Gang* gang = state.FindGang(job.id);
            ASSERT_NE(gang, nullptr);
            for (const GangPart& part : gang->parts)
              ASSERT_EQ(state.FindWorker(part.worker_id)->jobs.count(job.id), 1u);
            ASSERT_EQ(gang->parts.front().worker_id, a.gpus.front().worker_id);
          }
          if (pick(2)) break;
        }
        for (int64_t id : pass.preempted) state.MarkDraining(id, "for another");
      } else if (op == 6 || op == 7) {  // a running job ends or goes back to the queue
        std::vector<int64_t> active;
        for (const auto& [id, job] : state.jobs())
          if (IsActive(job.state)) active.push_back(id);
        if (active.empty()) continue;
        Job job = *state.FindJob(active[pick(static_cast<int>(active.size()))]);
        if (op == 6) {
          job.state = JobState::kSucceeded;
        } else {
          job.state = JobState::kQueued;
          job.worker_id = 0;
          job.gpus.clear();
        }
        state.Apply(job);
      } else if (op == 8) {  // a worker is lost (its jobs requeued) or comes back
        int64_t w = 1 + pick(workers);
        WorkerRecord record = state.FindWorker(w)->record;
        if (record.state == WorkerState::kAlive) {
          for (int64_t id : std::set<int64_t>(state.FindWorker(w)->jobs)) {
            Job job = *state.FindJob(id);
            job.state = JobState::kQueued;
            job.worker_id = 0;
            job.gpus.clear();
            state.Apply(job);
          }
          record.state = WorkerState::kLost;
        } else {
          record.state = WorkerState::kAlive;
        }
        state.UpsertWorker(record, record.cpu_slots);
      } else {  // a foreign process comes or goes
        int64_t w = 1 + pick(workers);
        std::vector<GpuUsage> usage;
        int gpus = static_cast<int>(state.FindWorker(w)->record.gpus.size());
        if (pick(2)) usage.push_back({pick(gpus), 50, 100, {999}});
        state.SetUsage(w, usage);
      }

      const sched::Cluster& kept = state.SchedCluster(now);
      sched::Cluster scratch = FromScratch(state, kept);
      std::vector<sched::PendingJob> queue;
      std::vector<int64_t> queued_ids;
      for (const auto& [id, job] : state.jobs()) {
        if (job.state != JobState::kQueued || job.spec.resources.gpus == 0) continue;
        queue.push_back(ClusterState::ToPending(job));
        queued_ids.push_back(id);
      }
      ASSERT_EQ(state.scheduler().size(), queue.size());
      auto incremental = state.scheduler().Pass(kept);
      placed_total += static_cast<int64_t>(incremental.assignments.size());
      preempted_total += static_cast<int64_t>(incremental.preempted.size());
      auto expected = sched::RunPass(scratch, queue, config);
      ASSERT_EQ(Describe(incremental), Describe(expected))
          << config.name << " seed " << seed << " round " << round << " step " << step;

      // One explanation walk over the whole queue: distinct places 0..n-1, and "starts now"
      // for exactly the jobs the pass places.
      auto waits = state.scheduler().ExplainMany(kept, queued_ids);
      std::set<int64_t> places, starting, placed;
      for (const auto& [id, e] : waits) {
        places.insert(e.position);
        if (e.reason == sched::WaitReason::kStartsNow) starting.insert(id);
      }
      for (const auto& a : incremental.assignments) placed.insert(a.job_id);
      ASSERT_EQ(places.size(), queued_ids.size());
      if (!places.empty()) {
        ASSERT_EQ(*places.rbegin(), static_cast<int64_t>(places.size()) - 1);
      }
      ASSERT_EQ(starting, placed) << "round " << round << " step " << step;
    }
  }
  EXPECT_GT(placed_total, 500);
  EXPECT_GE(gangs_total, min_gangs);
  if (config.preemption) {
    EXPECT_GT(preempted_total, 10);
  }
}

TEST(ClusterStateTest, KeptViewDecidesAsAFromScratchPassWithoutGangs) {
  sched::PolicyConfig config = *sched::PolicyPreset("team");
  config.gangs = false;
  CheckAgainstScratch(config, 5);
}

// A gang over workers 1 and 2: rank 0 on worker 1, which the job row names.
Job Gang4(JobState state, int attempt) {
  Job job = Queued(20, 4, 50);
  job.state = state;
  job.attempt = attempt;
  job.worker_id = 1;
  job.worker_name = "w1";
  for (int w : {1, 2})
    for (int g : {0, 1}) job.gpus.push_back({"w" + std::to_string(w), g, "uuid", "model"});
  return job;
}

TEST(ClusterStateTest, AGangHoldsItsGpusOnEachWorkerAndKeepsItsPartsPerAttempt) {
  ClusterState state;
  AddWorkers(state, 2, 2, 0);
  state.Apply(Queued(20, 4, 50));
  EXPECT_EQ(state.FindGang(20), nullptr);
  state.Apply(Gang4(JobState::kAssigned, 1));
  EXPECT_FALSE(state.HasFreeGpu());
  for (int64_t w : {1, 2}) {
    EXPECT_EQ(state.FindWorker(w)->jobs, std::set<int64_t>{20}) << w;
    EXPECT_EQ(state.FindWorker(w)->gpu_owner, (std::map<int, int64_t>{{0, 20}, {1, 20}})) << w;
  }
  Gang* gang = state.FindGang(20);
  ASSERT_NE(gang, nullptr);
  ASSERT_EQ(gang->parts.size(), 2u);
  EXPECT_EQ(gang->parts[0].worker_id, 1);
  EXPECT_EQ(gang->parts[0].rank, 0);
  EXPECT_EQ(gang->parts[1].worker_id, 2);
  EXPECT_EQ(gang->parts[1].rank, 1);
  EXPECT_FALSE(gang->AnyReported());
  // What the parts reported survives the job's own state changes within the attempt.
  gang->Part(2)->reported = JobState::kRunning;
  state.Apply(Gang4(JobState::kStarting, 1));
  ASSERT_NE(state.FindGang(20), nullptr);
  EXPECT_EQ(state.FindGang(20)->Part(2)->reported, JobState::kRunning);
  EXPECT_FALSE(state.FindGang(20)->AllStarted());
  EXPECT_TRUE(state.TakeWorkersToWake().empty());
  // The attempt ends: both workers' GPUs are free, and both workers are to be told.
  Job requeued = Gang4(JobState::kQueued, 1);
  requeued.worker_id = 0;
  requeued.worker_name.clear();
  requeued.gpus.clear();
  state.Apply(requeued);
  EXPECT_EQ(state.FindGang(20), nullptr);
  EXPECT_EQ(state.TakeWorkersToWake(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(state.TakeWorkersToWake().empty());
  for (int64_t w : {1, 2}) {
    EXPECT_TRUE(state.FindWorker(w)->jobs.empty()) << w;
    EXPECT_TRUE(state.FindWorker(w)->gpu_owner.empty()) << w;
  }
  EXPECT_EQ(state.scheduler().size(), 1u);
  // The next attempt starts with nothing reported.
  state.Apply(Gang4(JobState::kAssigned, 2));
  ASSERT_NE(state.FindGang(20), nullptr);
  EXPECT_EQ(state.FindGang(20)->attempt, 2);
  EXPECT_FALSE(state.FindGang(20)->AnyReported());
  Job failed = Gang4(JobState::kFailed, 2);
  state.Apply(failed);
  EXPECT_EQ(state.FindJob(20), nullptr);
  EXPECT_EQ(state.FindGang(20), nullptr);
  EXPECT_TRUE(state.HasFreeGpu());
  EXPECT_EQ(state.TakeWorkersToWake(), (std::vector<int64_t>{1, 2}));
}

TEST(ClusterStateTest, AGangRebuiltRunningCountsEveryPartStarted) {
  // After a master restart the parts' reports are gone; RUNNING said that every part ran.
  ClusterState state;
  AddWorkers(state, 2, 2, 0);
  state.Apply(Gang4(JobState::kRunning, 1));
  ASSERT_NE(state.FindGang(20), nullptr);
  EXPECT_TRUE(state.FindGang(20)->AllStarted());
  EXPECT_FALSE(state.FindGang(20)->AllSucceeded());
}

TEST(ClusterStateTest, KeptViewDecidesAsAFromScratchPassFifo) {
  CheckAgainstScratch(*sched::PolicyPreset("fifo"), 7);
}

TEST(ClusterStateTest, KeptViewDecidesAsAFromScratchPassTeam) {
  sched::PolicyConfig config = *sched::PolicyPreset("team");
  config.min_run_s = 1800;
  config.group_quota["g1"] = 6;
  CheckAgainstScratch(config, 11);
}

TEST(ClusterStateTest, KeptViewDecidesAsAFromScratchPassFull) {
  CheckAgainstScratch(*sched::PolicyPreset("full"), 13);
}

TEST(ClusterStateTest, KeptViewDecidesAsAFromScratchPassWithManyGangs) {
  CheckAgainstScratch(*sched::PolicyPreset("team"), 17, /*max_worker_gpus=*/2, /*min_gangs=*/20);
  CheckAgainstScratch(*sched::PolicyPreset("fifo"), 19, /*max_worker_gpus=*/2, /*min_gangs=*/20);
}

}  // namespace
}  // namespace yard
