// Read-only views for users: jobs, sweeps, workers, logs, counters.
#include <algorithm>

#include "master/master.h"

namespace yard {

Result<Job> Master::GetJob(int64_t job_id) {
  std::lock_guard lock(mu_);
  if (const Job* job = state_.FindJob(job_id)) return *job;
  return store_->GetJob(job_id);
}

Result<std::vector<Job>> Master::ListJobs(bool include_finished, int64_t sweep_id) {
  std::lock_guard lock(mu_);
  if (include_finished) return store_->ListJobs({.sweep_id = sweep_id});
  std::vector<Job> out;
  for (const Job* job : state_.Jobs())
    if (sweep_id == 0 || job->sweep_id == sweep_id) out.push_back(*job);
  return out;
}

Result<std::vector<StateChange>> Master::History(int64_t job_id) {
  std::lock_guard lock(mu_);
  return store_->History(job_id);
}

Result<std::vector<MetricPoint>> Master::Metrics(int64_t job_id) {
  std::lock_guard lock(mu_);
  return store_->Metrics(job_id);
}

Result<Sweep> Master::GetSweep(int64_t sweep_id) {
  std::lock_guard lock(mu_);
  return store_->GetSweep(sweep_id);
}

Result<std::vector<Sweep>> Master::ListSweeps() {
  std::lock_guard lock(mu_);
  return store_->ListSweeps();
}

Result<std::string> Master::ReadLog(int64_t job_id, int64_t offset, int64_t max) {
  return logs_->Read(job_id, offset, max);
}

std::vector<Master::WorkerView> Master::ListWorkers() {
  std::lock_guard lock(mu_);
  std::vector<WorkerView> out;
  for (const auto& [id, w] : state_.workers()) out.push_back({w.record, w.usage, w.gpu_owner});
  return out;
}

Json Master::Counters() {
  std::lock_guard lock(mu_);
  std::map<std::string, int> by_state;
  for (const Job* job : state_.Jobs()) ++by_state[std::string(ToString(job->state))];
  int alive = 0, lost = 0, gpus = 0, busy = 0;
  for (const auto& [id, w] : state_.workers()) {
    (w.record.state == WorkerState::kAlive ? alive : lost) += 1;
    if (w.record.state != WorkerState::kAlive) continue;
    gpus += static_cast<int>(w.record.gpus.size());
    busy += static_cast<int>(w.gpu_owner.size());
  }
  return {{"jobs", by_state},   {"workers_alive", alive}, {"workers_lost", lost},
          {"gpus_total", gpus}, {"gpus_busy", busy},      {"queue_length", state_.queued_count()}};
}

}  // namespace yard
