// The master's side of the worker protocol: registration, heartbeats that reconcile what a
// worker runs with what the database says it should run, and job output.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "api/file_layout.h"
#include "master/master.h"

namespace yard {
namespace {

// Writing a worker's last-seen time on every heartbeat would cost a transaction each; the
// failure detector works from memory, so the row is refreshed only this often.
constexpr Micros kLastSeenPersistEvery = 10'000'000;

}  // namespace

Assignment Master::MakeAssignment(const Job& job, int64_t worker_id) const {
  Assignment a;
  a.job_id = job.id;
  a.attempt = job.attempt;
  a.sweep_id = job.sweep_id;
  a.trial = job.trial;
  a.spec = job.spec;
  a.hparams = job.hparams;
  const Gang* gang = state_.HasGangs() ? state_.FindGang(job.id) : nullptr;
  if (!gang) {
    for (const auto& g : job.gpus) a.gpus.push_back(g.index);
  } else {
    const GangPart* part = gang->Part(worker_id);
    for (const auto& g : job.gpus)
      if (part && g.worker == part->worker_name) a.gpus.push_back(g.index);
    a.num_nodes = static_cast<int>(gang->parts.size());
    a.node_rank = part ? part->rank : 0;
    const auto& workers = state_.workers();
    auto rank0 = workers.find(gang->parts.front().worker_id);
    a.master_addr =
        rank0 == workers.end() ? gang->parts.front().worker_name : rank0->second.record.host;
    a.master_port = GangPort(job.id, job.attempt);
  }
  if (options_.files_hold) {
    // A stat on the master saves the worker a listing over HTTP before each start.
    auto held = options_.files_hold(CheckpointFolder(job.id, job.sweep_id, job.trial));
    if (held.ok()) a.has_checkpoint = *held;
  }
  return a;
}

Result<RegisterResponse> Master::Register(const RegisterRequest& request) {
  std::lock_guard lock(mu_);
  Micros now = NowMicros();
  WorkerEntry* existing = state_.FindWorkerByName(request.name);
  WorkerRecord record = existing ? existing->record : WorkerRecord{};
  record.name = request.name;
  record.host = request.host;
  record.runtime = request.runtime;
  record.cpu_slots = request.cpu_slots;
  record.gpus = request.gpus;
  record.state = WorkerState::kAlive;
  if (!existing) record.registered_at = now;
  record.last_seen_at = now;

  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  YARD_RETURN_IF_ERROR(changes.txn().UpsertWorker(record));
  if (existing) {
    // A worker that registers again has restarted: what it did not reattach to is gone.
    std::set<std::pair<int64_t, int>> kept;
    for (const auto& r : request.jobs) kept.insert({r.job_id, r.attempt});
    for (int64_t job_id : existing->jobs) {
      const Job* job = state_.FindJob(job_id);
      if (!job || kept.count({job->id, job->attempt})) continue;
      if (const Gang* gang = state_.HasGangs() ? state_.FindGang(job_id) : nullptr) {
        // A part that ended and was acknowledged is not listed; one never started is sent again.
        const GangPart* part = gang->Part(existing->record.id);
        if (!part || part->reported == JobState::kSucceeded) continue;
        if (part->reported == JobState::kAssigned && job->state != JobState::kRunning) continue;
      }
      LoseJob(changes, *job, "worker " + record.name + " restarted without it", now);
    }
  }
  YARD_RETURN_IF_ERROR(CommitChanges(changes, now));
  WorkerEntry& entry = state_.UpsertWorker(record, record.cpu_slots);
  entry.last_seen_mono = MonotonicMicros();
  state_.SetUsage(record.id, {});
  spdlog::info("master: worker {} (id {}) registered with {} GPUs", record.name, record.id,
               record.gpus.size());
  if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
  Notify(entry);
  RegisterResponse response{record.id, options_.heartbeat_interval_ms, {}};
  for (const auto& r : request.jobs) {
    const Job* job = state_.FindJob(r.job_id);
    if (job && job->worker_id == record.id && job->attempt == r.attempt)
      response.output_offsets[job->id] = job->log_offset;
  }
  return response;
}

Result<HeartbeatResponse> Master::Heartbeat(int64_t worker_id, const HeartbeatRequest& request) {
  std::lock_guard lock(mu_);
  WorkerEntry* w = state_.FindWorker(worker_id);
  if (!w) return NotFound("unknown worker " + std::to_string(worker_id) + "; register again");
  Micros now = NowMicros();
  w->last_seen_mono = MonotonicMicros();
  state_.SetUsage(worker_id, request.usage);
  const std::string& name = w->record.name;

  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  WorkerRecord record = w->record;
  bool record_changed = false;
  if (record.state == WorkerState::kLost) {
    record.state = WorkerState::kAlive;
    spdlog::info("master: worker {} is back", name);
    record_changed = true;
  }
  if (now - record.last_seen_at > kLastSeenPersistEvery) record_changed = true;
  if (record_changed) {
    record.last_seen_at = now;
    YARD_RETURN_IF_ERROR(changes.txn().UpsertWorker(record));
  }

  HeartbeatResponse response;
  std::set<int64_t> reported;
  for (const auto& r : request.jobs) {
    const Job* current = state_.FindJob(r.job_id);
    bool part_of_gang = current && current->worker_id != worker_id && state_.HasGangs() &&
                        w->jobs.count(r.job_id) > 0;
    if (!current || (current->worker_id != worker_id && !part_of_gang) ||
        current->attempt != r.attempt || !IsActive(current->state)) {
      // Not this worker's any more (it was lost and the job moved on, or the job ended).
      if (!IsTerminal(r.state) && r.state != JobState::kPreempted)
        response.kill.push_back({r.job_id, r.attempt, "not assigned to this worker any more"});
      continue;
    }
    reported.insert(r.job_id);
    if (state_.HasGangs() && state_.FindGang(r.job_id)) {
      YARD_RETURN_IF_ERROR(GangReport(changes, *current, worker_id, r, response, now));
      continue;
    }
    Job job = *current;
    if (r.started_at > 0 && job.started_at == 0) job.started_at = r.started_at;
    if (r.state == JobState::kPreempted && !job.cancel_requested) {
      // Stopped for another job: back to the queue as a new attempt, its checkpoint uploaded.
      std::string why = state_.DrainingReason(job.id);
      YARD_RETURN_IF_ERROR(
          RequeuePreempted(changes, job, why.empty() ? "preempted: " + r.reason : why, now));
      continue;
    }
    if (IsTerminal(r.state) || r.state == JobState::kPreempted) {
      JobState final_state = r.state == JobState::kPreempted ? JobState::kCancelled : r.state;
      std::string reason = r.reason;
      if (job.cancel_requested && final_state != JobState::kSucceeded) {
        final_state = job.stop_early ? JobState::kStoppedEarly : JobState::kCancelled;
        reason = job.stop_early ? "stopped early by its search" : "cancelled by the user";
      }
      job.exit_code = r.exit_code;
      job.finished_at = r.finished_at > 0 ? r.finished_at : now;
      YARD_RETURN_IF_ERROR(changes.Put(job, final_state, reason, now));
      continue;
    }
    if (r.state == JobState::kRunning && job.state != JobState::kRunning) {
      if (job.started_at == 0) job.started_at = now;
      YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kRunning, "running on " + name, now));
    } else if (r.state == JobState::kStarting && job.state == JobState::kAssigned) {
      YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kStarting, "starting on " + name, now));
    }
    if (job.cancel_requested) {
      response.kill.push_back(
          {job.id, job.attempt, job.stop_early ? "stopped early" : "cancelled"});
    } else if (std::string why = state_.DrainingReason(job.id); !why.empty()) {
      int grace_ms = static_cast<int>(options_.policy.preempt_grace_s * 1000);
      response.kill.push_back({job.id, job.attempt, why, true, std::max(grace_ms, 1)});
    }
  }
  // The worker lists every job it holds, so an unlisted one past ASSIGNED is gone from it.
  for (int64_t job_id : std::set<int64_t>(w->jobs)) {
    const Job* job = state_.FindJob(job_id);
    if (!job || reported.count(job_id)) continue;
    if (state_.HasGangs() && state_.FindGang(job_id)) {
      YARD_RETURN_IF_ERROR(GangPartUnlisted(changes, *job, worker_id, now));
    } else if (job->state == JobState::kAssigned && job->cancel_requested) {
      YARD_RETURN_IF_ERROR(changes.Put(
          *job, job->stop_early ? JobState::kStoppedEarly : JobState::kCancelled,
          job->stop_early ? "stopped early by its search" : "cancelled by the user", now));
    } else if (job->state != JobState::kAssigned) {
      LoseJob(changes, *job, "worker " + name + " no longer runs it", now);
    }
  }
  YARD_RETURN_IF_ERROR(CommitChanges(changes, now));
  if (record_changed) state_.UpsertWorker(record, w->cpu_slots);
  // Runs a pass only if something it reads changed (jobs, the worker, a GPU that a foreign
  // process took or let go of).
  if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
  for (int64_t job_id : w->jobs) {
    const Job* job = state_.FindJob(job_id);
    if (job && ShouldAssign(*job, worker_id))
      response.assign.push_back(MakeAssignment(*job, worker_id));
  }
  // Everything the news counter announced so far (this handler's own dispatch included) is in
  // this answer: the worker's long poll need not trigger another heartbeat for it.
  response.news = news_.Current(worker_id);
  return response;
}

Result<uint64_t> Master::WaitForNews(int64_t worker_id, uint64_t known, int timeout_ms) {
  {
    std::lock_guard lock(mu_);
    if (!state_.FindWorker(worker_id))
      return NotFound("unknown worker " + std::to_string(worker_id));
  }
  return news_.Wait(worker_id, known, std::chrono::milliseconds(timeout_ms));
}

Status Master::AppendOutput(const OutputChunk& chunk) {
  std::lock_guard lock(mu_);
  const Job* current = state_.FindJob(chunk.job_id);
  if (!current || current->attempt != chunk.attempt || !IsActive(current->state))
    return Conflict("job " + std::to_string(chunk.job_id) + " attempt " +
                    std::to_string(chunk.attempt) + " is not running");
  int64_t size = static_cast<int64_t>(chunk.data.size());
  if (chunk.offset + size <= current->log_offset) return Status::Ok();  // a resend
  if (chunk.offset != current->log_offset)
    return Conflict("expected output from offset " + std::to_string(current->log_offset));
  YARD_RETURN_IF_ERROR(logs_->Append(chunk.job_id, chunk.data));
  Job job = *current;
  job.log_offset += size;
  std::vector<MetricPoint> points = chunk.metrics;
  Micros now = NowMicros();
  for (auto& p : points) {
    p.job_id = job.id;
    if (p.at == 0) p.at = now;
    job.metrics[p.key] = p.value;
  }
  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  if (!points.empty()) YARD_RETURN_IF_ERROR(changes.txn().AddMetrics(points));
  YARD_RETURN_IF_ERROR(changes.Put(job));
  if (auto search = searches_.find(job.sweep_id); search != searches_.end() && !points.empty())
    YARD_RETURN_IF_ERROR(TellReports(search->second, job, points, changes, now));
  YARD_RETURN_IF_ERROR(CommitChanges(changes, now));
  if (changes.jobs().size() > 1) {  // the search stopped or started trials
    if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
  }
  return Status::Ok();
}

}  // namespace yard
