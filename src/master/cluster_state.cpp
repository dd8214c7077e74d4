#include "master/cluster_state.h"

#include <algorithm>

namespace yard {

void ClusterState::Release(const Job& job) {
  if (job.state == JobState::kQueued) queue_.erase({job.spec.priority, job.id});
  if (!IsActive(job.state)) return;
  auto it = workers_.find(job.worker_id);
  if (it == workers_.end()) return;
  WorkerEntry& w = it->second;
  w.jobs.erase(job.id);
  for (const auto& g : job.gpus) {
    auto owner = w.gpu_owner.find(g.index);
    if (owner != w.gpu_owner.end() && owner->second == job.id) w.gpu_owner.erase(owner);
  }
  if (job.gpus.empty()) --w.cpu_jobs;
}

void ClusterState::Claim(const Job& job) {
  if (job.state == JobState::kQueued) queue_.insert({job.spec.priority, job.id});
  if (!IsActive(job.state)) return;
  auto it = workers_.find(job.worker_id);
  if (it == workers_.end()) return;  // a worker the master no longer knows: reconciled later
  WorkerEntry& w = it->second;
  w.jobs.insert(job.id);
  for (const auto& g : job.gpus) w.gpu_owner[g.index] = job.id;
  if (job.gpus.empty()) ++w.cpu_jobs;
}

void ClusterState::Apply(const Job& job) {
  auto it = jobs_.find(job.id);
  if (it != jobs_.end()) {
    Release(it->second);
  } else if (job.sweep_id > 0 && !IsTerminal(job.state)) {
    ++open_in_sweep_[job.sweep_id];
  }
  if (IsTerminal(job.state)) {
    if (it != jobs_.end()) {
      jobs_.erase(it);
      if (job.sweep_id > 0 && --open_in_sweep_[job.sweep_id] <= 0)
        open_in_sweep_.erase(job.sweep_id);
    }
    return;
  }
  Job& stored = jobs_[job.id];
  stored = job;
  Claim(stored);
}

const Job* ClusterState::FindJob(int64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

std::vector<const Job*> ClusterState::Jobs() const {
  std::vector<const Job*> out;
  out.reserve(jobs_.size());
  for (const auto& [id, job] : jobs_) out.push_back(&job);
  std::sort(out.begin(), out.end(), [](const Job* a, const Job* b) { return a->id < b->id; });
  return out;
}

WorkerEntry* ClusterState::FindWorker(int64_t id) {
  auto it = workers_.find(id);
  return it == workers_.end() ? nullptr : &it->second;
}

WorkerEntry* ClusterState::FindWorkerByName(const std::string& name) {
  for (auto& [id, w] : workers_)
    if (w.record.name == name) return &w;
  return nullptr;
}

WorkerEntry& ClusterState::UpsertWorker(const WorkerRecord& record, int cpu_slots) {
  WorkerEntry& w = workers_[record.id];
  w.record = record;
  w.cpu_slots = cpu_slots;
  return w;
}

int ClusterState::MaxGpusOnOneWorker() const {
  size_t most = 0;
  for (const auto& [id, w] : workers_) most = std::max(most, w.record.gpus.size());
  return static_cast<int>(most);
}

std::vector<sched::WorkerSnapshot> ClusterState::WorkerSnapshots() const {
  std::vector<sched::WorkerSnapshot> out;
  for (const auto& [id, w] : workers_) {
    if (w.record.state != WorkerState::kAlive) continue;
    sched::WorkerSnapshot s;
    s.id = id;
    for (const auto& gpu : w.record.gpus) {
      if (w.gpu_owner.count(gpu.index)) continue;
      bool foreign = std::any_of(w.usage.begin(), w.usage.end(), [&](const GpuUsage& u) {
        return u.index == gpu.index && !u.foreign_pids.empty();
      });
      if (!foreign) s.free_gpus.push_back(gpu.index);
    }
    s.free_cpu_slots = std::max(0, w.cpu_slots - w.cpu_jobs);
    out.push_back(std::move(s));
  }
  return out;
}

bool ClusterState::HasFreeCapacity() const {
  for (const auto& s : WorkerSnapshots())
    if (!s.free_gpus.empty() || s.free_cpu_slots > 0) return true;
  return false;
}

std::vector<sched::QueuedJob> ClusterState::QueueInOrder() const {
  std::vector<sched::QueuedJob> out;
  out.reserve(queue_.size());
  for (const auto& key : queue_) {
    const Job& job = jobs_.at(key.id);
    out.push_back({job.id, job.spec.resources.gpus, job.spec.priority, job.id});
  }
  return out;
}

int ClusterState::OpenJobsInSweep(int64_t sweep_id) const {
  auto it = open_in_sweep_.find(sweep_id);
  return it == open_in_sweep_.end() ? 0 : it->second;
}

}  // namespace yard
