// The scheduling policy: which queued jobs start now, and on which GPUs. A pure function of a
// snapshot of the cluster (no I/O, clocks or threads), so that the master and a simulator run
// the very same decisions.
#pragma once

#include <cstdint>
#include <vector>

namespace yard::sched {

struct WorkerSnapshot {
  int64_t id = 0;
  // Indexes of GPUs that are free and usable: no job of ours and no foreign process on them.
  std::vector<int> free_gpus;
  int free_cpu_slots = 0;  // for jobs that ask for no GPU
};

struct QueuedJob {
  int64_t id = 0;
  int gpus = 1;
  int priority = 50;
  int64_t seq = 0;  // submission order; lower came first
};

struct Placement {
  int64_t job_id = 0;
  int64_t worker_id = 0;
  std::vector<int> gpus;  // empty for a CPU job
};

// Considers `queue` in order (see OrderQueue) and places every job that fits now: a job asking
// for N GPUs gets N free GPUs of one worker (best fit: the worker with the fewest free GPUs that
// still has N, so large holes stay whole for large jobs); a job asking for none takes a CPU slot
// on the worker with the most of them. A job that does not fit is passed over, and those behind
// it may still start.
std::vector<Placement> Schedule(const std::vector<WorkerSnapshot>& workers,
                                const std::vector<QueuedJob>& queue);

// Higher priority first, then earlier submission.
bool ComesBefore(const QueuedJob& a, const QueuedJob& b);
void OrderQueue(std::vector<QueuedJob>& queue);

}  // namespace yard::sched
