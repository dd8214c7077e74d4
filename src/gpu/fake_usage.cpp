#include "gpu/fake_usage.h"

#include <string>

namespace yard {
namespace {

// The GPU index a key names, or -1.
int IndexOf(const std::string& key, int gpu_count) {
  if (key.empty() || key.size() > 5) return -1;
  int n = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n < gpu_count ? n : -1;
}

Status FillUsage(const Json& value, GpuUsage* usage) {
  if (!value.is_object()) return InvalidArgument("is not an object");
  for (const auto& [key, field] : value.items()) {
    if (key == "utilization_pct") {
      if (!field.is_number_integer() || field.get<int64_t>() < 0 || field.get<int64_t>() > 100) {
        return InvalidArgument("utilization_pct must be an integer from 0 to 100");
      }
      usage->utilization_pct = field.get<int>();
    } else if (key == "memory_used_mb") {
      if (!field.is_number_integer() || field.get<int64_t>() < 0) {
        return InvalidArgument("memory_used_mb must be a non-negative integer");
      }
      usage->memory_used_mb = field.get<int64_t>();
    } else if (key == "pids") {
      if (!field.is_array()) return InvalidArgument("pids must be a list of process ids");
      for (const Json& pid : field) {
        if (!pid.is_number_integer() || pid.get<int64_t>() <= 0) {
          return InvalidArgument("pids must be a list of positive process ids");
        }
        usage->foreign_pids.push_back(pid.get<int64_t>());
      }
    } else {
      return InvalidArgument("unknown key '" + key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<GpuUsage>> ParseFakeUsage(std::string_view json_text, int gpu_count) {
  Json doc = Json::parse(json_text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("not valid JSON");
  if (!doc.is_object()) return InvalidArgument("not a JSON object of GPU index -> usage");

  std::vector<GpuUsage> usage(static_cast<size_t>(gpu_count < 0 ? 0 : gpu_count));
  for (size_t i = 0; i < usage.size(); ++i) usage[i].index = static_cast<int>(i);
  for (const auto& [key, value] : doc.items()) {
    int index = IndexOf(key, gpu_count);
    if (index < 0) {
      return InvalidArgument("'" + key + "' is not the index of a GPU (there are " +
                             std::to_string(gpu_count) + ")");
    }
    YARD_RETURN_IF_ERROR(
        FillUsage(value, &usage[static_cast<size_t>(index)]).Prefixed("GPU " + key));
  }
  return usage;
}

}  // namespace yard
