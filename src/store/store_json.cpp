#include "store/store_json.h"

#include <cmath>
#include <limits>

namespace yard::store_internal {
namespace {

// Sets `out` from json[key] when the key is there and not null. Throws Json::exception on a
// type mismatch; the public functions below turn that into a Status.
template <class T>
void Read(const Json& json, const char* key, T& out) {
  auto it = json.find(key);
  if (it != json.end() && !it->is_null()) it->get_to(out);
}

Status Require(bool ok, std::string_view what, std::string_view shape) {
  if (ok) return Status::Ok();
  return Internal("bad JSON in the database: " + std::string(what) + " is not " +
                  std::string(shape));
}

Status BadJson(std::string_view what, const Json::exception& e) {
  return Internal("bad " + std::string(what) + " JSON in the database: " + e.what());
}

}  // namespace

Json JobSpecToJson(const JobSpec& spec) {
  return Json{
      {"name", spec.name},
      {"image", spec.image},
      {"command", spec.command},
      {"code", spec.code},
      {"data", spec.data},
      {"resources",
       {{"gpus", spec.resources.gpus},
        {"memory_bytes", spec.resources.memory_bytes},
        {"nano_cpus", spec.resources.nano_cpus},
        {"pids", spec.resources.pids},
        {"gpu_models", spec.resources.gpu_models},
        {"min_gpu_memory_gb", spec.resources.min_gpu_memory_gb},
        {"min_compute_capability", spec.resources.min_compute_capability}}},
      {"group", spec.group},
      {"preemptible", spec.preemptible},
      {"priority", spec.priority},
      {"max_retries", spec.max_retries},
      {"timeout_s", spec.timeout_s},
      {"env", spec.env},
      {"run_as", spec.run_as},
      {"hyperparameters", spec.hyperparameters},
      {"search", spec.search},
  };
}

Result<JobSpec> JobSpecFromJson(const Json& json) {
  try {
    YARD_RETURN_IF_ERROR(Require(json.is_object(), "job spec", "an object"));
    JobSpec spec;
    Read(json, "name", spec.name);
    Read(json, "image", spec.image);
    Read(json, "command", spec.command);
    Read(json, "code", spec.code);
    Read(json, "data", spec.data);
    if (auto it = json.find("resources"); it != json.end() && !it->is_null()) {
      YARD_RETURN_IF_ERROR(Require(it->is_object(), "job resources", "an object"));
      Read(*it, "gpus", spec.resources.gpus);
      Read(*it, "memory_bytes", spec.resources.memory_bytes);
      Read(*it, "nano_cpus", spec.resources.nano_cpus);
      Read(*it, "pids", spec.resources.pids);
      Read(*it, "gpu_models", spec.resources.gpu_models);
      Read(*it, "min_gpu_memory_gb", spec.resources.min_gpu_memory_gb);
      Read(*it, "min_compute_capability", spec.resources.min_compute_capability);
    }
    Read(json, "priority", spec.priority);
    Read(json, "max_retries", spec.max_retries);
    Read(json, "group", spec.group);
    Read(json, "preemptible", spec.preemptible);
    Read(json, "timeout_s", spec.timeout_s);
    Read(json, "env", spec.env);
    Read(json, "run_as", spec.run_as);
    if (auto it = json.find("hyperparameters"); it != json.end()) spec.hyperparameters = *it;
    if (auto it = json.find("search"); it != json.end()) spec.search = *it;
    return spec;
  } catch (const Json::exception& e) {
    return BadJson("job spec", e);
  }
}

Json GpuRefsToJson(const std::vector<GpuRef>& gpus) {
  Json list = Json::array();
  for (const GpuRef& gpu : gpus) {
    list.push_back(
        {{"worker", gpu.worker}, {"index", gpu.index}, {"uuid", gpu.uuid}, {"model", gpu.model}});
  }
  return list;
}

Result<std::vector<GpuRef>> GpuRefsFromJson(const Json& json) {
  try {
    YARD_RETURN_IF_ERROR(Require(json.is_array(), "job GPU list", "an array"));
    std::vector<GpuRef> gpus;
    for (const Json& item : json) {
      YARD_RETURN_IF_ERROR(Require(item.is_object(), "job GPU", "an object"));
      GpuRef& gpu = gpus.emplace_back();
      Read(item, "worker", gpu.worker);
      Read(item, "index", gpu.index);
      Read(item, "uuid", gpu.uuid);
      Read(item, "model", gpu.model);
    }
    return gpus;
  } catch (const Json::exception& e) {
    return BadJson("job GPU list", e);
  }
}

Json GpuInfosToJson(const std::vector<GpuInfo>& gpus) {
  Json list = Json::array();
  for (const GpuInfo& gpu : gpus) {
    list.push_back({{"index", gpu.index},
                    {"uuid", gpu.uuid},
                    {"model", gpu.model},
                    {"memory_mb", gpu.memory_mb},
                    {"compute_capability", gpu.compute_capability}});
  }
  return list;
}

Result<std::vector<GpuInfo>> GpuInfosFromJson(const Json& json) {
  try {
    YARD_RETURN_IF_ERROR(Require(json.is_array(), "worker GPU list", "an array"));
    std::vector<GpuInfo> gpus;
    for (const Json& item : json) {
      YARD_RETURN_IF_ERROR(Require(item.is_object(), "worker GPU", "an object"));
      GpuInfo& gpu = gpus.emplace_back();
      Read(item, "index", gpu.index);
      Read(item, "uuid", gpu.uuid);
      Read(item, "model", gpu.model);
      Read(item, "memory_mb", gpu.memory_mb);
      Read(item, "compute_capability", gpu.compute_capability);
    }
    return gpus;
  } catch (const Json::exception& e) {
    return BadJson("worker GPU list", e);
  }
}

Json MetricValuesToJson(const std::map<std::string, double>& values) {
  Json object = Json::object();
  for (const auto& [key, value] : values) {
    if (std::isnan(value)) {
      object[key] = "NaN";
    } else if (std::isinf(value)) {
      object[key] = value > 0 ? "Infinity" : "-Infinity";
    } else {
      object[key] = value;
    }
  }
  return object;
}

Result<std::map<std::string, double>> MetricValuesFromJson(const Json& json) {
  try {
    YARD_RETURN_IF_ERROR(Require(json.is_object(), "metric values", "an object"));
    std::map<std::string, double> values;
    for (const auto& [key, value] : json.items()) {
      if (value.is_number()) {
        values[key] = value.get<double>();
      } else if (value == "Infinity") {
        values[key] = std::numeric_limits<double>::infinity();
      } else if (value == "-Infinity") {
        values[key] = -std::numeric_limits<double>::infinity();
      } else if (value == "NaN" || value.is_null()) {
        values[key] = std::numeric_limits<double>::quiet_NaN();
      } else {
        return Internal("bad metric values JSON in the database: " + key + " is " + value.dump());
      }
    }
    return values;
  } catch (const Json::exception& e) {
    return BadJson("metric values", e);
  }
}

Result<Json> ParseColumn(const std::string& text, std::string_view what) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal(std::string(what) + ": not valid JSON: " + text);
  return json;
}

}  // namespace yard::store_internal
