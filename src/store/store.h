// The database is the truth. The master writes every change here, in a transaction, before it
// acts on it, and rebuilds all of its state from here after a crash.
//
// One interface, implementations per database (SQLite now; PostgreSQL behind the same calls).
// Not thread-safe: the master serialises its calls.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

struct JobFilter {
  bool active_only = false;  // not terminal: QUEUED, ASSIGNED, STARTING, RUNNING, LOST, PREEMPTED
  int64_t sweep_id = 0;      // 0: any
  int limit = 0;             // 0: no limit; newest first when set (unless after_id is set)
  // When set: a page, oldest first, of the jobs whose id is above it (at most `limit`).
  std::optional<int64_t> after_id;
};

// What a sweep's jobs add up to.
struct SweepTally {
  std::map<JobState, int64_t> states;  // jobs in each state
  int64_t jobs = 0;
  double gpu_seconds = 0;
};

// A unit of work. Nothing it wrote is visible to other readers until Commit(); destroying an
// uncommitted transaction rolls it back.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Sets sweep.id.
  virtual Status InsertSweep(Sweep& sweep) = 0;
  virtual Status UpdateSweep(const Sweep& sweep) = 0;

  // Sets job.id. Also records the job's first state change. job.metrics is not stored: the
  // last values come from AddMetrics only.
  virtual Status InsertJob(Job& job) = 0;
  // Writes every column of the job but its metrics (so that a copy read before the latest
  // AddMetrics cannot erase them). Records nothing in the history; see AddStateChange.
  virtual Status UpdateJob(const Job& job) = 0;
  virtual Status AddStateChange(const StateChange& change) = 0;

  // Inserts or, for a known name, updates; sets worker.id.
  virtual Status UpsertWorker(WorkerRecord& worker) = 0;

  // Stores the points and makes each point's value its job's last value of its key (job.metrics);
  // a later point beats an earlier one.
  virtual Status AddMetrics(const std::vector<MetricPoint>& points) = 0;

  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite:PATH" (created with its folder if missing) or "postgresql://...".
  static Result<std::unique_ptr<Store>> Open(const std::string& url);

  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;

  virtual Result<int> SchemaVersion() = 0;

  virtual Result<Job> GetJob(int64_t id) = 0;
  // Oldest first (by id) unless filter.limit is set.
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter) = 0;
  virtual Result<std::vector<StateChange>> History(int64_t job_id) = 0;
  // Every point of one job, in the order they were added.
  virtual Result<std::vector<MetricPoint>> Metrics(int64_t job_id) = 0;

  virtual Result<Sweep> GetSweep(int64_t id) = 0;
  virtual Result<std::vector<Sweep>> ListSweeps() = 0;
  // Per sweep: its jobs in each state and the GPU-seconds they used (a running job's up to
  // `now`), counted by the database without reading the jobs: the sweep listing must not
  // cost a 100,000-point sweep's rows.
  virtual Result<std::map<int64_t, SweepTally>> SweepTallies(Micros now) = 0;

  virtual Result<std::vector<WorkerRecord>> ListWorkers() = 0;
};

}  // namespace yard
