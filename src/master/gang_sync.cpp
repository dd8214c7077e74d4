// The master's side of gangs in the worker protocol: each worker runs its part of the job as
// if it were a job of its own; the master starts the job RUNNING when every part runs, ends it
// SUCCEEDED when every part has, and ends the whole attempt as soon as one part fails, times
// out, is cancelled, preempted or lost. The other parts' workers are woken, and their reports
// of that attempt are then stale: each gets a kill order (Heartbeat's rule for jobs that are
// not a worker's any more) and its ending is ignored.
#include <spdlog/spdlog.h>

#include "master/master.h"

namespace yard {
namespace {

std::string PartName(const GangPart& part) {
  return "rank " + std::to_string(part.rank) + " on " + part.worker_name;
}

}  // namespace

void Master::NotifyJobWorkers(const Job& job) {
  if (WorkerEntry* w = state_.FindWorker(job.worker_id)) Notify(*w);
  if (!state_.HasGangs()) return;
  if (const Gang* gang = state_.FindGang(job.id)) {
    for (const GangPart& part : gang->parts)
      if (part.worker_id != job.worker_id)
        if (WorkerEntry* w = state_.FindWorker(part.worker_id)) Notify(*w);
  }
}

void Master::WakeEndedGangs() {
  for (int64_t id : state_.TakeWorkersToWake())
    if (WorkerEntry* w = state_.FindWorker(id)) Notify(*w);
}

bool Master::ShouldAssign(const Job& job, int64_t worker_id) const {
  if (job.cancel_requested || !IsActive(job.state)) return false;
  if (const Gang* gang = state_.HasGangs() ? state_.FindGang(job.id) : nullptr) {
    const GangPart* part = gang->Part(worker_id);
    return part && part->reported == JobState::kAssigned && job.state != JobState::kRunning;
  }
  return job.state == JobState::kAssigned;
}

Status Master::GangReport(JobChanges& changes, const Job& current, int64_t worker_id,
                          const JobReport& r, HeartbeatResponse& response, Micros now) {
  Gang* gang = state_.FindGang(current.id);
  GangPart* part = gang ? gang->Part(worker_id) : nullptr;
  if (!part) return Internal("job " + std::to_string(current.id) + " has no part on this worker");
  Job job = current;
  const std::string where = PartName(*part);
  if (r.state == JobState::kSucceeded && !job.cancel_requested) {
    part->reported = JobState::kSucceeded;
    if (!gang->AllSucceeded()) return Status::Ok();  // the others are still at work
    job.exit_code = 0;
    job.finished_at = r.finished_at > 0 ? r.finished_at : now;
    if (job.started_at == 0) job.started_at = now;
    return changes.Put(job, JobState::kSucceeded, "every part succeeded", now);
  }
  if (r.state == JobState::kPreempted && !job.cancel_requested) {
    std::string why = state_.DrainingReason(job.id);
    return RequeuePreempted(changes, job, why.empty() ? "preempted: " + r.reason : why, now);
  }
  if (IsTerminal(r.state) || r.state == JobState::kPreempted) {
    // One part ending early ends the attempt: the others cannot go on without it.
    JobState final_state = r.state == JobState::kPreempted ? JobState::kCancelled : r.state;
    std::string reason = where + ": " + r.reason;
    if (job.cancel_requested) {
      final_state = job.stop_early ? JobState::kStoppedEarly : JobState::kCancelled;
      reason = job.stop_early ? "stopped early by its search" : "cancelled by the user";
    }
    spdlog::info("master: gang job {}: {} ended {}; stopping the other parts", job.id, where,
                 ToString(r.state));
    job.exit_code = r.exit_code;
    job.finished_at = r.finished_at > 0 ? r.finished_at : now;
    return changes.Put(job, final_state, reason, now);
  }
  if (r.state == JobState::kRunning || r.state == JobState::kStarting) {
    if (part->reported == JobState::kAssigned || r.state == JobState::kRunning)
      part->reported = r.state;
  }
  if (gang->AllStarted() && job.state != JobState::kRunning) {
    job.started_at = now;
    YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kRunning,
                                     "running on " + std::to_string(gang->parts.size()) +
                                         " workers (rank 0 on " + gang->parts.front().worker_name +
                                         ")",
                                     now));
  } else if (job.state == JobState::kAssigned) {
    YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kStarting, "starting: " + where, now));
  }
  if (job.cancel_requested) {
    response.kill.push_back({job.id, job.attempt, job.stop_early ? "stopped early" : "cancelled"});
  } else if (std::string why = state_.DrainingReason(job.id); !why.empty()) {
    int grace_ms = static_cast<int>(options_.policy.preempt_grace_s * 1000);
    response.kill.push_back({job.id, job.attempt, why, true, std::max(grace_ms, 1)});
  }
  return Status::Ok();
}

Status Master::GangPartUnlisted(JobChanges& changes, const Job& job, int64_t worker_id,
                                Micros now) {
  const Gang* gang = state_.FindGang(job.id);
  const GangPart* part = gang ? gang->Part(worker_id) : nullptr;
  if (!part || part->reported == JobState::kSucceeded) return Status::Ok();  // ended, acknowledged
  if (part->reported == JobState::kAssigned && job.state != JobState::kRunning) {
    // Not started there yet: sent again in this answer, unless the job is being cancelled and
    // no part has started, so that there is nothing to kill.
    if (job.cancel_requested && !gang->AnyReported())
      return changes.Put(job, job.stop_early ? JobState::kStoppedEarly : JobState::kCancelled,
                         job.stop_early ? "stopped early by its search" : "cancelled by the user",
                         now);
    return Status::Ok();
  }
  LoseJob(changes, job,
          "worker " + part->worker_name + " no longer runs its part (" + PartName(*part) + ")",
          now);
  return Status::Ok();
}

}  // namespace yard
