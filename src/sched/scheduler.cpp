#include "sched/scheduler.h"

#include <algorithm>

namespace yard::sched {

bool ComesBefore(const QueuedJob& a, const QueuedJob& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.seq != b.seq) return a.seq < b.seq;
  return a.id < b.id;
}

void OrderQueue(std::vector<QueuedJob>& queue) {
  std::sort(queue.begin(), queue.end(), ComesBefore);
}

std::vector<Placement> Schedule(const std::vector<WorkerSnapshot>& workers,
                                const std::vector<QueuedJob>& queue) {
  std::vector<WorkerSnapshot> free = workers;
  for (auto& w : free) std::sort(w.free_gpus.begin(), w.free_gpus.end());
  size_t free_gpus = 0, free_cpu = 0, max_gpus_on_one = 0;
  auto recount = [&] {
    free_gpus = free_cpu = max_gpus_on_one = 0;
    for (const auto& w : free) {
      free_gpus += w.free_gpus.size();
      free_cpu += static_cast<size_t>(std::max(0, w.free_cpu_slots));
      max_gpus_on_one = std::max(max_gpus_on_one, w.free_gpus.size());
    }
  };
  recount();

  std::vector<Placement> placements;
  for (const auto& job : queue) {
    if (free_gpus == 0 && free_cpu == 0) break;  // a long queue costs nothing once all is taken
    if (job.gpus == 0) {
      WorkerSnapshot* best = nullptr;
      for (auto& w : free)
        if (w.free_cpu_slots > 0 && (!best || w.free_cpu_slots > best->free_cpu_slots)) best = &w;
      if (!best) continue;
      --best->free_cpu_slots;
      --free_cpu;
      placements.push_back({job.id, best->id, {}});
      continue;
    }
    size_t need = static_cast<size_t>(job.gpus);
    if (need > max_gpus_on_one) continue;
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
    recount();
  }
  return placements;
}

}  // namespace yard::sched
