// Submitting and cancelling jobs and sweeps.
#include <spdlog/spdlog.h>

#include "api/job_spec.h"
#include "hpo/grid.h"
#include "master/master.h"

namespace yard {

Result<SubmitResult> Master::Submit(const Json& spec_json, const std::string& user) {
  YARD_ASSIGN_OR_RETURN(JobSpec spec, ParseJobSpec(spec_json));
  std::vector<Json> points;
  bool sweep = IsSweep(spec);
  if (sweep) {
    YARD_ASSIGN_OR_RETURN(points, ExpandGrid(spec.hyperparameters));
  } else {
    points.push_back(spec.hyperparameters);
  }

  std::lock_guard lock(mu_);
  int most = state_.MaxGpusOnOneWorker();
  if (!state_.workers().empty() && spec.resources.gpus > most) {
    return InvalidArgument(
        "spec field 'resources.gpus': asks for " + std::to_string(spec.resources.gpus) +
        " GPUs on one worker, but the largest worker has " + std::to_string(most));
  }
  Micros now = NowMicros();
  YARD_ASSIGN_OR_RETURN(auto txn, store_->Begin());
  SubmitResult result;
  if (sweep) {
    Sweep s;
    s.name = spec.name;
    s.user = user;
    s.spec = spec_json;
    s.algorithm = spec.search.is_object() ? spec.search.value("algorithm", "grid") : "grid";
    s.metric = spec.search.is_object() ? spec.search.value("metric", "") : "";
    s.maximize = !spec.search.is_object() || spec.search.value("goal", "maximize") == "maximize";
    s.state = "ACTIVE";
    s.created_at = now;
    YARD_RETURN_IF_ERROR(txn->InsertSweep(s));
    result.sweep_id = s.id;
  }
  std::vector<Job> jobs;
  jobs.reserve(points.size());
  for (auto& point : points) {
    Job job;
    job.name = spec.name;
    job.user = user;
    job.sweep_id = result.sweep_id;
    job.spec = FillPlaceholders(spec, point);
    // A trial carries its own point, not the sweep's whole space: the space can hold 100,000
    // points, and job rows are rewritten on every state change.
    job.spec.hyperparameters = point;
    job.spec.search = Json();
    job.hparams = std::move(point);
    job.state = JobState::kQueued;
    job.reason = "submitted";
    job.submitted_at = now;
    YARD_RETURN_IF_ERROR(txn->InsertJob(job));
    result.job_ids.push_back(job.id);
    jobs.push_back(std::move(job));
  }
  YARD_RETURN_IF_ERROR(txn->Commit());
  for (const auto& job : jobs) state_.Apply(job);
  if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
  return result;
}

Result<Job> Master::Cancel(int64_t job_id) {
  std::lock_guard lock(mu_);
  const Job* found = state_.FindJob(job_id);
  if (!found) {
    YARD_ASSIGN_OR_RETURN(Job stored, store_->GetJob(job_id));
    return Conflict("job " + std::to_string(job_id) + " has already ended (" +
                    std::string(ToString(stored.state)) + ")");
  }
  Job job = *found;
  Micros now = NowMicros();
  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  if (job.state == JobState::kQueued || job.state == JobState::kLost ||
      job.state == JobState::kPreempted) {
    YARD_RETURN_IF_ERROR(changes.Put(job, JobState::kCancelled, "cancelled by the user", now));
  } else {
    // Its worker may be starting it: the GPUs stay held until the worker says it has ended.
    job.cancel_requested = true;
    job.reason = "cancelling";
    YARD_RETURN_IF_ERROR(changes.Put(job));
  }
  YARD_RETURN_IF_ERROR(changes.Commit(state_));
  Job updated = changes.jobs().at(job_id);
  if (IsActive(updated.state)) {
    if (WorkerEntry* w = state_.FindWorker(updated.worker_id)) Notify(*w);
  }
  if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
  if (Status s = FinishSweepsIfDone({updated.sweep_id}); !s.ok())
    spdlog::error("master: {}", s.ToString());
  return updated;
}

Result<Sweep> Master::CancelSweep(int64_t sweep_id) {
  std::vector<int64_t> open;
  {
    std::lock_guard lock(mu_);
    YARD_ASSIGN_OR_RETURN(Sweep sweep, store_->GetSweep(sweep_id));
    if (sweep.state == "ACTIVE") {
      // Marked first, so that the last of its jobs to end does not call it DONE.
      sweep.state = "CANCELLED";
      YARD_ASSIGN_OR_RETURN(auto txn, store_->Begin());
      YARD_RETURN_IF_ERROR(txn->UpdateSweep(sweep));
      YARD_RETURN_IF_ERROR(txn->Commit());
    }
    for (const Job* job : state_.Jobs())
      if (job->sweep_id == sweep_id && !job->cancel_requested) open.push_back(job->id);
  }
  for (int64_t id : open) {
    auto r = Cancel(id);
    if (!r.ok() && r.status().code() != Code::kConflict) return r.status();
  }
  return GetSweep(sweep_id);
}

}  // namespace yard
