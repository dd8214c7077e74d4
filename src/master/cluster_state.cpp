#include "master/cluster_state.h"

#include <algorithm>

namespace yard {

void ClusterState::Release(const Job& job) {
  if (--by_state_[job.state] <= 0) by_state_.erase(job.state);
  if (job.state == JobState::kQueued) {
    auto demand = queue_by_demand_.find(job.spec.resources.gpus);
    if (demand != queue_by_demand_.end() && demand->second.erase({job.spec.priority, job.id})) {
      --queued_;
      if (demand->second.empty()) queue_by_demand_.erase(demand);
    }
  }
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
  ++by_state_[job.state];
  if (job.state == JobState::kQueued &&
      queue_by_demand_[job.spec.resources.gpus].insert({job.spec.priority, job.id}).second)
    ++queued_;
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
    int free_cpu = std::max(0, w.cpu_slots - w.cpu_jobs);
    if (w.gpu_owner.size() >= w.record.gpus.size() && free_cpu == 0) continue;
    sched::WorkerSnapshot s;
    s.id = id;
    for (const auto& gpu : w.record.gpus) {
      if (w.gpu_owner.count(gpu.index)) continue;
      bool foreign = std::any_of(w.usage.begin(), w.usage.end(), [&](const GpuUsage& u) {
        return u.index == gpu.index && !u.foreign_pids.empty();
      });
      if (!foreign) s.free_gpus.push_back(gpu.index);
    }
    s.free_cpu_slots = free_cpu;
    if (s.free_gpus.empty() && s.free_cpu_slots == 0) continue;
    out.push_back(std::move(s));
  }
  return out;
}

sched::QueuedJob ClusterState::Queued(int64_t id) const {
  const Job& job = jobs_.at(id);
  return {job.id, job.spec.resources.gpus, job.spec.priority, job.id};
}

std::vector<sched::QueuedJob> ClusterState::CandidateQueue(
    const std::vector<sched::WorkerSnapshot>& workers) const {
  size_t free_gpus = 0, free_cpu = 0;
  for (const auto& w : workers) {
    free_gpus += w.free_gpus.size();
    free_cpu += static_cast<size_t>(std::max(0, w.free_cpu_slots));
  }
  std::vector<sched::QueuedJob> out;
  for (const auto& [demand, keys] : queue_by_demand_) {
    size_t room = demand > 0 ? free_gpus / static_cast<size_t>(demand) : free_cpu;
    for (auto key = keys.begin(); key != keys.end() && room > 0; ++key, --room)
      out.push_back(Queued(key->id));
  }
  sched::OrderQueue(out);
  return out;
}

std::vector<sched::QueuedJob> ClusterState::QueueInOrder() const {
  std::vector<sched::QueuedJob> out;
  out.reserve(queued_);
  for (const auto& [demand, keys] : queue_by_demand_)
    for (const auto& key : keys) out.push_back(Queued(key.id));
  sched::OrderQueue(out);
  return out;
}

int ClusterState::OpenJobsInSweep(int64_t sweep_id) const {
  auto it = open_in_sweep_.find(sweep_id);
  return it == open_in_sweep_.end() ? 0 : it->second;
}

}  // namespace yard
