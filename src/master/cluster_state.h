// The master's in-memory index of what the database holds: the jobs that are not finished, the
// queue in scheduling order, the workers and which job holds each of their GPUs. It is derived
// from job rows: Apply() is the one way in, called after the row is committed, so the index
// can always be rebuilt from the database. Not thread-safe; the master holds its lock.
//
// It is kept so that the hot paths cost little however long the queue is: the queue is kept
// by GPU demand, so the scheduler is handed only the jobs that could start now (see
// CandidateQueue), job counts by state are kept as jobs move, and jobs are ordered by id, so
// listings page without sorting.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "api/types.h"
#include "sched/scheduler.h"

namespace yard {

struct WorkerEntry {
  WorkerRecord record;
  int cpu_slots = 0;
  std::vector<GpuUsage> usage;       // from the last heartbeat
  std::map<int, int64_t> gpu_owner;  // GPU index -> the job holding it
  std::set<int64_t> jobs;            // active jobs placed here
  int cpu_jobs = 0;                  // active jobs here that hold no GPU
  Micros last_seen_mono = 0;         // monotonic time of the last word from it
  uint64_t news = 0;                 // bumped whenever there is something for it
};

class ClusterState {
 public:
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
  WorkerEntry& UpsertWorker(const WorkerRecord& record, int cpu_slots);
  std::map<int64_t, WorkerEntry>& workers() { return workers_; }

  // The largest number of GPUs any known worker has, alive or not.
  int MaxGpusOnOneWorker() const;

  // What the scheduler sees: alive workers that have a free usable GPU or CPU slot (a worker
  // with neither can take nothing), with their free usable GPUs.
  std::vector<sched::WorkerSnapshot> WorkerSnapshots() const;

  // The queued jobs that could start on `workers`, in scheduling order: for each GPU demand N,
  // the first floor(F / N) jobs asking for N (F: the free GPUs of all of `workers`), and the
  // first C jobs asking for none (C: their free CPU slots). A job further back cannot start
  // in this pass: the jobs of its own demand ahead of it would fill every place it could take.
  // So the scheduler's work, and the copy, grow with the free capacity, not with the queue.
  std::vector<sched::QueuedJob> CandidateQueue(
      const std::vector<sched::WorkerSnapshot>& workers) const;
  // The whole queue in scheduling order (tests compare CandidateQueue's decisions with it).
  std::vector<sched::QueuedJob> QueueInOrder() const;

  // Unfinished jobs per sweep, for knowing when a sweep is done.
  int OpenJobsInSweep(int64_t sweep_id) const;

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
  sched::QueuedJob Queued(int64_t id) const;

  std::map<int64_t, Job> jobs_;
  // Queued jobs by the GPUs they ask for, each in scheduling order.
  std::map<int, std::set<QueueKey>> queue_by_demand_;
  size_t queued_ = 0;
  std::map<JobState, int> by_state_;
  std::map<int64_t, WorkerEntry> workers_;
  std::map<int64_t, int> open_in_sweep_;
};

}  // namespace yard
