#include "gpu/fake_inventory.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "common/file_io.h"
#include "gpu/fake_usage.h"

namespace yard {
namespace {

constexpr size_t kMaxUsageFileBytes = 1 << 20;

}  // namespace

FakeGpuInventory::FakeGpuInventory(std::vector<GpuInfo> gpus, std::string usage_file)
    : gpus_(std::move(gpus)), usage_file_(std::move(usage_file)) {}

std::vector<GpuUsage> FakeGpuInventory::Idle() const {
  std::vector<GpuUsage> usage(gpus_.size());
  for (size_t i = 0; i < gpus_.size(); ++i) usage[i].index = gpus_[i].index;
  return usage;
}

void FakeGpuInventory::WarnOnce(const std::string& why) {
  if (warned_) return;
  warned_ = true;
  spdlog::warn("fake GPU usage file {}: {}; treating all GPUs as idle", usage_file_, why);
}

Result<std::vector<GpuUsage>> FakeGpuInventory::Sample() {
  if (usage_file_.empty()) return Idle();
  Result<std::string> text = ReadSmallFile(usage_file_, kMaxUsageFileBytes);
  if (!text.ok()) {
    if (text.status().code() != Code::kNotFound) WarnOnce(text.status().message());
    return Idle();
  }
  Result<std::vector<GpuUsage>> usage = ParseFakeUsage(*text, static_cast<int>(gpus_.size()));
  if (!usage.ok()) {
    WarnOnce(usage.status().message());
    return Idle();
  }
  warned_ = false;  // a later break deserves a warning of its own
  return usage;
}

}  // namespace yard
