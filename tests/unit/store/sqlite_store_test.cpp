// The SQLite Store through its interface: round trips, transactions, reads and filters.
#include <cmath>
#include <limits>

#include "store_test_util.h"

namespace yard::testing {
namespace {

using SqliteStoreTest = StoreTest;

constexpr JobState kAllStates[] = {
    JobState::kQueued,       JobState::kAssigned, JobState::kStarting,  JobState::kRunning,
    JobState::kSucceeded,    JobState::kFailed,   JobState::kCancelled, JobState::kTimedOut,
    JobState::kStoppedEarly, JobState::kLost,     JobState::kPreempted,
};

// Inserts `job` in a transaction of its own.
Status InsertJob(Store& store, Job& job) {
  YARD_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx, store.Begin());
  YARD_RETURN_IF_ERROR(tx->InsertJob(job));
  return tx->Commit();
}

std::vector<int64_t> Ids(const std::vector<Job>& jobs) {
  std::vector<int64_t> ids;
  for (const Job& job : jobs) ids.push_back(job.id);
  return ids;
}

TEST_F(SqliteStoreTest, JobSweepAndWorkerRoundTripEveryField) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep sweep = FullSweep();
  WorkerRecord worker = FullWorker();
  Job job;
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    ASSERT_OK(tx->UpsertWorker(worker));
    job = FullJob(sweep.id, worker.id);
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_GT(sweep.id, 0);
  EXPECT_GT(worker.id, 0);
  EXPECT_GT(job.id, 0);

  ASSERT_OK_AND_ASSIGN(Job read_job, store->GetJob(job.id));
  ExpectSameJob(read_job, job);
  ASSERT_OK_AND_ASSIGN(Sweep read_sweep, store->GetSweep(sweep.id));
  ExpectSameSweep(read_sweep, sweep);
  ASSERT_OK_AND_ASSIGN(auto workers, store->ListWorkers());
  ASSERT_EQ(workers.size(), 1u);
  ExpectSameWorker(workers[0], worker);
}

TEST_F(SqliteStoreTest, DefaultJobRoundTrips) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Job job;  // no sweep, no worker, no exit code, null search
  ASSERT_OK(InsertJob(*store, job));
  ASSERT_OK_AND_ASSIGN(Job read, store->GetJob(job.id));
  ExpectSameJob(read, job);
  EXPECT_TRUE(read.spec.search.is_null());
  EXPECT_FALSE(read.exit_code.has_value());
}

TEST_F(SqliteStoreTest, UpdateJobWritesEveryFieldButMetrics) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep sweep = FullSweep();
  WorkerRecord worker = FullWorker();
  Job job = QueuedJob("first");
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    ASSERT_OK(tx->UpsertWorker(worker));
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->AddMetrics({{job.id, 1, "loss", 0.5, 10}}));
    ASSERT_OK(tx->Commit());
  }
  Job updated = FullJob(sweep.id, worker.id);
  updated.id = job.id;
  updated.metrics = {{"stale", 1.0}};  // ignored: metrics come from AddMetrics only
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->UpdateJob(updated));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(Job read, store->GetJob(job.id));
  updated.metrics = {{"loss", 0.5}};
  ExpectSameJob(read, updated);

  // Back to the defaults: NULL sweep, worker and exit code.
  Job cleared = QueuedJob("first");
  cleared.id = job.id;
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->UpdateJob(cleared));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(read, store->GetJob(job.id));
  cleared.metrics = {{"loss", 0.5}};
  ExpectSameJob(read, cleared);
}

TEST_F(SqliteStoreTest, UpdatesOfUnknownIdsAreNotFound) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
  Job job = QueuedJob("ghost");
  job.id = 12;
  Status status = tx->UpdateJob(job);
  EXPECT_EQ(status.code(), Code::kNotFound);
  EXPECT_EQ(status.message(), "update job 12: no such job");
  Sweep sweep = FullSweep();
  sweep.id = 5;
  EXPECT_EQ(tx->UpdateSweep(sweep).code(), Code::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateSweep) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep sweep = FullSweep();
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    sweep.state = "DONE";
    sweep.metric = "";
    sweep.maximize = true;
    sweep.spec = Json::object();
    sweep.finished_at = 1'800'000'000'000'000;
    ASSERT_OK(tx->UpdateSweep(sweep));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(Sweep read, store->GetSweep(sweep.id));
  ExpectSameSweep(read, sweep);
  ASSERT_OK_AND_ASSIGN(auto sweeps, store->ListSweeps());
  ASSERT_EQ(sweeps.size(), 1u);
  ExpectSameSweep(sweeps[0], sweep);
}

TEST_F(SqliteStoreTest, UpsertWorkerKeepsIdByName) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  WorkerRecord first = FullWorker("node-a");
  WorkerRecord second = FullWorker("node-b");
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->UpsertWorker(first));
    ASSERT_OK(tx->UpsertWorker(second));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_NE(first.id, second.id);

  WorkerRecord again = FullWorker("node-a");  // comes back after a restart
  again.host = "10.0.0.8";
  again.gpus.pop_back();
  again.state = WorkerState::kAlive;
  again.last_seen_at += 1;
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->UpsertWorker(again));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(again.id, first.id);
  ASSERT_OK_AND_ASSIGN(auto workers, store->ListWorkers());
  ASSERT_EQ(workers.size(), 2u);
  ExpectSameWorker(workers[0], again);
  ExpectSameWorker(workers[1], second);
}

TEST_F(SqliteStoreTest, UncommittedTransactionLeavesNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    Sweep sweep = FullSweep();
    WorkerRecord worker = FullWorker();
    ASSERT_OK(tx->InsertSweep(sweep));
    ASSERT_OK(tx->UpsertWorker(worker));
    Job job = FullJob(sweep.id, worker.id);
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->AddMetrics({{job.id, 1, "loss", 0.5, 10}}));
  }  // no Commit
  ASSERT_OK_AND_ASSIGN(auto jobs, store->ListJobs({}));
  EXPECT_TRUE(jobs.empty());
  ASSERT_OK_AND_ASSIGN(auto sweeps, store->ListSweeps());
  EXPECT_TRUE(sweeps.empty());
  ASSERT_OK_AND_ASSIGN(auto workers, store->ListWorkers());
  EXPECT_TRUE(workers.empty());
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM job_events"), "0");
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM metrics"), "0");

  // The rollback released the write lock.
  Job job = QueuedJob("after");
  ASSERT_OK(InsertJob(*store, job));
}

TEST_F(SqliteStoreTest, OtherConnectionsSeeWritesOnlyAfterCommit) {
  auto writer = OpenStore();
  auto reader = OpenStore();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  ASSERT_OK_AND_ASSIGN(auto tx, writer->Begin());
  Job job = QueuedJob("pending");
  ASSERT_OK(tx->InsertJob(job));
  ASSERT_OK_AND_ASSIGN(auto before, reader->ListJobs({}));
  EXPECT_TRUE(before.empty());
  ASSERT_OK(tx->Commit());
  ASSERT_OK_AND_ASSIGN(auto after, reader->ListJobs({}));
  EXPECT_EQ(Ids(after), std::vector<int64_t>{job.id});
}

TEST_F(SqliteStoreTest, CommittedDataSurvivesReopening) {
  Job job;
  Sweep sweep = FullSweep();
  WorkerRecord worker = FullWorker();
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    ASSERT_OK(tx->UpsertWorker(worker));
    job = FullJob(sweep.id, worker.id);
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->AddStateChange({job.id, JobState::kSucceeded, "exit 0", 99}));
    ASSERT_OK(tx->AddMetrics({{job.id, 7, "val_accuracy", 0.93, 55}}));
    ASSERT_OK(tx->Commit());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(Job read, store->GetJob(job.id));
  job.metrics = {{"val_accuracy", 0.93}};
  ExpectSameJob(read, job);
  ASSERT_OK_AND_ASSIGN(Sweep read_sweep, store->GetSweep(sweep.id));
  ExpectSameSweep(read_sweep, sweep);
  ASSERT_OK_AND_ASSIGN(auto workers, store->ListWorkers());
  ASSERT_EQ(workers.size(), 1u);
  ExpectSameWorker(workers[0], worker);
  ASSERT_OK_AND_ASSIGN(auto history, store->History(job.id));
  EXPECT_EQ(history.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto metrics, store->Metrics(job.id));
  EXPECT_EQ(metrics.size(), 1u);
}

TEST_F(SqliteStoreTest, TransactionRulesAreEnforced) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
  Result<std::unique_ptr<Transaction>> second = store->Begin();
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kInternal);

  ASSERT_OK(tx->Commit());
  EXPECT_FALSE(tx->Commit().ok());
  Job job = QueuedJob("late");
  EXPECT_FALSE(tx->InsertJob(job).ok());  // would otherwise commit on its own
  ASSERT_OK_AND_ASSIGN(auto jobs, store->ListJobs({}));
  EXPECT_TRUE(jobs.empty());
}

TEST_F(SqliteStoreTest, BrokenReferencesAreConflicts) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
  Job job = QueuedJob("orphan", /*sweep_id=*/42);
  Status status = tx->InsertJob(job);
  EXPECT_EQ(status.code(), Code::kConflict) << status.ToString();
  EXPECT_NE(status.message().find("insert job 'orphan'"), std::string::npos) << status.message();
  EXPECT_EQ(job.id, 0);
  EXPECT_EQ(tx->AddStateChange({777, JobState::kFailed, "", 1}).code(), Code::kConflict);
  EXPECT_EQ(tx->AddMetrics({{777, 1, "loss", 1.0, 1}}).code(), Code::kConflict);
}

TEST_F(SqliteStoreTest, HistoryIsOldestFirstStartingAtInsert) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Job job = QueuedJob("hist");
  Job other = QueuedJob("other");
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->InsertJob(other));
    ASSERT_OK(tx->AddStateChange({job.id, JobState::kAssigned, "placed", 2'000}));
    ASSERT_OK(tx->AddStateChange({other.id, JobState::kCancelled, "by bob", 2'500}));
    // Recorded order wins over timestamps: a clock that steps back must not reorder history.
    ASSERT_OK(tx->AddStateChange({job.id, JobState::kRunning, "started", 1'500}));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(auto history, store->History(job.id));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].job_id, job.id);
  EXPECT_EQ(history[0].state, JobState::kQueued);
  EXPECT_EQ(history[0].reason, "submitted");
  EXPECT_EQ(history[0].at, job.submitted_at);
  EXPECT_EQ(history[1].state, JobState::kAssigned);
  EXPECT_EQ(history[1].reason, "placed");
  EXPECT_EQ(history[1].at, 2'000);
  EXPECT_EQ(history[2].state, JobState::kRunning);
  EXPECT_EQ(history[2].at, 1'500);
  ASSERT_OK_AND_ASSIGN(auto none, store->History(9999));
  EXPECT_TRUE(none.empty());
}

TEST_F(SqliteStoreTest, ListJobsFilters) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep sweep = FullSweep();
  std::vector<Job> jobs;
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    // One job per state; every other one in the sweep.
    for (JobState state : kAllStates) {
      Job job = QueuedJob(std::string(ToString(state)), jobs.size() % 2 ? sweep.id : 0);
      job.state = state;
      ASSERT_OK(tx->InsertJob(job));
      jobs.push_back(job);
    }
    ASSERT_OK(tx->Commit());
  }
  std::vector<int64_t> all, active, in_sweep, active_in_sweep;
  for (const Job& job : jobs) {
    all.push_back(job.id);
    if (!IsTerminal(job.state)) active.push_back(job.id);
    if (job.sweep_id == sweep.id) in_sweep.push_back(job.id);
    if (job.sweep_id == sweep.id && !IsTerminal(job.state)) active_in_sweep.push_back(job.id);
  }
  ASSERT_OK_AND_ASSIGN(auto listed, store->ListJobs({}));
  EXPECT_EQ(Ids(listed), all);
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.active_only = true}));
  EXPECT_EQ(Ids(listed), active);
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.sweep_id = sweep.id}));
  EXPECT_EQ(Ids(listed), in_sweep);
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.active_only = true, .sweep_id = sweep.id}));
  EXPECT_EQ(Ids(listed), active_in_sweep);

  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.limit = 3}));
  EXPECT_EQ(Ids(listed), (std::vector<int64_t>{all[10], all[9], all[8]}));
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.sweep_id = sweep.id, .limit = 2}));
  EXPECT_EQ(Ids(listed), (std::vector<int64_t>{in_sweep.rbegin()[0], in_sweep.rbegin()[1]}));
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.active_only = true, .limit = 100}));
  EXPECT_EQ(Ids(listed), std::vector<int64_t>(active.rbegin(), active.rend()));

  // Pages, oldest first, after a given id.
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.limit = 3, .after_id = all[2]}));
  EXPECT_EQ(Ids(listed), (std::vector<int64_t>{all[3], all[4], all[5]}));
  ASSERT_OK_AND_ASSIGN(listed, store->ListJobs({.after_id = all[8]}));
  EXPECT_EQ(Ids(listed), (std::vector<int64_t>{all[9], all[10]}));
  ASSERT_OK_AND_ASSIGN(
      listed, store->ListJobs({.sweep_id = sweep.id, .limit = 1, .after_id = in_sweep[0]}));
  EXPECT_EQ(Ids(listed), std::vector<int64_t>{in_sweep[1]});
}

TEST_F(SqliteStoreTest, MetricsKeepOrderAndLastValues) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Job a = QueuedJob("a");
  Job b = QueuedJob("b");
  const double kInf = std::numeric_limits<double>::infinity();
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  std::vector<MetricPoint> first, second;
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertJob(a));
    ASSERT_OK(tx->InsertJob(b));
    first = {{a.id, 1, "loss", 2.5, 100},
             {b.id, 1, "loss", 9.0, 101},
             {a.id, 2, "loss", 1.25, 102},
             {a.id, 2, "acc", 0.5, 103}};
    ASSERT_OK(tx->AddMetrics(first));
    ASSERT_OK(tx->Commit());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    // The last point added wins, even with a smaller step (a job resumed from a checkpoint).
    second = {{a.id, 1, "acc", 0.25, 200},
              {a.id, 3, "grad", kInf, 201},
              {a.id, 3, "div", kNan, 202},
              {a.id, 3, "neg", -kInf, 203}};
    ASSERT_OK(tx->AddMetrics(second));
    ASSERT_OK(tx->AddMetrics({}));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(Job read_a, store->GetJob(a.id));
  EXPECT_EQ(read_a.metrics.size(), 5u);
  EXPECT_EQ(read_a.metrics["loss"], 1.25);
  EXPECT_EQ(read_a.metrics["acc"], 0.25);
  EXPECT_EQ(read_a.metrics["grad"], kInf);
  EXPECT_EQ(read_a.metrics["neg"], -kInf);
  EXPECT_TRUE(std::isnan(read_a.metrics["div"]));
  ASSERT_OK_AND_ASSIGN(Job read_b, store->GetJob(b.id));
  EXPECT_EQ(read_b.metrics, (std::map<std::string, double>{{"loss", 9.0}}));

  ASSERT_OK_AND_ASSIGN(auto points, store->Metrics(a.id));
  std::vector<MetricPoint> expected = {first[0], first[2], first[3]};
  expected.insert(expected.end(), second.begin(), second.end());
  ASSERT_EQ(points.size(), expected.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].job_id, expected[i].job_id);
    EXPECT_EQ(points[i].step, expected[i].step);
    EXPECT_EQ(points[i].key, expected[i].key);
    if (std::isnan(expected[i].value)) {
      EXPECT_TRUE(std::isnan(points[i].value));
    } else {
      EXPECT_EQ(points[i].value, expected[i].value);
    }
    EXPECT_EQ(points[i].at, expected[i].at);
  }
}

TEST_F(SqliteStoreTest, UnknownIdsAreNotFound) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Result<Job> job = store->GetJob(42);
  EXPECT_EQ(job.status().code(), Code::kNotFound);
  EXPECT_EQ(job.status().message(), "no job 42");
  Result<Sweep> sweep = store->GetSweep(7);
  EXPECT_EQ(sweep.status().code(), Code::kNotFound);
  EXPECT_EQ(sweep.status().message(), "no sweep 7");
}

TEST_F(SqliteStoreTest, ManyStateChangesInOneTransaction) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Job job = QueuedJob("busy");
  ASSERT_OK(InsertJob(*store, job));
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    for (int i = 0; i < 1000; ++i) {
      job.state = i % 2 ? JobState::kRunning : JobState::kQueued;
      job.attempt = i;
      ASSERT_OK(tx->UpdateJob(job));
      ASSERT_OK(tx->AddStateChange({job.id, job.state, "tick", i}));
    }
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(Job read, store->GetJob(job.id));
  EXPECT_EQ(read.attempt, 999);
  ASSERT_OK_AND_ASSIGN(auto history, store->History(job.id));
  EXPECT_EQ(history.size(), 1001u);
}

}  // namespace
}  // namespace yard::testing

namespace yard::testing {
namespace {

TEST_F(SqliteStoreTest, SweepTalliesCountStatesAndGpuSecondsPerSweep) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep a = FullSweep(), b = FullSweep();
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(a));
    ASSERT_OK(tx->InsertSweep(b));
    ASSERT_OK(tx->Commit());
  }
  const Micros second = 1'000'000, now = 1'000 * second;
  auto job = [&](int64_t sweep_id, JobState state, Micros started, Micros finished, int gpus) {
    Job j;
    j.sweep_id = sweep_id;
    j.state = state;
    j.started_at = started;
    j.finished_at = finished;
    for (int g = 0; g < gpus; ++g) j.gpus.push_back({"w", g, "GPU-" + std::to_string(g), "T4"});
    return j;
  };
  std::vector<Job> jobs = {
      job(a.id, JobState::kSucceeded, 100 * second, 110 * second, 2),  // 20 GPU-s
      job(a.id, JobState::kSucceeded, 200 * second, 203 * second, 1),  // 3
      job(a.id, JobState::kRunning, 990 * second, 0, 4),               // 40, up to now
      job(a.id, JobState::kQueued, 0, 0, 0),
      job(b.id, JobState::kStoppedEarly, 10 * second, 15 * second, 1),  // 5
      job(0, JobState::kSucceeded, 10 * second, 500 * second, 8),       // in no sweep
  };
  for (Job& j : jobs) ASSERT_OK(InsertJob(*store, j));

  ASSERT_OK_AND_ASSIGN(auto tallies, store->SweepTallies(now));
  ASSERT_EQ(tallies.size(), 2u);
  const SweepTally& ta = tallies.at(a.id);
  EXPECT_EQ(ta.jobs, 4);
  EXPECT_EQ(ta.states.at(JobState::kSucceeded), 2);
  EXPECT_EQ(ta.states.at(JobState::kRunning), 1);
  EXPECT_EQ(ta.states.at(JobState::kQueued), 1);
  EXPECT_DOUBLE_EQ(ta.gpu_seconds, 63.0);
  const SweepTally& tb = tallies.at(b.id);
  EXPECT_EQ(tb.jobs, 1);
  EXPECT_EQ(tb.states.at(JobState::kStoppedEarly), 1);
  EXPECT_DOUBLE_EQ(tb.gpu_seconds, 5.0);
}

}  // namespace
}  // namespace yard::testing
