#include "store/sqlite_rows.h"

#include <optional>
#include <string>

#include "store/store_json.h"

namespace yard::store_internal {
namespace {

// Ids of 0 mean "none" in the records and NULL in the columns that reference other tables.
std::optional<int64_t> NullIfZero(int64_t id) {
  return id == 0 ? std::nullopt : std::optional<int64_t>(id);
}

Result<JobState> ReadJobState(const Stmt& row, int col, std::string_view what) {
  std::string text = row.Text(col);
  std::optional<JobState> state = ParseJobState(text);
  if (!state) return Internal(std::string(what) + ": unknown job state '" + text + "'");
  return *state;
}

std::string_view WorkerStateName(WorkerState state) {
  return state == WorkerState::kLost ? "LOST" : "ALIVE";
}

}  // namespace

// ---- jobs ----

Status BindJob(Stmt& stmt, const Job& job) {
  return stmt.Bind(job.name, job.user, NullIfZero(job.sweep_id), ToString(job.state),
                   job.spec.priority, job.spec.resources.gpus, JobSpecToJson(job.spec).dump(),
                   job.hparams.dump(), job.attempt, job.retries, NullIfZero(job.worker_id),
                   job.worker_name, GpuRefsToJson(job.gpus).dump(), job.exit_code, job.reason,
                   job.cancel_requested ? 1 : 0, job.submitted_at, job.started_at, job.finished_at,
                   job.log_offset, job.trial, job.stop_early ? 1 : 0);
}

Result<Job> ReadJob(const Stmt& row) {
  Job job;
  job.id = row.Int(0);
  const std::string what = "job " + std::to_string(job.id);
  job.name = row.Text(1);
  job.user = row.Text(2);
  job.sweep_id = row.Int(3);
  YARD_ASSIGN_OR_RETURN(job.state, ReadJobState(row, 4, what));
  YARD_ASSIGN_OR_RETURN(Json spec, ParseColumn(row.Text(5), what + " spec"));
  Result<JobSpec> parsed_spec = JobSpecFromJson(spec);
  if (!parsed_spec.ok()) return parsed_spec.status().Prefixed(what);
  job.spec = std::move(parsed_spec).value();
  YARD_ASSIGN_OR_RETURN(job.hparams, ParseColumn(row.Text(6), what + " hparams"));
  job.attempt = static_cast<int>(row.Int(7));
  job.retries = static_cast<int>(row.Int(8));
  job.worker_id = row.Int(9);
  job.worker_name = row.Text(10);
  YARD_ASSIGN_OR_RETURN(Json gpus, ParseColumn(row.Text(11), what + " gpus"));
  Result<std::vector<GpuRef>> parsed_gpus = GpuRefsFromJson(gpus);
  if (!parsed_gpus.ok()) return parsed_gpus.status().Prefixed(what);
  job.gpus = std::move(parsed_gpus).value();
  if (!row.IsNull(12)) job.exit_code = static_cast<int>(row.Int(12));
  job.reason = row.Text(13);
  job.cancel_requested = row.Int(14) != 0;
  job.submitted_at = row.Int(15);
  job.started_at = row.Int(16);
  job.finished_at = row.Int(17);
  job.log_offset = row.Int(18);
  YARD_ASSIGN_OR_RETURN(Json metrics, ParseColumn(row.Text(19), what + " last_metrics"));
  Result<std::map<std::string, double>> parsed_metrics = MetricValuesFromJson(metrics);
  if (!parsed_metrics.ok()) return parsed_metrics.status().Prefixed(what);
  job.metrics = std::move(parsed_metrics).value();
  job.trial = row.Int(20);
  job.stop_early = row.Int(21) != 0;
  return job;
}

// ---- sweeps ----

Status BindSweep(Stmt& stmt, const Sweep& sweep) {
  return stmt.Bind(sweep.name, sweep.user, sweep.spec.dump(), sweep.algorithm, sweep.metric,
                   sweep.maximize ? 1 : 0, sweep.state, sweep.created_at, sweep.finished_at,
                   sweep.searcher_state.dump());
}

Result<Sweep> ReadSweep(const Stmt& row) {
  Sweep sweep;
  sweep.id = row.Int(0);
  sweep.name = row.Text(1);
  sweep.user = row.Text(2);
  YARD_ASSIGN_OR_RETURN(sweep.spec,
                        ParseColumn(row.Text(3), "sweep " + std::to_string(sweep.id) + " spec"));
  sweep.algorithm = row.Text(4);
  sweep.metric = row.Text(5);
  sweep.maximize = row.Int(6) != 0;
  sweep.state = row.Text(7);
  sweep.created_at = row.Int(8);
  sweep.finished_at = row.Int(9);
  YARD_ASSIGN_OR_RETURN(
      sweep.searcher_state,
      ParseColumn(row.Text(10), "sweep " + std::to_string(sweep.id) + " searcher_state"));
  return sweep;
}

// ---- workers ----

Status BindWorker(Stmt& stmt, const WorkerRecord& worker) {
  return stmt.Bind(worker.name, worker.host, worker.runtime, worker.cpu_slots,
                   GpuInfosToJson(worker.gpus).dump(), WorkerStateName(worker.state),
                   worker.registered_at, worker.last_seen_at);
}

Result<WorkerRecord> ReadWorker(const Stmt& row) {
  WorkerRecord worker;
  worker.id = row.Int(0);
  const std::string what = "worker " + std::to_string(worker.id);
  worker.name = row.Text(1);
  worker.host = row.Text(2);
  worker.runtime = row.Text(3);
  worker.cpu_slots = static_cast<int>(row.Int(4));
  YARD_ASSIGN_OR_RETURN(Json gpus, ParseColumn(row.Text(5), what + " gpus"));
  Result<std::vector<GpuInfo>> parsed_gpus = GpuInfosFromJson(gpus);
  if (!parsed_gpus.ok()) return parsed_gpus.status().Prefixed(what);
  worker.gpus = std::move(parsed_gpus).value();
  const std::string state = row.Text(6);
  if (state == "ALIVE") {
    worker.state = WorkerState::kAlive;
  } else if (state == "LOST") {
    worker.state = WorkerState::kLost;
  } else {
    return Internal(what + ": unknown worker state '" + state + "'");
  }
  worker.registered_at = row.Int(7);
  worker.last_seen_at = row.Int(8);
  return worker;
}

// ---- job_events ----

Status BindStateChange(Stmt& stmt, const StateChange& change) {
  return stmt.Bind(change.job_id, ToString(change.state), change.reason, change.at);
}

Result<StateChange> ReadStateChange(const Stmt& row) {
  StateChange change;
  change.job_id = row.Int(0);
  YARD_ASSIGN_OR_RETURN(change.state,
                        ReadJobState(row, 1, "history of job " + std::to_string(change.job_id)));
  change.reason = row.Text(2);
  change.at = row.Int(3);
  return change;
}

// ---- metrics ----

Status BindMetric(Stmt& stmt, const MetricPoint& point) {
  return stmt.Bind(point.job_id, point.step, point.key, point.value, point.at);
}

Result<MetricPoint> ReadMetric(const Stmt& row) {
  MetricPoint point;
  point.job_id = row.Int(0);
  point.step = row.Int(1);
  point.key = row.Text(2);
  point.value = row.Real(3);
  point.at = row.Int(4);
  return point;
}

}  // namespace yard::store_internal
