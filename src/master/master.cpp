#include "master/master.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "master/changes.h"
#include "sched/policy.h"

namespace yard {

sched::PolicyConfig MasterOptions::DefaultPolicy() {
  sched::PolicyConfig policy = *sched::PolicyPreset("team");
  return policy;
}

Master::Master(MasterOptions options) : options_(std::move(options)), state_(options_.policy) {}
Master::~Master() = default;

Result<std::unique_ptr<Master>> Master::Open(const MasterOptions& options) {
  std::unique_ptr<Master> master(new Master(options));
  YARD_ASSIGN_OR_RETURN(master->store_, Store::Open(options.db_url));
  master->logs_ = std::make_unique<LogStore>(options.data_dir / "logs");
  YARD_RETURN_IF_ERROR(master->logs_->Init());
  YARD_RETURN_IF_ERROR(master->Load());
  return master;
}

Status Master::Load() {
  std::lock_guard lock(mu_);
  Micros mono = MonotonicMicros();
  YARD_ASSIGN_OR_RETURN(auto workers, store_->ListWorkers());
  for (const auto& w : workers) {
    // Every worker gets a full timeout to come back to a restarted master.
    state_.UpsertWorker(w, w.cpu_slots).last_seen_mono = mono;
  }
  YARD_ASSIGN_OR_RETURN(auto jobs, store_->ListJobs({.active_only = true}));
  Micros now = NowMicros();
  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  for (const auto& job : jobs) {
    bool orphaned = IsActive(job.state) && !state_.FindWorker(job.worker_id);
    if (IsActive(job.state) && !orphaned && !job.gpus.empty() && IsGang(job)) {
      for (const std::string& name : GangWorkerNames(job))
        orphaned = orphaned || !state_.FindWorkerByName(name);
    }
    if (job.state == JobState::kLost || job.state == JobState::kPreempted || orphaned) {
      state_.Apply(job);
      LoseJob(changes, job, "its worker is unknown to the restarted master", now);
    } else {
      state_.Apply(job);
    }
  }
  ReloadSearches();
  YARD_RETURN_IF_ERROR(CommitChanges(changes, now));
  // A search may have finished while the master was down, between a last job's end and the
  // sweep's row saying so.
  std::vector<int64_t> active;
  for (const auto& [id, search] : searches_) active.push_back(id);
  YARD_RETURN_IF_ERROR(FinishSweepsIfDone(active));
  spdlog::info("master: loaded {} workers and {} unfinished jobs ({} queued) from {}",
               workers.size(), jobs.size(), state_.queued_count(), options_.db_url);
  return Dispatch();
}

void Master::Notify(WorkerEntry& worker) { news_.Post(worker.record.id); }

void Master::LoseJob(JobChanges& changes, const Job& job, const std::string& why, Micros now) {
  Job lost = job;
  auto fail = [&](Status s) {
    if (!s.ok()) spdlog::error("master: recording lost job {}: {}", job.id, s.ToString());
  };
  if (job.state != JobState::kLost && job.state != JobState::kPreempted) {
    fail(changes.Put(lost, JobState::kLost, why, now));
    lost = changes.jobs().at(job.id);
  }
  lost.worker_id = 0;
  lost.worker_name.clear();
  lost.gpus.clear();
  if (lost.cancel_requested) {
    fail(changes.Put(lost, JobState::kCancelled, "cancelled; " + why, now));
  } else if (lost.retries < lost.spec.max_retries) {
    ++lost.retries;
    fail(changes.Put(lost, JobState::kQueued,
                     why + "; back in the queue (retry " + std::to_string(lost.retries) + " of " +
                         std::to_string(lost.spec.max_retries) + ")",
                     now));
  } else {
    fail(changes.Put(lost, JobState::kFailed, why + "; no retries left", now));
  }
}

Status Master::Dispatch() {
  if (state_.queued_count() == 0) return Status::Ok();
  Micros now = NowMicros();
  double now_s = static_cast<double>(now) / 1e6;
  // Nothing the pass reads has changed, and no running job has crossed a threshold since.
  if (state_.version() == passed_version_ && now_s < wake_at_) return Status::Ok();
  // No free GPU and no possible victim: a pass could only decide nothing.
  if (!state_.HasFreeGpu() && !state_.HasPreemptibleJob() && !state_.HasCpuWork()) {
    passed_version_ = state_.version();
    wake_at_ = sched::kNever;
    ++dispatch_.skipped_passes;
    return Status::Ok();
  }
  auto start = std::chrono::steady_clock::now();
  auto micros_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 t)
        .count();
  };
  const sched::Cluster& cluster = state_.SchedCluster(now_s);
  auto policy_start = std::chrono::steady_clock::now();
  dispatch_.input_micros +=
      std::chrono::duration_cast<std::chrono::microseconds>(policy_start - start).count();
  sched::PassResult pass;
  if (state_.scheduler().size() > 0) pass = state_.scheduler().Pass(cluster);
  std::vector<CpuPlacement> cpu = state_.PlaceCpuJobs();
  dispatch_.policy_micros += micros_since(policy_start);
  wake_at_ = pass.wake_at;
  if (pass.assignments.empty() && pass.preempted.empty() && cpu.empty()) {
    passed_version_ = state_.version();
    ++dispatch_.idle_passes;
    dispatch_.idle_micros += micros_since(start);
    return Status::Ok();
  }

  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  // `gpus`: (worker, GPU index) pairs, the workers in rank order; the first is rank 0's.
  auto place = [&](int64_t job_id, int64_t worker_id,
                   const std::vector<std::pair<int64_t, int>>& gpus) -> Status {
    Job job = *state_.FindJob(job_id);
    const WorkerEntry& w = *state_.FindWorker(worker_id);
    job.worker_id = w.record.id;
    job.worker_name = w.record.name;
    job.gpus.clear();
    std::string where;
    int64_t last_worker = 0;
    for (const auto& [on, index] : gpus) {
      const WorkerEntry& part = on == worker_id ? w : *state_.FindWorker(on);
      for (const auto& gpu : part.record.gpus) {
        if (gpu.index != index) continue;
        job.gpus.push_back({part.record.name, gpu.index, gpu.uuid, gpu.model});
      }
      where += on == last_worker ? "," : (where.empty() ? "" : " + ") + part.record.name + " GPU ";
      where += std::to_string(index);
      last_worker = on;
    }
    if (gpus.empty()) where = w.record.name + " (no GPU)";
    ++job.attempt;
    job.started_at = 0;
    job.log_offset = 0;
    job.exit_code.reset();
    return changes.Put(job, JobState::kAssigned, "placed on " + where, now);
  };
  std::vector<std::pair<int64_t, int>> gpus;
  for (const auto& a : pass.assignments) {
    // A gang's GPUs come grouped by worker, the largest share first: that worker is rank 0.
    gpus.clear();
    for (const auto& slot : a.gpus) gpus.push_back({slot.worker_id, slot.gpu_index});
    YARD_RETURN_IF_ERROR(place(a.job_id, a.gpus.front().worker_id, gpus));
  }
  for (const auto& c : cpu) YARD_RETURN_IF_ERROR(place(c.job_id, c.worker_id, {}));
  YARD_RETURN_IF_ERROR(changes.Commit(state_));
  for (const auto& [id, job] : changes.jobs()) {
    if (job.attempt > 1) {
      Status s = logs_->Append(
          id, "--- attempt " + std::to_string(job.attempt) + " on " + job.worker_name + " ---\n");
      if (!s.ok()) spdlog::warn("master: {}", s.ToString());
    }
    NotifyJobWorkers(job);
  }
  // Victims keep their GPUs until their workers say they have ended (after the grace period at
  // most); the heartbeat answer carries the order to stop.
  for (size_t i = 0; i < pass.preempted.size(); ++i) {
    const Job* victim = state_.FindJob(pass.preempted[i]);
    if (!victim) continue;
    std::string why = "preempted to make room for job " + std::to_string(pass.preempted_for[i]);
    spdlog::info("master: job {}: {}", victim->id, why);
    state_.MarkDraining(victim->id, why);
    NotifyJobWorkers(*victim);
  }
  passed_version_ = state_.version();
  ++dispatch_.passes;
  dispatch_.jobs += pass.assignments.size() + cpu.size();
  dispatch_.preempted += pass.preempted.size();
  dispatch_.pass_micros += micros_since(start);
  return Status::Ok();
}

std::map<int64_t, WaitInfo> Master::ExplainQueued(const std::vector<int64_t>& job_ids) {
  std::map<int64_t, WaitInfo> out;
  std::vector<int64_t> gpu_jobs;
  for (int64_t id : job_ids) {
    const Job* job = state_.FindJob(id);
    if (!job || job->state != JobState::kQueued) continue;
    if (job->spec.resources.gpus > 0) {
      gpu_jobs.push_back(id);
      continue;
    }
    int64_t position = state_.CpuQueuePosition(id);
    out[id] = {position, "waiting for a CPU slot",
               std::to_string(position) + " CPU job" + (position == 1 ? "" : "s") +
                   " ahead of it; no free CPU slot"};
  }
  if (gpu_jobs.empty()) return out;
  const sched::Cluster& cluster = state_.SchedCluster(static_cast<double>(NowMicros()) / 1e6);
  for (auto& [id, e] : state_.scheduler().ExplainMany(cluster, gpu_jobs)) {
    if (e.reason == sched::WaitReason::kNotQueued) continue;
    out[id] = {e.position, sched::WaitReasonName(e.reason), e.text};
  }
  return out;
}

Result<WaitInfo> Master::Explain(int64_t job_id) {
  std::lock_guard lock(mu_);
  auto waits = ExplainQueued({job_id});
  auto it = waits.find(job_id);
  if (it == waits.end()) return NotFound("job " + std::to_string(job_id) + " is not queued");
  return it->second;
}

Status Master::RequeuePreempted(JobChanges& changes, const Job& job, const std::string& why,
                                Micros now) {
  YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kPreempted, why, now));
  Job queued = changes.jobs().at(job.id);
  queued.worker_id = 0;
  queued.worker_name.clear();
  queued.gpus.clear();
  queued.finished_at = 0;
  return changes.Put(queued, JobState::kQueued,
                     "back in the queue after preemption; resumes from its checkpoint", now);
}

Status Master::FinishSweepsIfDone(const std::vector<int64_t>& sweep_ids) {
  std::set<int64_t> done;
  for (int64_t id : sweep_ids) {
    if (id <= 0 || state_.OpenJobsInSweep(id) > 0) continue;
    auto search = searches_.find(id);
    if (search != searches_.end() && !search->second.searcher->Finished()) continue;
    done.insert(id);
  }
  if (done.empty()) return Status::Ok();
  YARD_ASSIGN_OR_RETURN(auto txn, store_->Begin());
  for (int64_t id : done) {
    YARD_ASSIGN_OR_RETURN(Sweep sweep, store_->GetSweep(id));
    if (sweep.finished_at > 0) continue;
    if (sweep.state == "ACTIVE") sweep.state = "DONE";
    sweep.finished_at = NowMicros();
    if (auto it = searches_.find(id); it != searches_.end())
      sweep.searcher_state = it->second.searcher->SaveState();
    YARD_RETURN_IF_ERROR(txn->UpdateSweep(sweep));
  }
  YARD_RETURN_IF_ERROR(txn->Commit());
  for (int64_t id : done) searches_.erase(id);
  return Status::Ok();
}

void Master::CheckLiveness() {
  std::lock_guard lock(mu_);
  Micros mono = MonotonicMicros();
  Micros now = NowMicros();
  bool any_silent = false;
  for (const auto& [id, w] : state_.workers())
    any_silent =
        any_silent || (w.record.state == WorkerState::kAlive &&
                       mono - w.last_seen_mono > int64_t{options_.worker_timeout_ms} * 1000);
  if (!any_silent) {
    // Time alone may let a waiting job preempt (a victim passes its minimum run time).
    if (static_cast<double>(now) / 1e6 >= wake_at_) {
      if (Status d = Dispatch(); !d.ok()) spdlog::error("master: dispatch: {}", d.ToString());
    }
    return;
  }
  auto changes = JobChanges::Begin(*store_);
  if (!changes.ok()) {
    spdlog::error("master: liveness check: {}", changes.status().ToString());
    return;
  }
  std::vector<WorkerEntry*> lost;
  for (auto& [id, w] : state_.mutable_workers()) {
    if (w.record.state != WorkerState::kAlive) continue;
    if (mono - w.last_seen_mono <= int64_t{options_.worker_timeout_ms} * 1000) continue;
    WorkerRecord record = w.record;
    record.state = WorkerState::kLost;
    Status s = changes->txn().UpsertWorker(record);
    if (!s.ok()) {
      spdlog::error("master: marking worker {} lost: {}", w.record.name, s.ToString());
      return;
    }
    lost.push_back(&w);
    std::string why = "worker " + w.record.name + " stopped sending heartbeats";
    for (int64_t job_id : w.jobs) {
      const Job* job = state_.FindJob(job_id);
      // A gang over two silent workers is lost once.
      if (!job || changes->jobs().count(job_id)) continue;
      if (const Gang* gang = state_.HasGangs() ? state_.FindGang(job_id) : nullptr) {
        const GangPart* part = gang->Part(id);
        if (part && part->reported == JobState::kSucceeded) continue;  // done there already
      }
      LoseJob(*changes, *job, why, now);
    }
  }
  if (lost.empty()) return;
  Status s = CommitChanges(*changes, now);
  if (!s.ok()) {
    spdlog::error("master: liveness check: {}", s.ToString());
    return;
  }
  for (WorkerEntry* w : lost) {
    WorkerRecord record = w->record;
    record.state = WorkerState::kLost;
    state_.UpsertWorker(record, w->cpu_slots);
    spdlog::warn("master: worker {} is lost (no heartbeat for {} ms)", w->record.name,
                 options_.worker_timeout_ms);
  }
  if (Status d = Dispatch(); !d.ok()) spdlog::error("master: dispatch: {}", d.ToString());
}

}  // namespace yard
