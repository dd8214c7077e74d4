#include "gpu/fake_gpu_spec.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>

namespace yard {
namespace {

constexpr std::string_view kDefaultModel = "FakeGPU-16GB";
constexpr size_t kMaxModelLength = 64;

struct FamilyCapability {
  std::string_view family;
  std::string_view capability;
};

// Longest matching prefix wins, so "A100" is not taken for "A10" and "L40S" finds "L40".
constexpr std::array<FamilyCapability, 11> kCapabilities = {{
    {"V100", "7.0"},
    {"T4", "7.5"},
    {"A100", "8.0"},
    {"A10", "8.6"},
    {"A30", "8.0"},
    {"A40", "8.6"},
    {"L4", "8.9"},
    {"L40", "8.9"},
    {"H100", "9.0"},
    {"H200", "9.0"},
    {"B200", "10.0"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) !=
        std::toupper(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// The count at the start of `text`; nullopt when there is none. Stops above kMaxFakeGpus so
// that a long run of digits cannot overflow.
std::optional<int> LeadingCount(std::string_view text, size_t* digits) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && IsDigit(text[i])) {
    n = n * 10 + (text[i] - '0');
    if (n > kMaxFakeGpus) n = kMaxFakeGpus + 1;
    ++i;
  }
  *digits = i;
  if (i == 0) return std::nullopt;
  return static_cast<int>(n);
}

// The memory of a model from its "-NNGB" suffix, in MiB.
Result<int64_t> ModelMemoryMb(std::string_view model) {
  const std::string quoted = "'" + std::string(model) + "'";
  size_t dash = model.rfind('-');
  if (dash == std::string_view::npos || model.size() < dash + 4 ||
      !StartsWithIgnoringCase(model.substr(model.size() - 2), "GB")) {
    return InvalidArgument("GPU model " + quoted +
                           " does not end in its memory size; write it like A100-80GB");
  }
  std::string_view number = model.substr(dash + 1, model.size() - 2 - dash - 1);
  if (number.size() > 5) {
    return InvalidArgument("GPU model " + quoted + " has an implausible memory size");
  }
  int64_t gb = 0;
  for (char c : number) {
    if (!IsDigit(c)) {
      return InvalidArgument("GPU model " + quoted +
                             " does not end in its memory size; write it like A100-80GB");
    }
    gb = gb * 10 + (c - '0');
  }
  if (gb == 0) return InvalidArgument("GPU model " + quoted + " has 0 GB of memory");
  return gb * 1024;
}

Status CheckModelName(std::string_view model) {
  if (model.empty()) return InvalidArgument("a GPU model is missing after the count");
  if (model.size() > kMaxModelLength) {
    return InvalidArgument("GPU model '" + std::string(model.substr(0, 20)) + "...' is too long");
  }
  for (char c : model) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return InvalidArgument("GPU model '" + std::string(model) +
                             "' may hold only letters, digits, '-', '_' and '.'");
    }
  }
  return Status::Ok();
}

// One "COUNTxMODEL" item.
Result<std::pair<int, std::string>> ParseItem(std::string_view item) {
  const std::string quoted = "'" + std::string(item) + "'";
  if (item.empty()) return InvalidArgument("an empty item in the list of GPUs");
  size_t digits = 0;
  std::optional<int> count = LeadingCount(item, &digits);
  if (!count || digits == item.size() || item[digits] != 'x') {
    return InvalidArgument(quoted + " is not COUNTxMODEL (e.g. 2xA100-80GB) or a plain count");
  }
  if (*count < 1) return InvalidArgument("the count in " + quoted + " must be at least 1");
  std::string_view model = item.substr(digits + 1);
  YARD_RETURN_IF_ERROR(CheckModelName(model).Prefixed(quoted));
  return std::pair<int, std::string>(*count, std::string(model));
}

// FNV-1a: a fixed, documented hash, so a worker's fake UUIDs survive a restart and a rebuild.
uint32_t Fnv1a32(std::string_view text) {
  uint32_t h = 2166136261u;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string FakeComputeCapability(std::string_view model) {
  std::string_view best_capability = "8.0";
  size_t best_length = 0;
  for (const auto& entry : kCapabilities) {
    if (entry.family.size() > best_length && StartsWithIgnoringCase(model, entry.family)) {
      best_capability = entry.capability;
      best_length = entry.family.size();
    }
  }
  return std::string(best_capability);
}

std::string FakeGpuUuid(std::string_view uuid_seed, int index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "GPU-fake-%08x-%d", static_cast<unsigned>(Fnv1a32(uuid_seed)),
                index);
  return buf;
}

Result<std::vector<GpuInfo>> ParseFakeGpuSpec(std::string_view spec, std::string_view uuid_seed) {
  if (spec.empty()) {
    return InvalidArgument("no GPUs given after 'fake:'; write e.g. fake:4 or fake:2xA100-80GB");
  }

  std::vector<std::pair<int, std::string>> groups;
  size_t digits = 0;
  std::optional<int> count = LeadingCount(spec, &digits);
  if (count && digits == spec.size()) {
    if (*count < 1) return InvalidArgument("the GPU count must be at least 1");
    groups.emplace_back(*count, std::string(kDefaultModel));
  } else {
    size_t start = 0;
    while (true) {
      size_t comma = spec.find(',', start);
      std::string_view item = spec.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      YARD_ASSIGN_OR_RETURN(auto group, ParseItem(item));
      groups.push_back(std::move(group));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }

  int64_t total = 0;
  for (const auto& [n, model] : groups) total += n;
  if (total > kMaxFakeGpus) {
    return InvalidArgument("too many GPUs (" + std::to_string(total) + "); at most " +
                           std::to_string(kMaxFakeGpus));
  }

  std::vector<GpuInfo> gpus;
  gpus.reserve(static_cast<size_t>(total));
  for (const auto& [n, model] : groups) {
    YARD_ASSIGN_OR_RETURN(int64_t memory_mb, ModelMemoryMb(model));
    for (int i = 0; i < n; ++i) {
      GpuInfo gpu;
      gpu.index = static_cast<int>(gpus.size());
      gpu.uuid = FakeGpuUuid(uuid_seed, gpu.index);
      gpu.model = model;
      gpu.memory_mb = memory_mb;
      gpu.compute_capability = FakeComputeCapability(model);
      gpus.push_back(std::move(gpu));
    }
  }
  return gpus;
}

}  // namespace yard
