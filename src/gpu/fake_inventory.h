// GPUs that are not there: from a `fake:` spec, or none at all.
#pragma once

#include <string>
#include <vector>

#include "gpu/gpu_inventory.h"

namespace yard {

// Fixed GPUs whose use is zero, unless `usage_file` (see gpu/fake_usage.h) exists: then it is
// read again on every Sample(). Sample() never fails, so a bad file cannot stop a worker's
// heartbeat: a missing file means idle GPUs; an unreadable or malformed one also means idle
// GPUs, with one warning logged until the file is good again.
class FakeGpuInventory : public GpuInventory {
 public:
  FakeGpuInventory(std::vector<GpuInfo> gpus, std::string usage_file);

  const std::vector<GpuInfo>& Gpus() const override { return gpus_; }
  Result<std::vector<GpuUsage>> Sample() override;

 private:
  std::vector<GpuUsage> Idle() const;
  void WarnOnce(const std::string& why);

  std::vector<GpuInfo> gpus_;
  std::string usage_file_;
  bool warned_ = false;
};

}  // namespace yard
