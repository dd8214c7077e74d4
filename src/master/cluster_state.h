// The master's in-memory index of what the database holds: the jobs that are not finished, the
// queue, the workers and which job holds each of their GPUs. It is derived from job rows:
// Apply() is the one way in for jobs, called after the row is committed, so the index can
// always be rebuilt from the database. Not thread-safe; the master holds its lock.
//
// It keeps the scheduler's view up to date as things change, so that a pass costs little
// however long the queue is: queued GPU jobs live in a sched::Scheduler (ordered sets per
// fair-share key, kept across passes), and the sched::Cluster a pass reads (workers, GPUs with
// their model, running jobs) is edited in place as jobs and workers move, a worker's few GPUs
// at a time. Jobs that ask for no GPU wait in a queue of their own for the workers' CPU slots.
// Counts by state are kept as jobs move, and jobs are ordered by id, so listings page without
// sorting.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "api/types.h"
#include "master/gang.h"
#include "sched/cluster.h"
#include "sched/ordering.h"
#include "sched/policy.h"

namespace yard {

struct WorkerEntry {
  WorkerRecord record;
  int cpu_slots = 0;
  std::vector<GpuUsage> usage;       // from the last heartbeat
  std::map<int, int64_t> gpu_owner;  // GPU index -> the job holding it
  std::set<int64_t> jobs;            // active jobs placed here
  int cpu_jobs = 0;                  // active jobs here that hold no GPU
  Micros last_seen_mono = 0;         // monotonic time of the last word from it
};

// A job that asks for no GPU, placed on a worker's CPU slot.
struct CpuPlacement {
  int64_t job_id = 0;
  int64_t worker_id = 0;
};

class ClusterState {
 public:
  explicit ClusterState(sched::PolicyConfig policy = {});

  // Records the committed state of a job: queues it, places it, frees its GPUs, or forgets it
  // once it is finished.
  void Apply(const Job& job);

  const Job* FindJob(int64_t id) const;
  // Every unfinished job, by id.
  const std::map<int64_t, Job>& jobs() const { return jobs_; }
  size_t queued_count() const { return queued_; }
  // Unfinished jobs in each state.
  const std::map<JobState, int>& counts_by_state() const { return by_state_; }

  WorkerEntry* FindWorker(int64_t id);
  WorkerEntry* FindWorkerByName(const std::string& name);
  // Adds or updates a worker (its record: state, GPUs). The only way to change a record.
  WorkerEntry& UpsertWorker(const WorkerRecord& record, int cpu_slots);
  // The GPU use from a worker's heartbeat; a GPU with a foreign process is not offered.
  void SetUsage(int64_t worker_id, const std::vector<GpuUsage>& usage);
  const std::map<int64_t, WorkerEntry>& workers() const { return workers_; }
  // For the fields the scheduler does not read (last_seen_mono).
  std::map<int64_t, WorkerEntry>& mutable_workers() { return workers_; }

  // Bumped by every change a pass could see; a pass with nothing new and no wake-up due can be
  // skipped.
  uint64_t version() const { return version_; }

  // The scheduler, with every queued GPU job, and the cluster as a pass sees it at `now`
  // (seconds): advances the fair-share ledger and the running jobs' clocks.
  const sched::Scheduler& scheduler() const { return scheduler_; }
  const sched::Cluster& SchedCluster(double now);
  // Whether a pass could place a GPU job at all: some usable GPU is free.
  bool HasFreeGpu() const { return free_gpus_ > 0; }
  // Whether a pass could preempt at all: some running job is preemptible.
  bool HasPreemptibleJob() const { return preemptible_running_ > 0; }
  // Whether PlaceCpuJobs could place anything.
  bool HasCpuWork() const;

  // A running job told to stop for another (in its grace period): counted as GPUs on their
  // way by later passes, so nothing is preempted twice. Cleared when the job leaves its GPUs.
  void MarkDraining(int64_t job_id, const std::string& why);
  // Why a draining job was stopped; empty when it is not draining.
  std::string DrainingReason(int64_t job_id) const;

  // Places queued CPU jobs on free CPU slots (the worker with the most free slots first), in
  // order of priority, then id. Decides only: Apply() the committed jobs.
  std::vector<CpuPlacement> PlaceCpuJobs() const;
  // Queued CPU jobs ahead of this one (it waits for a CPU slot).
  int64_t CpuQueuePosition(int64_t job_id) const;

  // The gang a job runs as (its current attempt's parts); null for a job on one worker or
  // not placed.
  const Gang* FindGang(int64_t job_id) const;
  Gang* FindGang(int64_t job_id);
  bool HasGangs() const { return !gangs_.empty(); }
  // The workers of gang attempts that have ended since the last call: their parts may still
  // run, and each must hear (a heartbeat, and a kill order) that its part is over.
  std::vector<int64_t> TakeWorkersToWake();

  // Unfinished jobs per sweep, for knowing when a sweep is done.
  int OpenJobsInSweep(int64_t sweep_id) const;

  // What the scheduler is told of a queued job.
  static sched::PendingJob ToPending(const Job& job);

 private:
  struct QueueKey {
    int priority;
    int64_t id;
    bool operator<(const QueueKey& o) const {
      return priority != o.priority ? priority > o.priority : id < o.id;
    }
  };
  void Release(const Job& job);
  void Claim(const Job& job);
  // A gang's share of Release and Claim: each part's worker holds the job and its GPUs there.
  void ReleaseGang(const Job& job);
  void ClaimGang(const Job& job);
  // Forgets the job's gang when its attempt is over (or it is no longer a gang).
  void EndGangIfOver(const Job& job);
  // Rewrites a worker's part of the Cluster from its entry (alive workers only).
  void SyncWorker(const WorkerEntry& w);
  int ModelIndex(const GpuInfo& gpu);
  const std::string& FairShareKey(const Job& job) const;

  sched::PolicyConfig policy_;
  sched::Scheduler scheduler_;
  sched::FairShareLedger ledger_;
  sched::Cluster cluster_;
  std::unordered_map<int64_t, size_t> worker_slot_;   // worker id -> index in cluster_.workers
  std::unordered_map<int64_t, size_t> running_slot_;  // job id -> index in cluster_.running
  std::vector<double> running_started_;  // per cluster_.running: start in seconds, 0: not yet
  std::map<std::tuple<std::string, int64_t, std::string>, int> model_index_;
  std::map<std::string, int> held_by_key_;  // GPUs held per fair-share key
  std::map<int64_t, std::string> draining_;
  int64_t free_gpus_ = 0;  // free usable GPUs of alive workers
  int64_t preemptible_running_ = 0;
  uint64_t version_ = 0;

  std::map<int64_t, Job> jobs_;
  std::set<QueueKey> cpu_queue_;
  size_t queued_ = 0;
  std::map<JobState, int> by_state_;
  std::map<int64_t, WorkerEntry> workers_;
  std::unordered_map<std::string, int64_t> worker_ids_;  // by name
  std::unordered_map<int64_t, Gang> gangs_;              // by job id
  std::vector<int64_t> workers_to_wake_;
  std::map<int64_t, int> open_in_sweep_;
};

}  // namespace yard
