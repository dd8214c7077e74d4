// Sweeps driven by searchers: their decisions become jobs, and what jobs report (metrics, their
// end) goes back to the searchers, all inside the transaction that records the jobs' changes,
// together with the searcher's new state.
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>
#include <set>

#include "hpo/grid.h"
#include "master/master.h"

namespace yard {
namespace {

double LastValue(const Job& job, const std::string& metric) {
  auto it = job.metrics.find(metric);
  return it == job.metrics.end() ? std::nan("") : it->second;
}

hpo::TrialEnd EndOf(const Job& job) {
  if (job.state == JobState::kSucceeded) return hpo::TrialEnd::kCompleted;
  if (job.state == JobState::kStoppedEarly) return hpo::TrialEnd::kStopped;
  return hpo::TrialEnd::kFailed;
}

}  // namespace

const Job* Master::Current(int64_t job_id, const JobChanges& changes) const {
  if (const Job* job = changes.Find(job_id)) return job;
  return state_.FindJob(job_id);
}

int Master::OpenJobsInSweep(int64_t sweep_id, const JobChanges& changes) const {
  int open = state_.OpenJobsInSweep(sweep_id);
  for (const auto& [id, job] : changes.jobs()) {
    if (job.sweep_id != sweep_id) continue;
    bool was_open = state_.FindJob(id) != nullptr;
    bool is_open = !IsTerminal(job.state);
    open += static_cast<int>(is_open) - static_cast<int>(was_open);
  }
  return open;
}

Status Master::ApplyDecisions(ActiveSearch& search, const std::vector<hpo::Decision>& decisions,
                              JobChanges& changes, Micros now) {
  for (const auto& d : decisions) {
    if (d.kind == hpo::DecisionKind::kStop) {
      auto it = search.trial_job.find(d.trial);
      if (it == search.trial_job.end()) continue;
      const Job* job = Current(it->second, changes);
      if (!job || IsTerminal(job->state) || job->cancel_requested) continue;
      Job stopping = *job;
      stopping.stop_early = true;
      if (stopping.state == JobState::kQueued) {
        YARD_RETURN_IF_ERROR(changes.Put(
            stopping, JobState::kStoppedEarly,
            "stopped early by the " + search.config.algorithm + " search before it started", now));
      } else {
        stopping.cancel_requested = true;
        stopping.reason = "stopping early: the " + search.config.algorithm + " search cut it";
        YARD_RETURN_IF_ERROR(changes.Put(stopping));
      }
      continue;
    }
    Job job;
    job.name = search.sweep.name;
    job.user = search.sweep.user;
    job.sweep_id = search.sweep.id;
    job.trial = d.trial;
    job.spec = FillPlaceholders(search.base, d.hparams);
    job.spec.hyperparameters = d.hparams;
    job.spec.search = Json();
    job.hparams = d.hparams;
    job.state = JobState::kQueued;
    job.reason = d.kind == hpo::DecisionKind::kPromote
                     ? "promoted to " + search.config.budget->param + "=" +
                           ValueText(d.hparams[search.config.budget->param])
                     : "submitted";
    job.submitted_at = now;
    YARD_RETURN_IF_ERROR(changes.Insert(job));
    search.trial_job[d.trial] = job.id;
  }
  return Status::Ok();
}

Status Master::AdvanceSearch(ActiveSearch& search, JobChanges& changes, Micros now) {
  int room = search.MaxParallel() - OpenJobsInSweep(search.sweep.id, changes);
  if (room <= 0) return Status::Ok();
  auto decisions = search.searcher->Ask(room);
  return ApplyDecisions(search, decisions, changes, now);
}

Status Master::TellSearches(JobChanges& changes, Micros now) {
  std::set<int64_t> touched;
  // Collected first: applying decisions adds jobs to the batch while it is walked.
  std::vector<Job> ended;
  for (const auto& [id, job] : changes.jobs()) {
    if (job.trial < 0 || !IsTerminal(job.state)) continue;
    if (!state_.FindJob(id)) continue;  // already ended before this batch
    ended.push_back(job);
  }
  for (const Job& job : ended) {
    auto it = searches_.find(job.sweep_id);
    if (it == searches_.end()) continue;
    it->second.searcher->TellEnded(job.trial, EndOf(job), LastValue(job, it->second.config.metric));
    touched.insert(job.sweep_id);
  }
  for (int64_t sweep_id : touched) {
    ActiveSearch& search = searches_.at(sweep_id);
    size_t before = changes.jobs().size();
    YARD_RETURN_IF_ERROR(AdvanceSearch(search, changes, now));
    // Endings alone are not saved with the searcher: the job rows hold them, and
    // ReloadSearches tells them again. Saving every ending would write the whole search (a
    // 100,000-point grid) once per job. Decisions are saved with the jobs they create.
    if (changes.jobs().size() == before) continue;
    search.sweep.searcher_state = search.searcher->SaveState();
    YARD_RETURN_IF_ERROR(changes.txn().UpdateSweep(search.sweep));
  }
  return Status::Ok();
}

Status Master::TellReports(ActiveSearch& search, const Job& job,
                           const std::vector<MetricPoint>& points, JobChanges& changes,
                           Micros now) {
  bool told = false;
  for (const auto& p : points) {
    if (p.key != search.config.metric || job.trial < 0) continue;
    auto decisions = search.searcher->TellReport(job.trial, static_cast<double>(p.step), p.value);
    YARD_RETURN_IF_ERROR(ApplyDecisions(search, decisions, changes, now));
    told = true;
  }
  if (!told) return Status::Ok();
  YARD_RETURN_IF_ERROR(AdvanceSearch(search, changes, now));
  search.sweep.searcher_state = search.searcher->SaveState();
  return changes.txn().UpdateSweep(search.sweep);
}

Status Master::CommitChanges(JobChanges& changes, Micros now) {
  YARD_RETURN_IF_ERROR(TellSearches(changes, now));
  std::vector<int64_t> sweeps;
  for (const auto& [id, job] : changes.jobs())
    if (job.sweep_id > 0 && IsTerminal(job.state)) sweeps.push_back(job.sweep_id);
  Status committed = changes.Commit(state_);
  if (!committed.ok()) {
    // The searchers were told things the database did not keep: back to what it holds.
    ReloadSearches();
    return committed;
  }
  for (const auto& [id, job] : changes.jobs()) {
    if (job.cancel_requested && IsActive(job.state)) NotifyJobWorkers(job);
  }
  WakeEndedGangs();
  return FinishSweepsIfDone(sweeps);
}

void Master::ReloadSearches() {
  searches_.clear();
  auto sweeps = store_->ListSweeps();
  if (!sweeps.ok()) {
    spdlog::error("master: reloading searches: {}", sweeps.status().ToString());
    return;
  }
  for (const auto& sweep : *sweeps) {
    if (sweep.state != "ACTIVE") continue;
    auto search = MakeActiveSearch(sweep);
    if (!search.ok()) {
      spdlog::error("master: sweep {}: {}", sweep.id, search.status().ToString());
      continue;
    }
    searches_.emplace(sweep.id, std::move(search).value());
  }
  // A saved searcher state may predate endings (TellSearches saves it with decisions only):
  // tell it how each trial's latest job ended. Searchers ignore endings of trials they do not
  // think running, so endings they already knew change nothing.
  for (auto& [sweep_id, search] : searches_) {
    auto jobs = store_->ListJobs({.sweep_id = sweep_id});
    if (!jobs.ok()) {
      spdlog::error("master: sweep {}: {}", sweep_id, jobs.status().ToString());
      continue;
    }
    std::map<int64_t, const Job*> latest;  // by trial
    for (const Job& job : *jobs) {
      if (job.trial < 0) continue;
      const Job*& l = latest[job.trial];
      if (!l || job.id > l->id) l = &job;
    }
    for (const auto& [trial, job] : latest) {
      search.trial_job[trial] = job->id;
      const Job* current = state_.FindJob(job->id);
      if (!current && IsTerminal(job->state))
        search.searcher->TellEnded(trial, EndOf(*job), LastValue(*job, search.config.metric));
    }
  }
}

}  // namespace yard
