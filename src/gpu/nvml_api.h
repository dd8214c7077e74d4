// The few NVML declarations Trainyard uses, written out from NVML's documented C ABI so that
// the build needs no NVIDIA headers: libnvidia-ml.so.1 is found with dlopen at run time.
#pragma once

namespace yard::nvml {

using Return = int;  // nvmlReturn_t
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorInsufficientSize = 7;

using Device = struct nvmlDevice_st*;  // nvmlDevice_t, opaque

// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE.
inline constexpr unsigned kNameBufferSize = 96;
inline constexpr unsigned kUuidBufferSize = 96;

struct Memory {  // nvmlMemory_t, bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

struct Utilization {  // nvmlUtilization_t, percent
  unsigned int gpu;
  unsigned int memory;
};

// nvmlProcessInfo_t: the layout of ..._v3 and ..._v2.
struct ProcessInfo {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};

// nvmlProcessInfo_v1_t: the layout of the unversioned nvmlDeviceGetComputeRunningProcesses.
struct ProcessInfoV1 {
  unsigned int pid;
  unsigned long long usedGpuMemory;
};

// The dlsym table. Every entry is required except the versioned process listings, of which
// at least one of the three must be present.
struct Api {
  Return (*Init)();                                              // nvmlInit_v2
  Return (*Shutdown)();                                          // nvmlShutdown
  const char* (*ErrorString)(Return);                            // nvmlErrorString
  Return (*DeviceGetCount)(unsigned int*);                       // nvmlDeviceGetCount_v2
  Return (*DeviceGetHandleByIndex)(unsigned int, Device*);       // ..._v2
  Return (*DeviceGetName)(Device, char*, unsigned int);          // nvmlDeviceGetName
  Return (*DeviceGetUuid)(Device, char*, unsigned int);          // nvmlDeviceGetUUID
  Return (*DeviceGetMemoryInfo)(Device, Memory*);                // nvmlDeviceGetMemoryInfo
  Return (*DeviceGetCudaComputeCapability)(Device, int*, int*);  // major, minor
  Return (*DeviceGetUtilizationRates)(Device, Utilization*);     // nvmlDeviceGetUtilizationRates
  Return (*DeviceGetComputeRunningProcessesV3)(Device, unsigned int*, ProcessInfo*);
  Return (*DeviceGetComputeRunningProcessesV2)(Device, unsigned int*, ProcessInfo*);
  Return (*DeviceGetComputeRunningProcessesV1)(Device, unsigned int*, ProcessInfoV1*);
};

}  // namespace yard::nvml
