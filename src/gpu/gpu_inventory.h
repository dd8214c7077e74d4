// A server's GPUs: found once when the worker starts, sampled on every heartbeat.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// Raw per-GPU use; GpuUsage::foreign_pids here holds every compute process on the GPU.
// The worker removes its own jobs' processes from it.
class GpuInventory {
 public:
  virtual ~GpuInventory() = default;
  virtual const std::vector<GpuInfo>& Gpus() const = 0;
  virtual Result<std::vector<GpuUsage>> Sample() = 0;
};

struct GpuOptions {
  // "auto": NVML, loaded with dlopen("libnvidia-ml.so.1") at run time.
  // "none": no GPUs (CPU jobs only).
  // "fake:4", "fake:2xA100-80GB,2xV100-16GB": GPUs that are not there.
  std::string spec = "auto";
  // For fake GPUs: a JSON file, read on every Sample(), that makes GPUs look busy, e.g.
  // {"0": {"utilization_pct": 90, "memory_used_mb": 1000, "pids": [4242]}}. Lets tests play
  // a foreign process on a GPU. Empty: none.
  std::string fake_usage_file;
  // For fake GPUs: mixed into their UUIDs so that the fake GPUs of different workers on one
  // machine never share a UUID. The worker passes its name.
  std::string fake_uuid_seed;
};

// A clear error when the spec is malformed (InvalidArgument) or "auto" finds no NVML
// (Unavailable).
Result<std::unique_ptr<GpuInventory>> OpenGpuInventory(const GpuOptions& options);

}  // namespace yard
