#include "gpu/fake_inventory.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/unique_fd.h"
#include "gpu/fake_usage.h"

namespace yard {
namespace {

constexpr size_t kMaxUsageFileBytes = 1 << 20;

// The whole file; NotFound when it does not exist, so that the caller can tell "no file" (idle
// GPUs, the usual case) from a file that is there but broken.
Result<std::string> ReadSmallFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFound(path);
    return ErrnoError("cannot open it", errno);
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read it", errno);
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxUsageFileBytes) return TooLarge("it is larger than 1 MiB");
  }
}

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
  Result<std::string> text = ReadSmallFile(usage_file_);
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
