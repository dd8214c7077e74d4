// Small hand-made clusters for the policy tests.
#pragma once

#include <string>
#include <vector>

#include "sched/cluster.h"
#include "sched/policy.h"

namespace yard::sched::fixtures {

// A cluster at `now` with one model per entry of `models` ({name, memory, capability}).
inline Cluster MakeCluster(std::vector<GpuModel> models, double now = 0) {
  Cluster c;
  c.models = std::move(models);
  c.now = now;
  return c;
}

inline Cluster V100Cluster(int workers, int gpus_per_worker, double now = 0) {
  Cluster c = MakeCluster({{"V100-16GB", 16, 7.0}}, now);
  for (int w = 0; w < workers; ++w) {
    Worker worker{w + 1, {}};
    for (int i = 0; i < gpus_per_worker; ++i) worker.gpus.push_back({i, 0, 0, true});
    c.workers.push_back(worker);
  }
  return c;
}

inline void AddWorker(Cluster& c, int64_t id, int model, int gpus) {
  Worker worker{id, {}};
  for (int i = 0; i < gpus; ++i) worker.gpus.push_back({i, model, 0, true});
  c.workers.push_back(worker);
}

// Puts a running job on the given GPUs of one worker.
inline RunningJob& PutRunning(Cluster& c, int64_t job_id, int64_t worker_id, std::vector<int> gpus,
                              int priority = 50, bool preemptible = false, double start = 0,
                              double timeout = 0) {
  for (auto& w : c.workers)
    if (w.id == worker_id)
      for (int g : gpus) w.gpus[g].job_id = job_id;
  RunningJob r;
  r.id = job_id;
  r.user = r.group = "g";
  r.gpus = static_cast<int>(gpus.size());
  r.priority = priority;
  r.preemptible = preemptible;
  r.start_time = start;
  r.timeout = timeout;
  c.running.push_back(r);
  return c.running.back();
}

inline PendingJob Job(int64_t id, int gpus, int priority = 50, double submit = -1) {
  PendingJob j;
  j.id = id;
  j.gpus = gpus;
  j.priority = priority;
  j.submit_time = submit < 0 ? static_cast<double>(id) : submit;
  j.user = j.group = "g";
  return j;
}

inline const Assignment* Placed(const PassResult& r, int64_t job_id) {
  for (const auto& a : r.assignments)
    if (a.job_id == job_id) return &a;
  return nullptr;
}

inline std::vector<int64_t> PlacedIds(const PassResult& r) {
  std::vector<int64_t> ids;
  for (const auto& a : r.assignments) ids.push_back(a.job_id);
  return ids;
}

inline PolicyConfig Preset(const std::string& name) { return *PolicyPreset(name); }

}  // namespace yard::sched::fixtures
