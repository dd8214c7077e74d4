#include "gpu/nvml_inventory.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace yard {
namespace {

constexpr int64_t kBytesPerMb = 1024 * 1024;

class NvmlInventory : public GpuInventory {
 public:
  NvmlInventory(std::unique_ptr<NvmlLibrary> nvml, std::vector<nvml::Device> devices,
                std::vector<GpuInfo> gpus)
      : nvml_(std::move(nvml)), devices_(std::move(devices)), gpus_(std::move(gpus)) {}

  const std::vector<GpuInfo>& Gpus() const override { return gpus_; }

  Result<std::vector<GpuUsage>> Sample() override {
    std::vector<GpuUsage> usage;
    usage.reserve(devices_.size());
    for (size_t i = 0; i < devices_.size(); ++i) {
      YARD_ASSIGN_OR_RETURN(GpuUsage one, SampleOne(devices_[i]));
      one.index = gpus_[i].index;
      usage.push_back(std::move(one));
    }
    return usage;
  }

 private:
  Result<GpuUsage> SampleOne(nvml::Device device) const {
    const nvml::Api& api = nvml_->api();
    GpuUsage usage;

    nvml::Memory memory{};
    nvml::Return rc = api.DeviceGetMemoryInfo(device, &memory);
    if (rc != nvml::kSuccess) return Unavailable(nvml_->Error("nvmlDeviceGetMemoryInfo", rc));
    usage.memory_used_mb = static_cast<int64_t>(memory.used / kBytesPerMb);

    // MIG partitions and some boards report no utilization; that reads as idle, not broken.
    nvml::Utilization utilization{};
    rc = api.DeviceGetUtilizationRates(device, &utilization);
    if (rc == nvml::kSuccess) {
      usage.utilization_pct = static_cast<int>(utilization.gpu);
    } else if (rc != nvml::kErrorNotSupported) {
      return Unavailable(nvml_->Error("nvmlDeviceGetUtilizationRates", rc));
    }

    YARD_ASSIGN_OR_RETURN(usage.foreign_pids, ComputePids(device));
    return usage;
  }

  // Calls one version of nvmlDeviceGetComputeRunningProcesses, growing the buffer while NVML
  // says it is too small (processes may start between two calls).
  template <class Info>
  Result<std::vector<int64_t>> ListPids(const char* function,
                                        nvml::Return (*list)(nvml::Device, unsigned int*, Info*),
                                        nvml::Device device) const {
    std::vector<Info> infos(64);
    for (int attempt = 0; attempt < 5; ++attempt) {
      unsigned int count = static_cast<unsigned int>(infos.size());
      nvml::Return rc = list(device, &count, infos.data());
      if (rc == nvml::kErrorInsufficientSize) {
        infos.resize(std::max<size_t>(count + 16, infos.size() * 2));
        continue;
      }
      if (rc != nvml::kSuccess) return Unavailable(nvml_->Error(function, rc));
      std::vector<int64_t> pids;
      for (unsigned int i = 0; i < count && i < infos.size(); ++i) pids.push_back(infos[i].pid);
      return pids;
    }
    return Unavailable(std::string(function) + ": the process list kept growing");
  }

  Result<std::vector<int64_t>> ComputePids(nvml::Device device) const {
    const nvml::Api& api = nvml_->api();
    if (api.DeviceGetComputeRunningProcessesV3 != nullptr) {
      return ListPids("nvmlDeviceGetComputeRunningProcesses_v3",
                      api.DeviceGetComputeRunningProcessesV3, device);
    }
    if (api.DeviceGetComputeRunningProcessesV2 != nullptr) {
      return ListPids("nvmlDeviceGetComputeRunningProcesses_v2",
                      api.DeviceGetComputeRunningProcessesV2, device);
    }
    return ListPids("nvmlDeviceGetComputeRunningProcesses", api.DeviceGetComputeRunningProcessesV1,
                    device);
  }

  // Declared first so that it is destroyed last: the device handles die with it.
  std::unique_ptr<NvmlLibrary> nvml_;
  std::vector<nvml::Device> devices_;
  std::vector<GpuInfo> gpus_;
};

Result<GpuInfo> DescribeDevice(const NvmlLibrary& nvml, unsigned int index, nvml::Device device) {
  const nvml::Api& api = nvml.api();
  GpuInfo gpu;
  gpu.index = static_cast<int>(index);

  char name[nvml::kNameBufferSize] = {};
  nvml::Return rc = api.DeviceGetName(device, name, sizeof name);
  if (rc != nvml::kSuccess) return Unavailable(nvml.Error("nvmlDeviceGetName", rc));
  gpu.model = name;

  char uuid[nvml::kUuidBufferSize] = {};
  rc = api.DeviceGetUuid(device, uuid, sizeof uuid);
  if (rc != nvml::kSuccess) return Unavailable(nvml.Error("nvmlDeviceGetUUID", rc));
  gpu.uuid = uuid;

  nvml::Memory memory{};
  rc = api.DeviceGetMemoryInfo(device, &memory);
  if (rc != nvml::kSuccess) return Unavailable(nvml.Error("nvmlDeviceGetMemoryInfo", rc));
  gpu.memory_mb = static_cast<int64_t>(memory.total / kBytesPerMb);

  int major = 0, minor = 0;
  rc = api.DeviceGetCudaComputeCapability(device, &major, &minor);
  if (rc != nvml::kSuccess) {
    return Unavailable(nvml.Error("nvmlDeviceGetCudaComputeCapability", rc));
  }
  gpu.compute_capability = std::to_string(major) + "." + std::to_string(minor);
  return gpu;
}

}  // namespace

Result<std::unique_ptr<GpuInventory>> OpenNvmlInventory(const std::string& library) {
  YARD_ASSIGN_OR_RETURN(std::unique_ptr<NvmlLibrary> nvml, NvmlLibrary::Open(library));
  const nvml::Api& api = nvml->api();

  unsigned int count = 0;
  nvml::Return rc = api.DeviceGetCount(&count);
  if (rc != nvml::kSuccess) return Unavailable(nvml->Error("nvmlDeviceGetCount_v2", rc));

  std::vector<nvml::Device> devices;
  std::vector<GpuInfo> gpus;
  for (unsigned int i = 0; i < count; ++i) {
    nvml::Device device = nullptr;
    rc = api.DeviceGetHandleByIndex(i, &device);
    if (rc != nvml::kSuccess) {
      return Unavailable("GPU " + std::to_string(i) + ": " +
                         nvml->Error("nvmlDeviceGetHandleByIndex_v2", rc));
    }
    Result<GpuInfo> gpu = DescribeDevice(*nvml, i, device);
    if (!gpu.ok()) return gpu.status().Prefixed("GPU " + std::to_string(i));
    devices.push_back(device);
    gpus.push_back(std::move(gpu).value());
  }
  return std::unique_ptr<GpuInventory>(
      new NvmlInventory(std::move(nvml), std::move(devices), std::move(gpus)));
}

}  // namespace yard
