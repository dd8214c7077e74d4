#include "store/sqlite_store.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>
#include <system_error>
#include <type_traits>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "store/sqlite_rows.h"
#include "store/store_json.h"

namespace yard::store_internal {
namespace {

// Puts "what id" in front of a failed status; builds the text only on failure, because the
// hot paths (UpdateJob, AddStateChange) must not pay for it on success.
Status WithContext(Status status, std::string_view what, int64_t id) {
  if (status.ok()) return status;
  return status.Prefixed(std::string(what) + " " + std::to_string(id));
}

Status RunSql(Db& db, std::string_view sql) {
  YARD_ASSIGN_OR_RETURN(StmtLease stmt, db.Prepare(sql));
  return stmt->Run();
}

std::string Select(std::string_view columns, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

// Reads every row of `stmt` with `read` (one of sqlite_rows.h's Read* functions).
template <class ReadFn>
auto ReadAll(Stmt& stmt, ReadFn read)
    -> Result<std::vector<std::remove_cvref_t<decltype(read(stmt).value())>>> {
  using T = std::remove_cvref_t<decltype(read(stmt).value())>;
  std::vector<T> items;
  while (true) {
    YARD_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return items;
    YARD_ASSIGN_OR_RETURN(T item, read(stmt));
    items.push_back(std::move(item));
  }
}

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  ~SqliteTransaction() override {
    if (!open_ || !db_->InTransaction()) return;
    Status status = RunSql(*db_, "ROLLBACK");
    if (!status.ok()) spdlog::warn("store {}: rollback: {}", db_->path(), status.ToString());
  }

  Status InsertSweep(Sweep& sweep) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    Status status = DoInsert(kInsertSweep, [&](Stmt& s) { return BindSweep(s, sweep); });
    if (!status.ok()) return status.Prefixed("insert sweep '" + sweep.name + "'");
    sweep.id = db_->LastInsertId();
    return Status::Ok();
  }

  Status UpdateSweep(const Sweep& sweep) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    return WithContext(DoUpdate(kUpdateSweep, kUpdateSweepIdParam, sweep.id, "sweep",
                                [&](Stmt& s) { return BindSweep(s, sweep); }),
                       "update sweep", sweep.id);
  }

  Status InsertJob(Job& job) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    Status status = DoInsert(kInsertJob, [&](Stmt& s) { return BindJob(s, job); });
    if (!status.ok()) return status.Prefixed("insert job '" + job.name + "'");
    const int64_t id = db_->LastInsertId();
    YARD_RETURN_IF_ERROR(AddStateChange({id, job.state, job.reason, job.submitted_at}));
    job.id = id;
    return Status::Ok();
  }

  Status UpdateJob(const Job& job) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    return WithContext(DoUpdate(kUpdateJob, kUpdateJobIdParam, job.id, "job",
                                [&](Stmt& s) { return BindJob(s, job); }),
                       "update job", job.id);
  }

  Status AddStateChange(const StateChange& change) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    return WithContext(
        DoInsert(kInsertStateChange, [&](Stmt& s) { return BindStateChange(s, change); }),
        "add state change of job", change.job_id);
  }

  Status UpsertWorker(WorkerRecord& worker) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    Result<int64_t> id = DoUpsertWorker(worker);
    if (!id.ok()) return id.status().Prefixed("register worker '" + worker.name + "'");
    worker.id = *id;
    return Status::Ok();
  }

  Status AddMetrics(const std::vector<MetricPoint>& points) override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    // The newest value of each key of each job; a later point beats an earlier one.
    std::map<int64_t, std::map<std::string, double>> last;
    for (const MetricPoint& point : points) {
      YARD_RETURN_IF_ERROR(
          WithContext(DoInsert(kInsertMetric, [&](Stmt& s) { return BindMetric(s, point); }),
                      "add metrics of job", point.job_id));
      last[point.job_id][point.key] = point.value;
    }
    for (const auto& [job_id, values] : last) {
      YARD_RETURN_IF_ERROR(
          WithContext(MergeLastMetrics(job_id, values), "add metrics of job", job_id));
    }
    return Status::Ok();
  }

  Status Commit() override {
    YARD_RETURN_IF_ERROR(CheckOpen());
    Status status = RunSql(*db_, "COMMIT");
    // A failed COMMIT may leave the transaction open (the destructor then rolls it back) or
    // may have ended it already.
    if (status.ok() || !db_->InTransaction()) open_ = false;
    return status.Prefixed("commit");
  }

 private:
  // Refuses work after Commit, and after SQLite rolled the transaction back on its own (it does
  // on some errors, such as a full disk): a write then would commit alone, outside any
  // transaction.
  Status CheckOpen() {
    if (!open_) return Internal("transaction already committed");
    if (!db_->InTransaction()) {
      open_ = false;
      return Internal("transaction was rolled back by SQLite after an earlier error");
    }
    return Status::Ok();
  }

  template <class BindFn>
  Status DoInsert(std::string_view sql, BindFn bind) {
    YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
    YARD_RETURN_IF_ERROR(bind(*stmt));
    return stmt->Run();
  }

  // Runs an UPDATE whose parameters are bind's plus the id at `id_param`; NotFound when no row
  // has the id.
  template <class BindFn>
  Status DoUpdate(std::string_view sql, int id_param, int64_t id, std::string_view kind,
                  BindFn bind) {
    YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
    YARD_RETURN_IF_ERROR(bind(*stmt));
    YARD_RETURN_IF_ERROR(stmt->BindAt(id_param, id));
    YARD_RETURN_IF_ERROR(stmt->Run());
    if (db_->Changes() == 0) return NotFound("no such " + std::string(kind));
    return Status::Ok();
  }

  Result<int64_t> DoUpsertWorker(const WorkerRecord& worker) {
    YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(kUpsertWorker));
    YARD_RETURN_IF_ERROR(BindWorker(*stmt, worker));
    YARD_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Internal("no id returned");
    return stmt->Int(0);
  }

  Status MergeLastMetrics(int64_t job_id, const std::map<std::string, double>& values) {
    std::map<std::string, double> merged;
    {
      YARD_ASSIGN_OR_RETURN(StmtLease read,
                            db_->Prepare("SELECT last_metrics FROM jobs WHERE id = ?"));
      YARD_RETURN_IF_ERROR(read->Bind(job_id));
      YARD_ASSIGN_OR_RETURN(bool row, read->Step());
      if (!row) return NotFound("no job " + std::to_string(job_id));
      YARD_ASSIGN_OR_RETURN(Json json, ParseColumn(read->Text(0), "last_metrics"));
      YARD_ASSIGN_OR_RETURN(merged, MetricValuesFromJson(json));
    }
    for (const auto& [key, value] : values) merged[key] = value;
    YARD_ASSIGN_OR_RETURN(StmtLease write,
                          db_->Prepare("UPDATE jobs SET last_metrics = ? WHERE id = ?"));
    YARD_RETURN_IF_ERROR(write->Bind(MetricValuesToJson(merged).dump(), job_id));
    return write->Run();
  }

  std::shared_ptr<Db> db_;
  bool open_ = true;  // until committed
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<Db> db) : db_(std::move(db)) {}

  Result<std::unique_ptr<Transaction>> Begin() override {
    if (db_->InTransaction()) {
      return Internal("begin transaction: another transaction is open on this store");
    }
    YARD_RETURN_IF_ERROR(RunSql(*db_, "BEGIN IMMEDIATE").Prefixed("begin transaction"));
    return std::unique_ptr<Transaction>(new SqliteTransaction(db_));
  }

  Result<int> SchemaVersion() override { return ReadSchemaVersion(*db_); }

  Result<Job> GetJob(int64_t id) override {
    static const std::string sql = Select(kJobColumns, "FROM jobs WHERE id = ?");
    return GetOne(sql, id, "job", ReadJob);
  }

  Result<std::vector<Job>> ListJobs(const JobFilter& filter) override {
    // The terminal states of api/job_state.cpp's IsTerminal; a test keeps the two in step.
    std::string rest = "FROM jobs WHERE 1";
    if (filter.active_only) {
      rest +=
          " AND state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT', "
          "'STOPPED_EARLY')";
    }
    if (filter.sweep_id != 0) rest += " AND sweep_id = ?1";
    if (filter.after_id) rest += " AND id > ?3";
    if (filter.limit > 0)
      rest += filter.after_id ? " ORDER BY id LIMIT ?2" : " ORDER BY id DESC LIMIT ?2";
    else
      rest += " ORDER BY id";
    Result<std::vector<Job>> jobs = [&]() -> Result<std::vector<Job>> {
      YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(Select(kJobColumns, rest)));
      if (filter.sweep_id != 0) YARD_RETURN_IF_ERROR(stmt->BindAt(1, filter.sweep_id));
      if (filter.limit > 0) YARD_RETURN_IF_ERROR(stmt->BindAt(2, filter.limit));
      if (filter.after_id) YARD_RETURN_IF_ERROR(stmt->BindAt(3, *filter.after_id));
      return ReadAll(*stmt, ReadJob);
    }();
    if (!jobs.ok()) return jobs.status().Prefixed("list jobs");
    return jobs;
  }

  Result<std::vector<StateChange>> History(int64_t job_id) override {
    static const std::string sql =
        Select(kStateChangeColumns, "FROM job_events WHERE job_id = ? ORDER BY id");
    return GetMany(sql, job_id, "history of job", ReadStateChange);
  }

  Result<std::vector<MetricPoint>> Metrics(int64_t job_id) override {
    static const std::string sql =
        Select(kMetricColumns, "FROM metrics WHERE job_id = ? ORDER BY id");
    return GetMany(sql, job_id, "metrics of job", ReadMetric);
  }

  Result<Sweep> GetSweep(int64_t id) override {
    static const std::string sql = Select(kSweepColumns, "FROM sweeps WHERE id = ?");
    return GetOne(sql, id, "sweep", ReadSweep);
  }

  Result<std::vector<Sweep>> ListSweeps() override {
    static const std::string sql = Select(kSweepColumns, "FROM sweeps ORDER BY id");
    Result<std::vector<Sweep>> sweeps = [&]() -> Result<std::vector<Sweep>> {
      YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
      return ReadAll(*stmt, ReadSweep);
    }();
    if (!sweeps.ok()) return sweeps.status().Prefixed("list sweeps");
    return sweeps;
  }

  Result<std::map<int64_t, SweepTally>> SweepTallies(Micros now) override {
    static const std::string sql =
        "SELECT sweep_id, state, COUNT(*), "
        "SUM(CASE WHEN started_at > 0 THEN MAX(0, (CASE WHEN finished_at > 0 THEN finished_at "
        "ELSE ?1 END) - started_at) * json_array_length(gpus) ELSE 0 END) "
        "FROM jobs WHERE sweep_id IS NOT NULL GROUP BY sweep_id, state";
    auto tallies = [&]() -> Result<std::map<int64_t, SweepTally>> {
      YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
      YARD_RETURN_IF_ERROR(stmt->Bind(int64_t{now}));
      std::map<int64_t, SweepTally> out;
      while (true) {
        YARD_ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        std::optional<JobState> state = ParseJobState(stmt->Text(1));
        if (!state) return Internal("a job in the unknown state '" + stmt->Text(1) + "'");
        SweepTally& tally = out[stmt->Int(0)];
        tally.states[*state] += stmt->Int(2);
        tally.jobs += stmt->Int(2);
        tally.gpu_seconds += stmt->IsNull(3) ? 0.0 : stmt->Real(3) / 1e6;
      }
      return out;
    }();
    if (!tallies.ok()) return tallies.status().Prefixed("tally sweeps");
    return tallies;
  }

  Result<std::vector<WorkerRecord>> ListWorkers() override {
    static const std::string sql = Select(kWorkerColumns, "FROM workers ORDER BY id");
    Result<std::vector<WorkerRecord>> workers = [&]() -> Result<std::vector<WorkerRecord>> {
      YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
      return ReadAll(*stmt, ReadWorker);
    }();
    if (!workers.ok()) return workers.status().Prefixed("list workers");
    return workers;
  }

 private:
  // The one row whose id is `id`; NotFound "no KIND ID" when there is none.
  template <class ReadFn>
  auto GetOne(const std::string& sql, int64_t id, std::string_view kind, ReadFn read)
      -> decltype(read(std::declval<Stmt&>())) {
    const std::string what = std::string(kind) + " " + std::to_string(id);
    Result<StmtLease> stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status().Prefixed("get " + what);
    Status status = (*stmt)->Bind(id);
    Result<bool> row = status.ok() ? (*stmt)->Step() : Result<bool>(status);
    if (!row.ok()) return row.status().Prefixed("get " + what);
    if (!*row) return NotFound("no " + what);
    return read(**stmt);
  }

  // Every row for one job, in insertion order.
  template <class ReadFn>
  auto GetMany(const std::string& sql, int64_t job_id, std::string_view what, ReadFn read)
      -> decltype(ReadAll(std::declval<Stmt&>(), read)) {
    using Items = decltype(ReadAll(std::declval<Stmt&>(), read));
    Items items = [&]() -> Items {
      YARD_ASSIGN_OR_RETURN(StmtLease stmt, db_->Prepare(sql));
      YARD_RETURN_IF_ERROR(stmt->Bind(job_id));
      return ReadAll(*stmt, read);
    }();
    if (!items.ok()) return WithContext(items.status(), what, job_id);
    return items;
  }

  std::shared_ptr<Db> db_;
};

// Durability and integrity settings, per connection (SQLite does not store them in the file,
// except journal_mode).
Status Configure(Db& db) {
  // First, so that the PRAGMAs below also wait for another process's lock.
  YARD_RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = 5000").Prefixed("set busy_timeout"));
  // WAL: readers (sqlite3 on jobs_view) and the writer do not block each other. An in-memory
  // database answers "memory", which is fine for tests.
  YARD_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal" && db.path() != ":memory:") {
    return IoError("set journal_mode=WAL: the database stays in mode '" + mode + "'");
  }
  // NORMAL in WAL mode syncs at checkpoints, not at every commit: a committed transaction
  // survives the process being killed, which is the failure the master must survive, at a
  // fraction of FULL's cost per commit.
  YARD_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL").Prefixed("set synchronous"));
  YARD_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON").Prefixed("set foreign_keys"));
  return Status::Ok();
}

Status CreateParentFolder(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) return IoError("create folder " + parent.string() + ": " + error.message());
  return Status::Ok();
}

Result<std::unique_ptr<Store>> OpenAt(const std::string& path) {
  if (path != ":memory:") YARD_RETURN_IF_ERROR(CreateParentFolder(path));
  YARD_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path));
  YARD_RETURN_IF_ERROR(Configure(*db));
  YARD_RETURN_IF_ERROR(Migrate(*db, SqliteMigrations()));
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  Result<std::unique_ptr<Store>> store = OpenAt(path);
  if (!store.ok()) return store.status().Prefixed("open sqlite:" + path);
  return store;
}

}  // namespace yard::store_internal
