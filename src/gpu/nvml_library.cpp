#include "gpu/nvml_library.h"

#include <dlfcn.h>

namespace yard {
namespace {

constexpr const char* kHint =
    "; on a machine without NVIDIA GPUs or drivers, use --gpus fake:N or --gpus none";

// Fills *fn from the symbol `name`; false when the library lacks it.
template <class Fn>
bool Resolve(void* handle, const char* name, Fn* fn) {
  void* symbol = ::dlsym(handle, name);
  // POSIX guarantees that a dlsym result converts to a function pointer.
  *fn = reinterpret_cast<Fn>(symbol);
  return symbol != nullptr;
}

}  // namespace

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::Open(const std::string& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Unavailable("NVML (" + library + ") was not found: " + (why ? why : "dlopen failed") +
                       kHint);
  }

  nvml::Api api{};
  const char* missing = nullptr;
  auto require = [&](const char* name, auto* fn) {
    if (!Resolve(handle, name, fn) && missing == nullptr) missing = name;
  };
  require("nvmlInit_v2", &api.Init);
  require("nvmlShutdown", &api.Shutdown);
  require("nvmlErrorString", &api.ErrorString);
  require("nvmlDeviceGetCount_v2", &api.DeviceGetCount);
  require("nvmlDeviceGetHandleByIndex_v2", &api.DeviceGetHandleByIndex);
  require("nvmlDeviceGetName", &api.DeviceGetName);
  require("nvmlDeviceGetUUID", &api.DeviceGetUuid);
  require("nvmlDeviceGetMemoryInfo", &api.DeviceGetMemoryInfo);
  require("nvmlDeviceGetCudaComputeCapability", &api.DeviceGetCudaComputeCapability);
  require("nvmlDeviceGetUtilizationRates", &api.DeviceGetUtilizationRates);
  // Newer drivers keep the old entry points too, so the newest present is the one used.
  const bool has_v3 = Resolve(handle, "nvmlDeviceGetComputeRunningProcesses_v3",
                              &api.DeviceGetComputeRunningProcessesV3);
  const bool has_v2 = Resolve(handle, "nvmlDeviceGetComputeRunningProcesses_v2",
                              &api.DeviceGetComputeRunningProcessesV2);
  const bool has_v1 = Resolve(handle, "nvmlDeviceGetComputeRunningProcesses",
                              &api.DeviceGetComputeRunningProcessesV1);
  const bool any_processes = has_v3 || has_v2 || has_v1;
  if (missing == nullptr && !any_processes) missing = "nvmlDeviceGetComputeRunningProcesses";
  if (missing != nullptr) {
    ::dlclose(handle);
    return Unavailable("NVML (" + library + ") lacks " + missing +
                       "; the NVIDIA driver is too old" + kHint);
  }

  nvml::Return rc = api.Init();
  if (rc != nvml::kSuccess) {
    std::string why = api.ErrorString(rc);
    ::dlclose(handle);
    return Unavailable("NVML (" + library + ") would not initialize: nvmlInit_v2: " + why + kHint);
  }
  return std::unique_ptr<NvmlLibrary>(new NvmlLibrary(handle, api));
}

NvmlLibrary::~NvmlLibrary() {
  api_.Shutdown();
  ::dlclose(handle_);
}

std::string NvmlLibrary::Error(const char* function, nvml::Return code) const {
  const char* text = api_.ErrorString(code);
  std::string why = text != nullptr ? text : "NVML error " + std::to_string(code);
  return std::string(function) + ": " + why;
}

}  // namespace yard
