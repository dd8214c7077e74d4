// Submitting and cancelling jobs and sweeps.
#include <spdlog/spdlog.h>

#include "api/job_spec.h"
#include "hpo/grid.h"
#include "master/master.h"

namespace yard {

Result<SubmitResult> Master::Submit(const Json& spec_json, const std::string& user) {
  YARD_ASSIGN_OR_RETURN(JobSpec spec, ParseJobSpec(spec_json));
  bool sweep = IsSweep(spec);
  Sweep s;
  if (sweep) {
    // Checked before anything is written: a bad space or search block creates nothing.
    YARD_RETURN_IF_ERROR(DescribeSweep(spec, s));
  }

  std::lock_guard lock(mu_);
  // A job larger than any one worker runs as a gang over several, and one larger than the
  // whole cluster waits, saying so, for workers that may join: ParseJobSpec's kMaxGpusPerJob is
  // the only bound.
  Micros now = NowMicros();
  YARD_ASSIGN_OR_RETURN(JobChanges changes, JobChanges::Begin(*store_));
  SubmitResult result;
  if (!sweep) {
    Job job;
    job.name = spec.name;
    job.user = user;
    job.spec = FillPlaceholders(spec, spec.hyperparameters);
    job.hparams = spec.hyperparameters;
    job.state = JobState::kQueued;
    job.reason = "submitted";
    job.submitted_at = now;
    YARD_RETURN_IF_ERROR(changes.Insert(job));
    result.job_ids.push_back(job.id);
  } else {
    s.name = spec.name;
    s.user = user;
    s.spec = JobSpecToJson(spec);
    s.state = "ACTIVE";
    s.created_at = now;
    YARD_RETURN_IF_ERROR(changes.txn().InsertSweep(s));
    result.sweep_id = s.id;
    // Without a seed of its own, each sweep draws its own trials, repeatably.
    if (!s.spec.contains("search") || !s.spec["search"].is_object())
      s.spec["search"] = Json::object();
    if (!s.spec["search"].contains("seed")) s.spec["search"]["seed"] = s.id;
    YARD_ASSIGN_OR_RETURN(ActiveSearch search, MakeActiveSearch(s));
    YARD_RETURN_IF_ERROR(AdvanceSearch(search, changes, now));
    search.sweep.searcher_state = search.searcher->SaveState();
    YARD_RETURN_IF_ERROR(changes.txn().UpdateSweep(search.sweep));
    for (const auto& [id, job] : changes.jobs()) result.job_ids.push_back(id);
    YARD_RETURN_IF_ERROR(changes.Commit(state_));
    searches_.emplace(s.id, std::move(search));
    if (Status d = Dispatch(); !d.ok()) spdlog::error("master: dispatch: {}", d.ToString());
    return result;
  }
  YARD_RETURN_IF_ERROR(changes.Commit(state_));
  if (Status d = Dispatch(); !d.ok()) spdlog::error("master: dispatch: {}", d.ToString());
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
  Job updated = changes.jobs().at(job_id);
  YARD_RETURN_IF_ERROR(CommitChanges(changes, now));
  if (Status s = Dispatch(); !s.ok()) spdlog::error("master: dispatch: {}", s.ToString());
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
      searches_.erase(sweep_id);  // no more trials: what runs is cancelled below
    }
    for (const auto& [id, job] : state_.jobs())
      if (job.sweep_id == sweep_id && !job.cancel_requested) open.push_back(id);
  }
  for (int64_t id : open) {
    auto r = Cancel(id);
    if (!r.ok() && r.status().code() != Code::kConflict) return r.status();
  }
  return GetSweep(sweep_id);
}

}  // namespace yard
