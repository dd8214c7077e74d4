// The master: takes jobs and sweeps, keeps the queue in the database, places jobs on workers'
// GPUs the moment they are free, and watches that workers stay alive.
//
// Every change is written to the database in a transaction before the master acts on it; the
// in-memory ClusterState is rebuilt from the database at start. All methods are thread-safe
// (one lock; the HTTP server calls them from its threads).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/protocol.h"
#include "api/types.h"
#include "common/status.h"
#include "master/active_search.h"
#include "master/changes.h"
#include "master/cluster_state.h"
#include "master/log_store.h"
#include "master/news_board.h"
#include "sched/policy_config.h"
#include "store/store.h"

namespace yard {

struct MasterOptions {
  std::string db_url;                 // "sqlite:PATH"
  std::filesystem::path data_dir;     // logs live under it
  int worker_timeout_ms = 15'000;     // silence after which a worker is lost
  int heartbeat_interval_ms = 3'000;  // what workers are told
  // Whether the file server holds anything at a path (FileStore::HoldsAnything): an assignment
  // then says whether the job has a checkpoint to fetch, and the worker skips asking when it
  // has none. Empty: not known, and assignments do not say.
  std::function<Result<bool>(const std::string& path)> files_hold;
  // The scheduling policy (`--policy`); the default is the "team" preset.
  sched::PolicyConfig policy = DefaultPolicy();
  static sched::PolicyConfig DefaultPolicy();
};

// Where a queued job stands: its place in the scheduler's order and why it waits.
struct WaitInfo {
  int64_t position = 0;  // queued jobs ahead of it
  std::string reason;    // short: "no GPU of its model", "quota", "behind higher priority", ...
  std::string detail;    // for people: "no GPU in the cluster matches A100, >= 80 GB"
};

struct SubmitResult {
  int64_t sweep_id = 0;  // 0 for a single job
  std::vector<int64_t> job_ids;
};

// A page of the job listing: jobs with ids above `after_id`, oldest first, at most `limit`
// (0: all of them).
struct JobListQuery {
  bool include_finished = false;
  int64_t sweep_id = 0;  // 0: every sweep and lone job
  int limit = 0;
  int64_t after_id = 0;
};

struct JobPage {
  std::vector<Job> jobs;
  int64_t next_after = 0;             // the after_id of the next page; 0 when this is the last
  int64_t total = -1;                 // how many match in all; -1 when counting would cost a scan
  std::map<int64_t, WaitInfo> waits;  // for the page's queued jobs
};

// What dispatching has cost since the master started, for /metrics: the whole pass (bringing
// the scheduler's view up to `now`, the policy, the database commit, telling workers) and the
// policy (sched::Scheduler::Pass) alone.
struct DispatchCounters {
  uint64_t passes = 0;          // passes that placed or preempted at least one job
  uint64_t jobs = 0;            // jobs placed
  uint64_t preempted = 0;       // jobs told to stop for another
  int64_t pass_micros = 0;      // wall time of those passes
  int64_t input_micros = 0;     // bringing the Cluster up to now (ledger, running clocks)
  int64_t policy_micros = 0;    // inside the Scheduler's pass and the CPU-slot placement
  uint64_t idle_passes = 0;     // passes that placed nothing
  uint64_t skipped_passes = 0;  // not run: no free GPU and nothing preemptible
  int64_t idle_micros = 0;
};

struct OutputChunk {
  int64_t job_id = 0;
  int attempt = 0;
  int64_t offset = 0;  // where `data` starts in the attempt's output
  std::string data;
  std::vector<MetricPoint> metrics;  // parsed by the worker from the chunk's metric lines
};

class Master {
 public:
  static Result<std::unique_ptr<Master>> Open(const MasterOptions& options);
  ~Master();

  // Jobs and sweeps, for users.
  Result<SubmitResult> Submit(const Json& spec, const std::string& user);
  Result<Job> Cancel(int64_t job_id);
  Result<Sweep> CancelSweep(int64_t sweep_id);
  Result<Job> GetJob(int64_t job_id);
  // Why a job waits; NotFound unless it is queued.
  Result<WaitInfo> Explain(int64_t job_id);
  Result<std::vector<Job>> ListJobs(bool include_finished, int64_t sweep_id);
  Result<JobPage> ListJobs(const JobListQuery& query);
  Result<std::vector<StateChange>> History(int64_t job_id);
  Result<std::vector<MetricPoint>> Metrics(int64_t job_id);
  Result<Sweep> GetSweep(int64_t sweep_id);
  Result<std::vector<Sweep>> ListSweeps();
  Result<std::map<int64_t, SweepTally>> SweepTallies();  // by sweep id
  // Bytes of a job's log from `offset`, at most `max` of them.
  Result<std::string> ReadLog(int64_t job_id, int64_t offset, int64_t max);

  struct WorkerView {
    WorkerRecord record;
    std::vector<GpuUsage> usage;
    std::map<int, int64_t> gpu_owner;
  };
  std::vector<WorkerView> ListWorkers();
  Json Counters();  // for /metrics

  // The worker protocol.
  Result<RegisterResponse> Register(const RegisterRequest& request);
  Result<HeartbeatResponse> Heartbeat(int64_t worker_id, const HeartbeatRequest& request);
  // Blocks until there is news for the worker past `known` or the timeout passes; returns the
  // current news number.
  Result<uint64_t> WaitForNews(int64_t worker_id, uint64_t known, int timeout_ms);
  Status AppendOutput(const OutputChunk& chunk);

  // Marks workers that have been silent too long as lost. Called by a timer.
  void CheckLiveness();

 private:
  explicit Master(MasterOptions options);
  Status Load();

  // Runs a scheduling pass when something changed since the last one or its wake-up time has
  // come: places queued jobs on free GPUs and CPU slots, and tells the workers of preempted
  // jobs to stop them.
  Status Dispatch();
  std::map<int64_t, WaitInfo> ExplainQueued(const std::vector<int64_t>& job_ids);
  // A job that ended PREEMPTED goes back to the queue as a new attempt; retries are not used.
  Status RequeuePreempted(JobChanges& changes, const Job& job, const std::string& why, Micros now);
  // A job whose worker vanished: back to the queue while retries remain, else FAILED.
  void LoseJob(JobChanges& changes, const Job& job, const std::string& why, Micros now);
  Status FinishSweepsIfDone(const std::vector<int64_t>& sweep_ids);

  // Commits a batch of job changes: first tells the searchers of sweeps whose trials ended and
  // lets them start more (in the same transaction, with their new state), then applies the
  // batch, wakes the workers that must stop a job, and closes the sweeps that are done.
  Status CommitChanges(JobChanges& changes, Micros now);
  Status TellSearches(JobChanges& changes, Micros now);
  Status TellReports(ActiveSearch& search, const Job& job, const std::vector<MetricPoint>& points,
                     JobChanges& changes, Micros now);
  Status AdvanceSearch(ActiveSearch& search, JobChanges& changes, Micros now);
  Status ApplyDecisions(ActiveSearch& search, const std::vector<hpo::Decision>& decisions,
                        JobChanges& changes, Micros now);
  void ReloadSearches();
  const Job* Current(int64_t job_id, const JobChanges& changes) const;
  int OpenJobsInSweep(int64_t sweep_id, const JobChanges& changes) const;
  void Notify(WorkerEntry& worker);
  // Wakes the worker of each part of a job (one for a job on one worker).
  void NotifyJobWorkers(const Job& job);
  // Wakes the workers of gang attempts that just ended (ClusterState::TakeWorkersToWake).
  void WakeEndedGangs();
  // The assignment for the job's part on `worker_id` (the whole job on one worker).
  Assignment MakeAssignment(const Job& job, int64_t worker_id) const;
  // A worker's report on its part of a gang's current attempt (gang_sync.cpp).
  Status GangReport(JobChanges& changes, const Job& job, int64_t worker_id, const JobReport& r,
                    HeartbeatResponse& response, Micros now);
  // A gang part its worker no longer lists: sent again, or the whole attempt lost.
  Status GangPartUnlisted(JobChanges& changes, const Job& job, int64_t worker_id, Micros now);
  // Whether the job's part on the worker may go in its `assign` list.
  bool ShouldAssign(const Job& job, int64_t worker_id) const;

  MasterOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LogStore> logs_;
  std::mutex mu_;
  NewsBoard news_;  // its own lock: a long poll never waits on mu_
  ClusterState state_;
  std::map<int64_t, ActiveSearch> searches_;  // by sweep id, for ACTIVE sweeps
  DispatchCounters dispatch_;
  uint64_t passed_version_ = UINT64_MAX;  // ClusterState::version() after the last pass
  double wake_at_ = sched::kNever;        // when time alone may change the last pass's answer
};

}  // namespace yard
