#include "master/changes.h"

namespace yard {

Result<JobChanges> JobChanges::Begin(Store& store) {
  YARD_ASSIGN_OR_RETURN(auto txn, store.Begin());
  return JobChanges(std::move(txn));
}

Status JobChanges::Put(Job job, JobState new_state, const std::string& reason, Micros now) {
  if (job.state != new_state) {
    job.state = new_state;
    job.reason = reason;
    if (IsTerminal(new_state) && job.finished_at == 0) job.finished_at = now;
    YARD_RETURN_IF_ERROR(txn_->AddStateChange({job.id, new_state, reason, now}));
  }
  return Put(job);
}

Status JobChanges::Put(const Job& job) {
  YARD_RETURN_IF_ERROR(txn_->UpdateJob(job));
  jobs_[job.id] = job;
  return Status::Ok();
}

Status JobChanges::Insert(Job& job) {
  YARD_RETURN_IF_ERROR(txn_->InsertJob(job));
  jobs_[job.id] = job;
  return Status::Ok();
}

const Job* JobChanges::Find(int64_t job_id) const {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : &it->second;
}

Status JobChanges::Commit(ClusterState& state) {
  YARD_RETURN_IF_ERROR(txn_->Commit());
  for (const auto& [id, job] : jobs_) state.Apply(job);
  return Status::Ok();
}

}  // namespace yard
