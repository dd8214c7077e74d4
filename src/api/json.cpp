#include "api/json.h"

#include "api/job_spec.h"

namespace yard {

Json TimeToJson(Micros t) { return t > 0 ? Json(FormatRfc3339(t)) : Json(nullptr); }

Result<int64_t> RequireInt(const Json& j, const char* field) {
  if (!j.is_object() || !j.contains(field) || !j[field].is_number_integer())
    return InvalidArgument(std::string("field '") + field + "' must be a whole number");
  return j[field].get<int64_t>();
}

Result<std::string> RequireString(const Json& j, const char* field) {
  if (!j.is_object() || !j.contains(field) || !j[field].is_string())
    return InvalidArgument(std::string("field '") + field + "' must be a string");
  return j[field].get<std::string>();
}

Json GpuInfoToJson(const GpuInfo& gpu) {
  return {{"index", gpu.index},
          {"uuid", gpu.uuid},
          {"model", gpu.model},
          {"memory_mb", gpu.memory_mb},
          {"compute_capability", gpu.compute_capability}};
}

Result<GpuInfo> GpuInfoFromJson(const Json& j) {
  GpuInfo gpu;
  YARD_ASSIGN_OR_RETURN(int64_t index, RequireInt(j, "index"));
  if (index < 0 || index > 4096) return InvalidArgument("gpu index out of range");
  gpu.index = static_cast<int>(index);
  YARD_ASSIGN_OR_RETURN(gpu.uuid, RequireString(j, "uuid"));
  YARD_ASSIGN_OR_RETURN(gpu.model, RequireString(j, "model"));
  YARD_ASSIGN_OR_RETURN(gpu.memory_mb, RequireInt(j, "memory_mb"));
  YARD_ASSIGN_OR_RETURN(gpu.compute_capability, RequireString(j, "compute_capability"));
  return gpu;
}

Json GpuUsageToJson(const GpuUsage& u) {
  return {{"index", u.index},
          {"utilization_pct", u.utilization_pct},
          {"memory_used_mb", u.memory_used_mb},
          {"foreign_pids", u.foreign_pids}};
}

Result<GpuUsage> GpuUsageFromJson(const Json& j) {
  GpuUsage u;
  YARD_ASSIGN_OR_RETURN(int64_t index, RequireInt(j, "index"));
  u.index = static_cast<int>(index);
  YARD_ASSIGN_OR_RETURN(int64_t util, RequireInt(j, "utilization_pct"));
  u.utilization_pct = static_cast<int>(util);
  YARD_ASSIGN_OR_RETURN(u.memory_used_mb, RequireInt(j, "memory_used_mb"));
  if (j.contains("foreign_pids")) {
    if (!j["foreign_pids"].is_array()) return InvalidArgument("foreign_pids must be a list");
    for (const auto& pid : j["foreign_pids"]) {
      if (!pid.is_number_integer()) return InvalidArgument("foreign_pids must hold numbers");
      u.foreign_pids.push_back(pid.get<int64_t>());
    }
  }
  return u;
}

Json GpuRefToJson(const GpuRef& gpu) {
  return {{"worker", gpu.worker}, {"index", gpu.index}, {"uuid", gpu.uuid}, {"model", gpu.model}};
}

Json JobToJson(const Job& job) {
  Json gpus = Json::array();
  for (const auto& g : job.gpus) gpus.push_back(GpuRefToJson(g));
  Json metrics = Json::object();
  for (const auto& [k, v] : job.metrics) metrics[k] = v;
  return {{"id", job.id},
          {"name", job.name},
          {"user", job.user},
          {"state", ToString(job.state)},
          {"reason", job.reason},
          {"sweep_id", job.sweep_id > 0 ? Json(job.sweep_id) : Json(nullptr)},
          {"trial", job.trial >= 0 ? Json(job.trial) : Json(nullptr)},
          {"hparams", job.hparams},
          {"priority", job.spec.priority},
          {"gpus_requested", job.spec.resources.gpus},
          {"gpus", gpus},
          {"worker", job.worker_name.empty() ? Json(nullptr) : Json(job.worker_name)},
          {"attempt", job.attempt},
          {"retries", job.retries},
          {"cancel_requested", job.cancel_requested},
          {"submitted_at", TimeToJson(job.submitted_at)},
          {"started_at", TimeToJson(job.started_at)},
          {"finished_at", TimeToJson(job.finished_at)},
          {"exit_code", job.exit_code ? Json(*job.exit_code) : Json(nullptr)},
          {"metrics", metrics},
          {"spec", JobSpecToJson(job.spec)}};
}

Json SweepToJson(const Sweep& sweep) {
  return {{"id", sweep.id},
          {"name", sweep.name},
          {"user", sweep.user},
          {"algorithm", sweep.algorithm},
          {"metric", sweep.metric.empty() ? Json(nullptr) : Json(sweep.metric)},
          {"goal", sweep.maximize ? "maximize" : "minimize"},
          {"state", sweep.state},
          {"created_at", TimeToJson(sweep.created_at)},
          {"finished_at", TimeToJson(sweep.finished_at)},
          {"spec", sweep.spec}};
}

std::string_view ToString(WorkerState state) {
  return state == WorkerState::kAlive ? "ALIVE" : "LOST";
}

Json WorkerToJson(const WorkerRecord& w) {
  Json gpus = Json::array();
  for (const auto& g : w.gpus) gpus.push_back(GpuInfoToJson(g));
  return {{"id", w.id},
          {"name", w.name},
          {"host", w.host},
          {"runtime", w.runtime},
          {"state", ToString(w.state)},
          {"gpus", gpus},
          {"registered_at", TimeToJson(w.registered_at)},
          {"last_seen_at", TimeToJson(w.last_seen_at)}};
}

}  // namespace yard
