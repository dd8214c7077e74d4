#include "store/migrations.h"

#include <spdlog/spdlog.h>

#include <array>
#include <string>

namespace yard::store_internal {
namespace {

// Times are INTEGER microseconds since the Unix epoch, 0 for "not yet". JSON columns are TEXT.
// Columns that copy a field of a JSON column (jobs.priority, jobs.gpus_requested) are there for
// people querying with plain SQL; the code reads the JSON.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE sweeps (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  user        TEXT    NOT NULL,
  spec        TEXT    NOT NULL,
  algorithm   TEXT    NOT NULL,
  metric      TEXT    NOT NULL,  -- '' when the sweep ranks by nothing
  maximize    INTEGER NOT NULL,
  state       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  searcher_state TEXT NOT NULL DEFAULT 'null'  -- JSON: where the search stands
);

CREATE TABLE workers (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  host          TEXT    NOT NULL,
  runtime       TEXT    NOT NULL,
  cpu_slots     INTEGER NOT NULL,  -- jobs asking for no GPU that it runs at once
  gpus          TEXT    NOT NULL,  -- JSON list of {index, uuid, model, memory_mb, compute_capability}
  state         TEXT    NOT NULL,  -- 'ALIVE' or 'LOST'
  registered_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  name             TEXT    NOT NULL,
  user             TEXT    NOT NULL,
  sweep_id         INTEGER REFERENCES sweeps(id),  -- NULL: not in a sweep
  state            TEXT    NOT NULL,
  priority         INTEGER NOT NULL,
  gpus_requested   INTEGER NOT NULL,
  spec             TEXT    NOT NULL,  -- JSON of the JobSpec
  hparams          TEXT    NOT NULL,  -- JSON object
  attempt          INTEGER NOT NULL,
  retries          INTEGER NOT NULL,
  worker_id        INTEGER REFERENCES workers(id),  -- NULL: on no worker
  worker_name      TEXT    NOT NULL,
  gpus             TEXT    NOT NULL,  -- JSON list of {worker, index, uuid, model}
  exit_code        INTEGER,
  reason           TEXT    NOT NULL,
  cancel_requested INTEGER NOT NULL,
  submitted_at     INTEGER NOT NULL,
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER NOT NULL,
  log_offset       INTEGER NOT NULL,  -- bytes of the current attempt's output received
  trial            INTEGER NOT NULL DEFAULT -1,  -- trial number in its sweep's search
  stop_early       INTEGER NOT NULL DEFAULT 0,   -- its searcher asked it to stop
  last_metrics     TEXT    NOT NULL DEFAULT '{}'  -- JSON object: key -> last value
);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_sweep_id ON jobs(sweep_id);

-- Every state a job has been in, with when and why.
CREATE TABLE job_events (
  id     INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  state  TEXT    NOT NULL,
  reason TEXT    NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX job_events_job_id ON job_events(job_id);

CREATE TABLE metrics (
  id     INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  step   INTEGER NOT NULL,
  key    TEXT    NOT NULL,
  value  REAL,  -- NULL is NaN: SQLite cannot store a NaN
  at     INTEGER NOT NULL
);
CREATE INDEX metrics_job_id ON metrics(job_id);

-- The queue for people: sqlite3 DB 'SELECT * FROM jobs_view'. Times are cut to whole
-- milliseconds before SQLite sees them, because SQLite rounds fractional seconds and the API
-- prints them truncated: both must show the same instant.
CREATE VIEW jobs_view AS
SELECT
  j.id AS id,
  j.name AS name,
  j.state AS state,
  j.user AS user,
  j.sweep_id AS sweep,
  NULLIF(j.trial, -1) AS trial,
  NULLIF(j.worker_name, '') AS worker,
  (SELECT group_concat(json_extract(g.value, '$.worker') || ':' || json_extract(g.value, '$.index'), ',')
     FROM json_each(j.gpus) AS g) AS gpus,
  CASE WHEN j.submitted_at > 0
    THEN strftime('%Y-%m-%dT%H:%M:%fZ', j.submitted_at / 1000 / 1000.0, 'unixepoch') END AS submitted,
  CASE WHEN j.started_at > 0
    THEN strftime('%Y-%m-%dT%H:%M:%fZ', j.started_at / 1000 / 1000.0, 'unixepoch') END AS started,
  CASE WHEN j.finished_at > 0
    THEN strftime('%Y-%m-%dT%H:%M:%fZ', j.finished_at / 1000 / 1000.0, 'unixepoch') END AS finished,
  (SELECT m.value FROM json_each(j.last_metrics) AS m WHERE m.key = s.metric) AS metric,
  j.exit_code AS exit_code,
  j.reason AS reason
FROM jobs AS j
LEFT JOIN sweeps AS s ON s.id = j.sweep_id;
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kMigration1};

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE schema_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),  -- one row only
  version INTEGER NOT NULL
);
INSERT INTO schema_version (id, version) VALUES (1, 0);
)sql";

// Runs migration `number` inside the transaction the caller opened.
Status ApplyInTransaction(Db& db, int number, std::string_view script) {
  YARD_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  if (version >= number) return Status::Ok();  // another process got here first
  if (version == 0) YARD_RETURN_IF_ERROR(db.Exec(std::string(kCreateVersionTable)));
  YARD_RETURN_IF_ERROR(db.Exec(std::string(script)));
  YARD_ASSIGN_OR_RETURN(StmtLease set,
                        db.Prepare("UPDATE schema_version SET version = ? WHERE id = 1"));
  YARD_RETURN_IF_ERROR(set->Bind(number));
  return set->Run();
}

}  // namespace

std::span<const std::string_view> SqliteMigrations() { return kMigrations; }

Result<int> ReadSchemaVersion(Db& db) {
  {
    YARD_ASSIGN_OR_RETURN(
        StmtLease exists,
        db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"));
    YARD_ASSIGN_OR_RETURN(bool found, exists->Step());
    if (!found) return 0;
  }
  YARD_ASSIGN_OR_RETURN(StmtLease read,
                        db.Prepare("SELECT version FROM schema_version WHERE id = 1"));
  YARD_ASSIGN_OR_RETURN(bool row, read->Step());
  return row ? static_cast<int>(read->Int(0)) : 0;
}

Status Migrate(Db& db, std::span<const std::string_view> migrations) {
  const int known = static_cast<int>(migrations.size());
  // Read first, without a write lock, so that opening an up-to-date database writes nothing.
  Result<int> current = ReadSchemaVersion(db);
  if (!current.ok()) return current.status().Prefixed("read schema version");
  const int version = *current;
  if (version > known) {
    return InvalidArgument("database " + db.path() + " has schema version " +
                           std::to_string(version) + ", newer than the " + std::to_string(known) +
                           " this build of yard knows; run a newer yard");
  }
  for (int number = version + 1; number <= known; ++number) {
    const std::string context = "schema migration " + std::to_string(number);
    YARD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE").Prefixed(context));
    Status status = ApplyInTransaction(db, number, migrations[number - 1]);
    if (status.ok()) status = db.Exec("COMMIT");
    if (!status.ok()) {
      if (db.InTransaction()) (void)db.Exec("ROLLBACK");
      return status.Prefixed(context);
    }
    spdlog::info("store {}: at schema version {}", db.path(), number);
  }
  return Status::Ok();
}

}  // namespace yard::store_internal
