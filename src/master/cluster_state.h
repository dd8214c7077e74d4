// The master's in-memory index of what the database holds: the jobs that are not finished, the
// queue in scheduling order, the workers and which job holds each of their GPUs. It is derived
// from job rows: Apply() is the one way in, called after the row is committed, so the index
// can always be rebuilt from the database. Not thread-safe; the master holds its lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
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
  std::vector<const Job*> Jobs() const;
  size_t queued_count() const { return queue_.size(); }

  WorkerEntry* FindWorker(int64_t id);
  WorkerEntry* FindWorkerByName(const std::string& name);
  WorkerEntry& UpsertWorker(const WorkerRecord& record, int cpu_slots);
  std::map<int64_t, WorkerEntry>& workers() { return workers_; }

  // The largest number of GPUs any known worker has, alive or not.
  int MaxGpusOnOneWorker() const;

  // What the scheduler sees: alive workers with their free usable GPUs, and the queue in order.
  std::vector<sched::WorkerSnapshot> WorkerSnapshots() const;
  std::vector<sched::QueuedJob> QueueInOrder() const;
  bool HasFreeCapacity() const;

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

  std::unordered_map<int64_t, Job> jobs_;
  std::set<QueueKey> queue_;
  std::map<int64_t, WorkerEntry> workers_;
  std::map<int64_t, int> open_in_sweep_;
};

}  // namespace yard
