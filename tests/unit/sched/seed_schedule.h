// The seed's scheduler, kept only as the reference the fifo preset is checked against (the
// master ran it before it ran the policy library): jobs in order of priority, then submission;
// a job asking for N GPUs takes N free GPUs of one worker, best fit (the worker with the fewest
// free GPUs that still has N, the first such on ties); a job that does not fit is passed over.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace yard::sched::seed {

struct WorkerSnapshot {
  int64_t id = 0;
  std::vector<int> free_gpus;
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
  std::vector<int> gpus;
};

inline void OrderQueue(std::vector<QueuedJob>& queue) {
  std::sort(queue.begin(), queue.end(), [](const QueuedJob& a, const QueuedJob& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.seq != b.seq) return a.seq < b.seq;
    return a.id < b.id;
  });
}

inline std::vector<Placement> Schedule(std::vector<WorkerSnapshot> free,
                                       const std::vector<QueuedJob>& queue) {
  for (auto& w : free) std::sort(w.free_gpus.begin(), w.free_gpus.end());
  std::vector<Placement> placements;
  for (const auto& job : queue) {
    size_t need = static_cast<size_t>(job.gpus);
    WorkerSnapshot* best = nullptr;
    for (auto& w : free) {
      if (w.free_gpus.size() < need) continue;
      if (!best || w.free_gpus.size() < best->free_gpus.size()) best = &w;
    }
    if (!best) continue;
    Placement p{job.id, best->id, {}};
    p.gpus.assign(best->free_gpus.begin(), best->free_gpus.begin() + static_cast<long>(need));
    best->free_gpus.erase(best->free_gpus.begin(),
                          best->free_gpus.begin() + static_cast<long>(need));
    placements.push_back(std::move(p));
  }
  return placements;
}

}  // namespace yard::sched::seed
