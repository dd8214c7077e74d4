// Read-only views for users: jobs, sweeps, workers, logs, counters.
#include <algorithm>
#include <cstdint>

#include "master/master.h"

namespace yard {

Result<Job> Master::GetJob(int64_t job_id) {
  std::lock_guard lock(mu_);
  if (const Job* job = state_.FindJob(job_id)) return *job;
  return store_->GetJob(job_id);
}

Result<std::vector<Job>> Master::ListJobs(bool include_finished, int64_t sweep_id) {
  YARD_ASSIGN_OR_RETURN(JobPage page,
                        ListJobs({.include_finished = include_finished, .sweep_id = sweep_id}));
  return std::move(page.jobs);
}

Result<JobPage> Master::ListJobs(const JobListQuery& query) {
  std::lock_guard lock(mu_);
  JobPage page;
  size_t limit = query.limit > 0 ? static_cast<size_t>(query.limit) : SIZE_MAX;
  if (query.include_finished) {
    // One more than asked tells whether there is a next page.
    JobFilter filter{.sweep_id = query.sweep_id, .after_id = query.after_id};
    if (query.limit > 0) filter.limit = query.limit + 1;
    YARD_ASSIGN_OR_RETURN(page.jobs, store_->ListJobs(filter));
  } else {
    // The unfinished jobs are in memory, by id: a page costs its own size, not the queue's.
    const auto& jobs = state_.jobs();
    for (auto it = jobs.upper_bound(query.after_id); it != jobs.end() && page.jobs.size() <= limit;
         ++it) {
      if (query.sweep_id == 0 || it->second.sweep_id == query.sweep_id)
        page.jobs.push_back(it->second);
    }
    page.total = query.sweep_id == 0 ? static_cast<int64_t>(jobs.size())
                                     : state_.OpenJobsInSweep(query.sweep_id);
  }
  if (page.jobs.size() > limit) {
    page.jobs.resize(limit);
    page.next_after = page.jobs.back().id;
  }
  // One walk of the queue for the whole page, as far as its last queued job.
  std::vector<int64_t> queued;
  for (const auto& job : page.jobs)
    if (job.state == JobState::kQueued) queued.push_back(job.id);
  if (!queued.empty()) page.waits = ExplainQueued(queued);
  return page;
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

Result<std::map<int64_t, SweepTally>> Master::SweepTallies() {
  std::lock_guard lock(mu_);
  return store_->SweepTallies(NowMicros());
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
  for (const auto& [state, n] : state_.counts_by_state())
    by_state[std::string(ToString(state))] = n;
  int alive = 0, lost = 0, gpus = 0, busy = 0;
  for (const auto& [id, w] : state_.workers()) {
    (w.record.state == WorkerState::kAlive ? alive : lost) += 1;
    if (w.record.state != WorkerState::kAlive) continue;
    gpus += static_cast<int>(w.record.gpus.size());
    busy += static_cast<int>(w.gpu_owner.size());
  }
  const DispatchCounters& d = dispatch_;
  Json dispatch = {{"passes", d.passes},
                   {"jobs", d.jobs},
                   {"preempted", d.preempted},
                   {"pass_seconds", static_cast<double>(d.pass_micros) / 1e6},
                   {"input_seconds", static_cast<double>(d.input_micros) / 1e6},
                   {"policy_seconds", static_cast<double>(d.policy_micros) / 1e6},
                   {"idle_passes", d.idle_passes},
                   {"skipped_passes", d.skipped_passes},
                   {"idle_seconds", static_cast<double>(d.idle_micros) / 1e6}};
  return {{"jobs", by_state},    {"workers_alive", alive}, {"workers_lost", lost},
          {"gpus_total", gpus},  {"gpus_busy", busy},      {"queue_length", state_.queued_count()},
          {"dispatch", dispatch}};
}

}  // namespace yard
