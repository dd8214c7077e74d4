// OpenGpuInventory: picks the inventory a --gpus spec names.
#include "gpu/gpu_inventory.h"

#include <string_view>

#include "gpu/fake_gpu_spec.h"
#include "gpu/fake_inventory.h"
#include "gpu/nvml_inventory.h"

namespace yard {

Result<std::unique_ptr<GpuInventory>> OpenGpuInventory(const GpuOptions& options) {
  std::string_view spec = options.spec;
  if (spec == "auto") return OpenNvmlInventory();
  if (spec == "none") {
    return std::unique_ptr<GpuInventory>(new FakeGpuInventory({}, ""));
  }
  constexpr std::string_view kFake = "fake:";
  if (spec.substr(0, kFake.size()) == kFake) {
    Result<std::vector<GpuInfo>> gpus =
        ParseFakeGpuSpec(spec.substr(kFake.size()), options.fake_uuid_seed);
    if (!gpus.ok()) return gpus.status().Prefixed("--gpus " + options.spec);
    return std::unique_ptr<GpuInventory>(
        new FakeGpuInventory(std::move(gpus).value(), options.fake_usage_file));
  }
  return InvalidArgument("--gpus " + options.spec +
                         ": unknown GPU spec; use auto, none, or fake:SPEC (e.g. fake:4 or "
                         "fake:2xA100-80GB)");
}

}  // namespace yard
