// The fake-usage file: JSON that makes fake GPUs look busy, so tests can play a foreign
// process on a GPU. Format (every key optional; GPUs not named are idle):
//   {"0": {"utilization_pct": 90, "memory_used_mb": 1000, "pids": [4242]}}
#pragma once

#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// One GpuUsage per GPU (index 0..gpu_count-1), with the file's "pids" in foreign_pids.
// InvalidArgument names what is malformed: bad JSON, a key that is not a GPU index below
// gpu_count, a value of the wrong type or out of range.
Result<std::vector<GpuUsage>> ParseFakeUsage(std::string_view json_text, int gpu_count);

}  // namespace yard
