#include "master/cluster_state.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <queue>

namespace yard {
namespace {

double Seconds(Micros t) { return static_cast<double>(t) / 1e6; }

const std::string& GroupOf(const Job& job) {
  return job.spec.group.empty() ? job.user : job.spec.group;
}

}  // namespace

ClusterState::ClusterState(sched::PolicyConfig policy)
    : policy_(policy), scheduler_(policy), ledger_(policy.fair_share_half_life_s) {}

sched::PendingJob ClusterState::ToPending(const Job& job) {
  sched::PendingJob p;
  p.id = job.id;
  p.user = job.user;
  p.group = GroupOf(job);
  p.gpus = job.spec.resources.gpus;
  p.priority = job.spec.priority;
  p.submit_time = Seconds(job.submitted_at);
  p.timeout = static_cast<double>(job.spec.timeout_s);
  p.gpu_models = job.spec.resources.gpu_models;
  p.min_gpu_memory_gb = job.spec.resources.min_gpu_memory_gb;
  p.min_compute_capability = job.spec.resources.min_compute_capability;
  p.preemptible = job.spec.preemptible;
  return p;
}

const std::string& ClusterState::FairShareKey(const Job& job) const {
  return sched::FairShareKey(job.user, GroupOf(job), policy_);
}

void ClusterState::Release(const Job& job) {
  ++version_;
  if (--by_state_[job.state] <= 0) by_state_.erase(job.state);
  if (job.state == JobState::kQueued) {
    bool removed = job.spec.resources.gpus > 0 ? scheduler_.Remove(job.id)
                                               : cpu_queue_.erase({job.spec.priority, job.id}) > 0;
    if (removed) --queued_;
  }
  if (!IsActive(job.state)) return;
  if (auto slot = running_slot_.find(job.id); slot != running_slot_.end()) {
    size_t pos = slot->second, last = cluster_.running.size() - 1;
    const sched::RunningJob& r = cluster_.running[pos];
    if ((held_by_key_[FairShareKey(job)] -= r.gpus) <= 0) held_by_key_.erase(FairShareKey(job));
    if (r.preemptible) --preemptible_running_;
    if (pos != last) {
      cluster_.running[pos] = std::move(cluster_.running[last]);
      running_started_[pos] = running_started_[last];
      running_slot_[cluster_.running[pos].id] = pos;
    }
    cluster_.running.pop_back();
    running_started_.pop_back();
    running_slot_.erase(slot);
  }
  if (!job.gpus.empty() && IsGang(job)) return ReleaseGang(job);
  auto it = workers_.find(job.worker_id);
  if (it == workers_.end()) return;
  WorkerEntry& w = it->second;
  w.jobs.erase(job.id);
  for (const auto& g : job.gpus) {
    auto owner = w.gpu_owner.find(g.index);
    if (owner != w.gpu_owner.end() && owner->second == job.id) w.gpu_owner.erase(owner);
  }
  if (job.gpus.empty()) --w.cpu_jobs;
  if (!job.gpus.empty()) SyncWorker(w);
}

void ClusterState::Claim(const Job& job) {
  ++version_;
  ++by_state_[job.state];
  if (job.state == JobState::kQueued) {
    if (job.spec.resources.gpus > 0) {
      scheduler_.Enqueue(ToPending(job));
      ++queued_;
    } else if (cpu_queue_.insert({job.spec.priority, job.id}).second) {
      ++queued_;
    }
  }
  if (!IsActive(job.state)) return;
  if (!job.gpus.empty()) {
    sched::RunningJob r;
    r.id = job.id;
    r.user = job.user;
    r.group = GroupOf(job);
    r.gpus = static_cast<int>(job.gpus.size());
    r.priority = job.spec.priority;
    r.preemptible = job.spec.preemptible;
    r.submit_time = Seconds(job.submitted_at);
    r.timeout = static_cast<double>(job.spec.timeout_s);
    r.draining = draining_.count(job.id) > 0;
    if (r.preemptible) ++preemptible_running_;
    running_slot_[job.id] = cluster_.running.size();
    cluster_.running.push_back(std::move(r));
    running_started_.push_back(job.started_at > 0 ? Seconds(job.started_at) : 0);
    held_by_key_[FairShareKey(job)] += static_cast<int>(job.gpus.size());
  }
  if (!job.gpus.empty() && IsGang(job)) return ClaimGang(job);
  auto it = workers_.find(job.worker_id);
  if (it == workers_.end()) return;  // a worker the master no longer knows: reconciled later
  WorkerEntry& w = it->second;
  w.jobs.insert(job.id);
  for (const auto& g : job.gpus) w.gpu_owner[g.index] = job.id;
  if (job.gpus.empty()) ++w.cpu_jobs;
  if (!job.gpus.empty()) SyncWorker(w);
}

void ClusterState::ReleaseGang(const Job& job) {
  for (const std::string& name : GangWorkerNames(job)) {
    auto id = worker_ids_.find(name);
    if (id == worker_ids_.end()) continue;
    WorkerEntry& w = workers_.at(id->second);
    w.jobs.erase(job.id);
    for (const auto& g : job.gpus) {
      if (g.worker != name) continue;
      auto owner = w.gpu_owner.find(g.index);
      if (owner != w.gpu_owner.end() && owner->second == job.id) w.gpu_owner.erase(owner);
    }
    SyncWorker(w);
  }
}

void ClusterState::ClaimGang(const Job& job) {
  Gang& gang = gangs_[job.id];
  bool fresh = gang.parts.empty() || gang.attempt != job.attempt;
  if (fresh) {
    gang = Gang{job.attempt, {}};
    for (const std::string& name : GangWorkerNames(job)) {
      GangPart part;
      auto id = worker_ids_.find(name);
      part.worker_id = id == worker_ids_.end() ? 0 : id->second;
      part.worker_name = name;
      part.rank = static_cast<int>(gang.parts.size());
      // Rebuilt after a master restart: RUNNING means every part had started.
      if (job.state == JobState::kRunning) part.reported = JobState::kRunning;
      gang.parts.push_back(std::move(part));
    }
  }
  for (const GangPart& part : gang.parts) {
    auto it = workers_.find(part.worker_id);
    if (it == workers_.end()) continue;  // reconciled when the job is lost
    WorkerEntry& w = it->second;
    w.jobs.insert(job.id);
    for (const auto& g : job.gpus)
      if (g.worker == part.worker_name) w.gpu_owner[g.index] = job.id;
    SyncWorker(w);
  }
}

void ClusterState::EndGangIfOver(const Job& job) {
  auto it = gangs_.find(job.id);
  if (it == gangs_.end()) return;
  if (IsActive(job.state) && it->second.attempt == job.attempt && IsGang(job)) return;
  for (const GangPart& part : it->second.parts)
    if (part.worker_id != 0) workers_to_wake_.push_back(part.worker_id);
  gangs_.erase(it);
}

const Gang* ClusterState::FindGang(int64_t job_id) const {
  auto it = gangs_.find(job_id);
  return it == gangs_.end() ? nullptr : &it->second;
}

Gang* ClusterState::FindGang(int64_t job_id) {
  auto it = gangs_.find(job_id);
  return it == gangs_.end() ? nullptr : &it->second;
}

std::vector<int64_t> ClusterState::TakeWorkersToWake() {
  std::vector<int64_t> out;
  if (!workers_to_wake_.empty()) out.swap(workers_to_wake_);
  return out;
}

void ClusterState::Apply(const Job& job) {
  if (!IsActive(job.state)) draining_.erase(job.id);
  if (!gangs_.empty()) EndGangIfOver(job);
  auto it = jobs_.find(job.id);
  if (it != jobs_.end() && it->second.state == job.state && it->second.worker_id == job.worker_id &&
      it->second.started_at == job.started_at && it->second.gpus.size() == job.gpus.size() &&
      std::equal(job.gpus.begin(), job.gpus.end(), it->second.gpus.begin(),
                 [](const GpuRef& a, const GpuRef& b) { return a.index == b.index; })) {
    // Output, metrics or a pending cancel: nothing the scheduler reads.
    it->second = job;
    return;
  }
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
  auto id = worker_ids_.find(name);
  return id == worker_ids_.end() ? nullptr : FindWorker(id->second);
}

WorkerEntry& ClusterState::UpsertWorker(const WorkerRecord& record, int cpu_slots) {
  auto [it, added] = workers_.try_emplace(record.id);
  WorkerEntry& w = it->second;
  if (added) worker_ids_[record.name] = record.id;
  auto same_gpus = [](const std::vector<GpuInfo>& a, const std::vector<GpuInfo>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
      return x.index == y.index && x.model == y.model && x.memory_mb == y.memory_mb &&
             x.compute_capability == y.compute_capability;
    });
  };
  // A refreshed last-seen time changes nothing a pass reads.
  bool changed = added || w.record.state != record.state || w.cpu_slots != cpu_slots ||
                 !same_gpus(w.record.gpus, record.gpus);
  w.record = record;
  w.cpu_slots = cpu_slots;
  if (changed) SyncWorker(w);
  return w;
}

void ClusterState::SetUsage(int64_t worker_id, const std::vector<GpuUsage>& usage) {
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) return;
  WorkerEntry& w = it->second;
  auto foreign = [](const std::vector<GpuUsage>& list) {
    std::set<int> out;
    for (const auto& u : list)
      if (!u.foreign_pids.empty()) out.insert(u.index);
    return out;
  };
  bool changed = foreign(w.usage) != foreign(usage);
  w.usage = usage;
  if (changed) SyncWorker(w);
}

int ClusterState::ModelIndex(const GpuInfo& gpu) {
  auto key = std::make_tuple(gpu.model, gpu.memory_mb, gpu.compute_capability);
  auto [it, added] = model_index_.try_emplace(key, static_cast<int>(cluster_.models.size()));
  if (added) {
    // Whole GB as the model's name states them: NVML reports a little less than the name says
    // (an "80GB" H100 has 81,559 MiB), and a job asking for 80 GB means that card.
    sched::GpuModel m;
    m.name = gpu.model;
    m.memory_gb = std::round(static_cast<double>(gpu.memory_mb) / 1024);
    m.compute_capability = std::strtod(gpu.compute_capability.c_str(), nullptr);
    cluster_.models.push_back(std::move(m));
  }
  return it->second;
}

void ClusterState::SyncWorker(const WorkerEntry& w) {
  ++version_;
  const int64_t id = w.record.id;
  auto slot = worker_slot_.find(id);
  int64_t free_before = 0, free_after = 0;
  if (slot != worker_slot_.end()) {
    for (const auto& g : cluster_.workers[slot->second].gpus)
      if (g.job_id == 0 && g.usable) ++free_before;
  }
  if (w.record.state != WorkerState::kAlive) {
    if (slot != worker_slot_.end()) {
      // Workers stay in id order (a pass breaks ties by position): joining and leaving are rare.
      cluster_.workers.erase(cluster_.workers.begin() + static_cast<long>(slot->second));
      worker_slot_.erase(slot);
      for (auto& [wid, pos] : worker_slot_)
        if (wid > id) --pos;
    }
  } else {
    sched::Worker sw{id, {}};
    for (const auto& gpu : w.record.gpus) {
      auto owner = w.gpu_owner.find(gpu.index);
      bool foreign = std::any_of(w.usage.begin(), w.usage.end(), [&](const GpuUsage& u) {
        return u.index == gpu.index && !u.foreign_pids.empty();
      });
      int64_t job = owner == w.gpu_owner.end() ? 0 : owner->second;
      if (job == 0 && !foreign) ++free_after;
      sw.gpus.push_back({gpu.index, ModelIndex(gpu), job, !foreign});
    }
    if (slot != worker_slot_.end()) {
      cluster_.workers[slot->second] = std::move(sw);
    } else {
      auto at = std::lower_bound(cluster_.workers.begin(), cluster_.workers.end(), id,
                                 [](const sched::Worker& a, int64_t b) { return a.id < b; });
      size_t pos = static_cast<size_t>(at - cluster_.workers.begin());
      cluster_.workers.insert(at, std::move(sw));
      for (auto& [wid, p] : worker_slot_)
        if (wid > id) ++p;
      worker_slot_[id] = pos;
    }
  }
  free_gpus_ += free_after - free_before;
}

const sched::Cluster& ClusterState::SchedCluster(double now) {
  ledger_.Advance(now, held_by_key_);
  cluster_.recent_usage = ledger_.usage();
  cluster_.now = now;
  // A job not yet started counts as starting now: it has not run its minimum time.
  for (size_t i = 0; i < cluster_.running.size(); ++i) {
    sched::RunningJob& r = cluster_.running[i];
    r.start_time = running_started_[i] > 0 ? running_started_[i] : now;
    r.attained_gpu_seconds = r.gpus * std::max(0.0, now - r.start_time);
  }
  return cluster_;
}

void ClusterState::MarkDraining(int64_t job_id, const std::string& why) {
  auto slot = running_slot_.find(job_id);
  if (slot == running_slot_.end()) return;
  draining_[job_id] = why;
  cluster_.running[slot->second].draining = true;
  ++version_;
}

std::string ClusterState::DrainingReason(int64_t job_id) const {
  auto it = draining_.find(job_id);
  return it == draining_.end() ? std::string() : it->second;
}

bool ClusterState::HasCpuWork() const {
  if (cpu_queue_.empty()) return false;
  for (const auto& [id, w] : workers_)
    if (w.record.state == WorkerState::kAlive && w.cpu_slots > w.cpu_jobs) return true;
  return false;
}

std::vector<CpuPlacement> ClusterState::PlaceCpuJobs() const {
  std::vector<CpuPlacement> out;
  if (cpu_queue_.empty()) return out;
  // Most free slots first; the lower id on ties.
  std::priority_queue<std::pair<int, int64_t>> free;
  for (const auto& [id, w] : workers_) {
    if (w.record.state != WorkerState::kAlive) continue;
    int slots = w.cpu_slots - w.cpu_jobs;
    if (slots > 0) free.push({slots, -id});
  }
  for (auto key = cpu_queue_.begin(); key != cpu_queue_.end() && !free.empty(); ++key) {
    auto [slots, neg_id] = free.top();
    free.pop();
    out.push_back({key->id, -neg_id});
    if (slots > 1) free.push({slots - 1, neg_id});
  }
  return out;
}

int64_t ClusterState::CpuQueuePosition(int64_t job_id) const {
  int64_t position = 0;
  for (const auto& key : cpu_queue_) {
    if (key.id == job_id) return position;
    ++position;
  }
  return -1;
}

int ClusterState::OpenJobsInSweep(int64_t sweep_id) const {
  auto it = open_in_sweep_.find(sweep_id);
  return it == open_in_sweep_.end() ? 0 : it->second;
}

}  // namespace yard
