#include "api/protocol.h"

#include "api/job_spec.h"
#include "api/json.h"

namespace yard {
namespace {

Result<std::vector<JobReport>> ReportsFromJson(const Json& j) {
  std::vector<JobReport> out;
  if (!j.contains("jobs")) return out;
  if (!j["jobs"].is_array()) return InvalidArgument("field 'jobs' must be a list");
  for (const auto& r : j["jobs"]) {
    YARD_ASSIGN_OR_RETURN(JobReport report, JobReportFromJson(r));
    out.push_back(std::move(report));
  }
  return out;
}

Json ReportsToJson(const std::vector<JobReport>& reports) {
  Json a = Json::array();
  for (const auto& r : reports) a.push_back(ToJson(r));
  return a;
}

}  // namespace

Json ToJson(const JobReport& r) {
  Json j = {{"job_id", r.job_id}, {"attempt", r.attempt},       {"state", ToString(r.state)},
            {"reason", r.reason}, {"started_at", r.started_at}, {"finished_at", r.finished_at}};
  if (r.exit_code) j["exit_code"] = *r.exit_code;
  return j;
}

Result<JobReport> JobReportFromJson(const Json& j) {
  JobReport r;
  YARD_ASSIGN_OR_RETURN(r.job_id, RequireInt(j, "job_id"));
  YARD_ASSIGN_OR_RETURN(int64_t attempt, RequireInt(j, "attempt"));
  r.attempt = static_cast<int>(attempt);
  YARD_ASSIGN_OR_RETURN(std::string state, RequireString(j, "state"));
  auto parsed = ParseJobState(state);
  if (!parsed) return InvalidArgument("unknown job state '" + state + "'");
  r.state = *parsed;
  if (j.contains("exit_code") && j["exit_code"].is_number_integer())
    r.exit_code = j["exit_code"].get<int>();
  if (j.contains("reason") && j["reason"].is_string()) r.reason = j["reason"];
  if (j.contains("started_at") && j["started_at"].is_number_integer())
    r.started_at = j["started_at"];
  if (j.contains("finished_at") && j["finished_at"].is_number_integer())
    r.finished_at = j["finished_at"];
  return r;
}

Json ToJson(const RegisterRequest& r) {
  Json gpus = Json::array();
  for (const auto& g : r.gpus) gpus.push_back(GpuInfoToJson(g));
  return {{"name", r.name},           {"host", r.host}, {"runtime", r.runtime},
          {"cpu_slots", r.cpu_slots}, {"gpus", gpus},   {"jobs", ReportsToJson(r.jobs)}};
}

Result<RegisterRequest> RegisterRequestFromJson(const Json& j) {
  RegisterRequest r;
  YARD_ASSIGN_OR_RETURN(r.name, RequireString(j, "name"));
  if (r.name.empty() || r.name.size() > 128)
    return InvalidArgument("worker name must be 1-128 characters");
  YARD_ASSIGN_OR_RETURN(r.host, RequireString(j, "host"));
  YARD_ASSIGN_OR_RETURN(r.runtime, RequireString(j, "runtime"));
  YARD_ASSIGN_OR_RETURN(int64_t slots, RequireInt(j, "cpu_slots"));
  r.cpu_slots = static_cast<int>(std::clamp<int64_t>(slots, 0, 4096));
  if (!j.contains("gpus") || !j["gpus"].is_array())
    return InvalidArgument("field 'gpus' must be a list");
  for (const auto& g : j["gpus"]) {
    YARD_ASSIGN_OR_RETURN(GpuInfo gpu, GpuInfoFromJson(g));
    r.gpus.push_back(std::move(gpu));
  }
  YARD_ASSIGN_OR_RETURN(r.jobs, ReportsFromJson(j));
  return r;
}

Json ToJson(const RegisterResponse& r) {
  Json offsets = Json::array();
  for (const auto& [job, offset] : r.output_offsets)
    offsets.push_back({{"job_id", job}, {"offset", offset}});
  return {{"worker_id", r.worker_id},
          {"heartbeat_interval_ms", r.heartbeat_interval_ms},
          {"output_offsets", offsets}};
}

Result<RegisterResponse> RegisterResponseFromJson(const Json& j) {
  RegisterResponse r;
  YARD_ASSIGN_OR_RETURN(r.worker_id, RequireInt(j, "worker_id"));
  YARD_ASSIGN_OR_RETURN(int64_t ms, RequireInt(j, "heartbeat_interval_ms"));
  r.heartbeat_interval_ms = static_cast<int>(std::clamp<int64_t>(ms, 10, 600'000));
  if (j.contains("output_offsets")) {
    if (!j["output_offsets"].is_array()) return InvalidArgument("output_offsets must be a list");
    for (const auto& o : j["output_offsets"]) {
      YARD_ASSIGN_OR_RETURN(int64_t job, RequireInt(o, "job_id"));
      YARD_ASSIGN_OR_RETURN(int64_t offset, RequireInt(o, "offset"));
      r.output_offsets[job] = offset;
    }
  }
  return r;
}

Json ToJson(const HeartbeatRequest& r) {
  Json usage = Json::array();
  for (const auto& u : r.usage) usage.push_back(GpuUsageToJson(u));
  return {{"usage", usage}, {"jobs", ReportsToJson(r.jobs)}};
}

Result<HeartbeatRequest> HeartbeatRequestFromJson(const Json& j) {
  HeartbeatRequest r;
  if (!j.is_object()) return InvalidArgument("a heartbeat must be a JSON object");
  if (j.contains("usage")) {
    if (!j["usage"].is_array()) return InvalidArgument("field 'usage' must be a list");
    for (const auto& u : j["usage"]) {
      YARD_ASSIGN_OR_RETURN(GpuUsage usage, GpuUsageFromJson(u));
      r.usage.push_back(std::move(usage));
    }
  }
  YARD_ASSIGN_OR_RETURN(r.jobs, ReportsFromJson(j));
  return r;
}

Json ToJson(const HeartbeatResponse& r) {
  Json assign = Json::array();
  for (const auto& a : r.assign) {
    Json one = {{"job_id", a.job_id}, {"attempt", a.attempt},          {"sweep_id", a.sweep_id},
                {"trial", a.trial},   {"spec", JobSpecToJson(a.spec)}, {"hparams", a.hparams},
                {"gpus", a.gpus}};
    if (a.has_checkpoint) one["has_checkpoint"] = *a.has_checkpoint;
    if (a.num_nodes > 1) {
      one["num_nodes"] = a.num_nodes;
      one["node_rank"] = a.node_rank;
      one["master_addr"] = a.master_addr;
      one["master_port"] = a.master_port;
    }
    assign.push_back(std::move(one));
  }
  Json kill = Json::array();
  for (const auto& k : r.kill) {
    Json order = {{"job_id", k.job_id}, {"attempt", k.attempt}, {"reason", k.reason}};
    if (k.preempt) order["preempt"] = true;
    if (k.grace_ms > 0) order["grace_ms"] = k.grace_ms;
    kill.push_back(std::move(order));
  }
  Json out = {{"assign", assign}, {"kill", kill}};
  if (r.news > 0) out["news"] = r.news;
  return out;
}

Result<HeartbeatResponse> HeartbeatResponseFromJson(const Json& j) {
  HeartbeatResponse r;
  if (!j.is_object()) return InvalidArgument("a heartbeat answer must be a JSON object");
  if (j.contains("news")) {
    if (!j["news"].is_number_unsigned())
      return InvalidArgument("field 'news' must be a non-negative integer");
    r.news = j["news"].get<uint64_t>();
  }
  const Json assign = j.value("assign", Json::array());
  if (!assign.is_array()) return InvalidArgument("field 'assign' must be a list");
  for (const auto& a : assign) {
    Assignment as;
    YARD_ASSIGN_OR_RETURN(as.job_id, RequireInt(a, "job_id"));
    YARD_ASSIGN_OR_RETURN(int64_t attempt, RequireInt(a, "attempt"));
    as.attempt = static_cast<int>(attempt);
    YARD_ASSIGN_OR_RETURN(as.sweep_id, RequireInt(a, "sweep_id"));
    if (a.contains("trial") && a["trial"].is_number_integer()) as.trial = a["trial"];
    if (!a.contains("spec")) return InvalidArgument("assignment without a spec");
    YARD_ASSIGN_OR_RETURN(as.spec, ParseJobSpec(a["spec"]));
    as.hparams = a.value("hparams", Json::object());
    if (!as.hparams.is_object()) return InvalidArgument("assignment hparams must be a mapping");
    const Json gpus = a.value("gpus", Json::array());
    if (!gpus.is_array()) return InvalidArgument("assignment gpus must be a list of indexes");
    for (const auto& g : gpus) {
      if (!g.is_number_integer()) return InvalidArgument("assignment gpus must be indexes");
      as.gpus.push_back(g.get<int>());
    }
    if (a.contains("has_checkpoint")) {
      if (!a["has_checkpoint"].is_boolean())
        return InvalidArgument("assignment has_checkpoint must be true or false");
      as.has_checkpoint = a["has_checkpoint"].get<bool>();
    }
    if (a.contains("num_nodes")) {
      YARD_ASSIGN_OR_RETURN(int64_t nodes, RequireInt(a, "num_nodes"));
      YARD_ASSIGN_OR_RETURN(int64_t rank, RequireInt(a, "node_rank"));
      YARD_ASSIGN_OR_RETURN(int64_t port, RequireInt(a, "master_port"));
      if (nodes < 1 || nodes > 65536 || rank < 0 || rank >= nodes)
        return InvalidArgument("assignment num_nodes/node_rank out of range");
      if (port < 1 || port > 65535) return InvalidArgument("assignment master_port out of range");
      if (!a.contains("master_addr") || !a["master_addr"].is_string() ||
          a["master_addr"].get<std::string>().empty())
        return InvalidArgument("assignment of a gang without master_addr");
      as.num_nodes = static_cast<int>(nodes);
      as.node_rank = static_cast<int>(rank);
      as.master_port = static_cast<int>(port);
      as.master_addr = a["master_addr"].get<std::string>();
    }
    r.assign.push_back(std::move(as));
  }
  const Json kill = j.value("kill", Json::array());
  if (!kill.is_array()) return InvalidArgument("field 'kill' must be a list");
  for (const auto& k : kill) {
    KillOrder order;
    YARD_ASSIGN_OR_RETURN(order.job_id, RequireInt(k, "job_id"));
    YARD_ASSIGN_OR_RETURN(int64_t attempt, RequireInt(k, "attempt"));
    order.attempt = static_cast<int>(attempt);
    if (k.contains("reason") && k["reason"].is_string()) order.reason = k["reason"];
    if (k.contains("preempt") && k["preempt"].is_boolean()) order.preempt = k["preempt"];
    if (k.contains("grace_ms")) {
      // An hour at most: a grace period is for writing a checkpoint.
      if (!k["grace_ms"].is_number_integer() || k["grace_ms"].get<int64_t>() < 0 ||
          k["grace_ms"].get<int64_t>() > 3'600'000)
        return InvalidArgument("kill order grace_ms must be 0 to 3600000");
      order.grace_ms = k["grace_ms"].get<int>();
    }
    r.kill.push_back(std::move(order));
  }
  return r;
}

}  // namespace yard
