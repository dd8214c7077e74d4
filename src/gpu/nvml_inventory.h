// The GPUs NVML sees: the real ones.
#pragma once

#include <memory>
#include <string>

#include "gpu/gpu_inventory.h"
#include "gpu/nvml_library.h"

namespace yard {

// Loads NVML from `library` and lists its GPUs once. Sample() asks NVML again each time for
// utilization, memory in use and compute processes (all of them, in foreign_pids). Unavailable
// when NVML is missing or broken; see NvmlLibrary::Open.
Result<std::unique_ptr<GpuInventory>> OpenNvmlInventory(
    const std::string& library = kNvmlLibraryName);

}  // namespace yard
