// How the shared records map onto rows of the SQLite schema (migrations.cpp): the column lists,
// and the functions that bind a record to a statement's parameters or read it from a row.
// Each list and its functions are kept side by side here, because their orders must agree.
#pragma once

#include <string_view>

#include "api/types.h"
#include "common/status.h"
#include "store/sqlite_db.h"

namespace yard::store_internal {

// ---- jobs ----
// The columns that ReadJob reads, in its order; SELECT them and add FROM jobs ....
inline constexpr std::string_view kJobColumns =
    "id, name, user, sweep_id, state, spec, hparams, attempt, retries, worker_id, worker_name, "
    "gpus, exit_code, reason, cancel_requested, submitted_at, started_at, finished_at, "
    "log_offset, last_metrics, trial, stop_early";
// Parameters ?1..?22 are BindJob's; last_metrics starts as '{}'.
inline constexpr std::string_view kInsertJob =
    "INSERT INTO jobs (name, user, sweep_id, state, priority, gpus_requested, spec, hparams, "
    "attempt, retries, worker_id, worker_name, gpus, exit_code, reason, cancel_requested, "
    "submitted_at, started_at, finished_at, log_offset, trial, stop_early) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, ?21, ?22)";
// Parameters ?1..?22 are BindJob's, ?23 the id (kUpdateJobIdParam). Leaves last_metrics to
// AddMetrics.
inline constexpr std::string_view kUpdateJob =
    "UPDATE jobs SET name = ?1, user = ?2, sweep_id = ?3, state = ?4, priority = ?5, "
    "gpus_requested = ?6, spec = ?7, hparams = ?8, attempt = ?9, retries = ?10, worker_id = ?11, "
    "worker_name = ?12, gpus = ?13, exit_code = ?14, reason = ?15, cancel_requested = ?16, "
    "submitted_at = ?17, started_at = ?18, finished_at = ?19, log_offset = ?20, trial = ?21, "
    "stop_early = ?22 WHERE id = ?23";
inline constexpr int kUpdateJobIdParam = 23;
// Binds every field of the job but id and metrics to parameters 1..22.
Status BindJob(Stmt& stmt, const Job& job);
Result<Job> ReadJob(const Stmt& row);

// ---- sweeps ----
inline constexpr std::string_view kSweepColumns =
    "id, name, user, spec, algorithm, metric, maximize, state, created_at, finished_at, "
    "searcher_state";
inline constexpr std::string_view kInsertSweep =
    "INSERT INTO sweeps (name, user, spec, algorithm, metric, maximize, state, created_at, "
    "finished_at, searcher_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
inline constexpr std::string_view kUpdateSweep =
    "UPDATE sweeps SET name = ?1, user = ?2, spec = ?3, algorithm = ?4, metric = ?5, "
    "maximize = ?6, state = ?7, created_at = ?8, finished_at = ?9, searcher_state = ?10 "
    "WHERE id = ?11";
inline constexpr int kUpdateSweepIdParam = 11;
// Binds every field of the sweep but id to parameters 1..10.
Status BindSweep(Stmt& stmt, const Sweep& sweep);
Result<Sweep> ReadSweep(const Stmt& row);

// ---- workers ----
inline constexpr std::string_view kWorkerColumns =
    "id, name, host, runtime, cpu_slots, gpus, state, registered_at, last_seen_at";
// A worker that registers again under its name keeps its id and gets every other field anew.
inline constexpr std::string_view kUpsertWorker =
    "INSERT INTO workers (name, host, runtime, cpu_slots, gpus, state, registered_at, "
    "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (name) DO UPDATE SET host = excluded.host, runtime = excluded.runtime, "
    "cpu_slots = excluded.cpu_slots, gpus = excluded.gpus, state = excluded.state, "
    "registered_at = excluded.registered_at, last_seen_at = excluded.last_seen_at "
    "RETURNING id";
// Binds every field of the worker but id to parameters 1..8.
Status BindWorker(Stmt& stmt, const WorkerRecord& worker);
Result<WorkerRecord> ReadWorker(const Stmt& row);

// ---- job_events ----
inline constexpr std::string_view kStateChangeColumns = "job_id, state, reason, at";
inline constexpr std::string_view kInsertStateChange =
    "INSERT INTO job_events (job_id, state, reason, at) VALUES (?1, ?2, ?3, ?4)";
Status BindStateChange(Stmt& stmt, const StateChange& change);
Result<StateChange> ReadStateChange(const Stmt& row);

// ---- metrics ----
inline constexpr std::string_view kMetricColumns = "job_id, step, key, value, at";
inline constexpr std::string_view kInsertMetric =
    "INSERT INTO metrics (job_id, step, key, value, at) VALUES (?1, ?2, ?3, ?4, ?5)";
Status BindMetric(Stmt& stmt, const MetricPoint& point);
Result<MetricPoint> ReadMetric(const Stmt& row);

}  // namespace yard::store_internal
