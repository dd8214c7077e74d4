// The `fake:` GPU spec: GPUs described by a flag for machines and tests without real ones.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// The most fake GPUs one spec may describe; more is surely a typo.
inline constexpr int kMaxFakeGpus = 1024;

// Parses what follows "fake:", either a count ("4": that many "FakeGPU-16GB") or a list of
// COUNTxMODEL items ("2xA100-80GB,2xV100-16GB"). A MODEL must end in its memory, "-NNGB".
// Indexes run 0..n-1 in spec order; compute capabilities come from the model's family (see
// FakeComputeCapability); UUIDs are "GPU-fake-<8 hex of a hash of uuid_seed>-<index>", so two
// workers with different seeds never share one. InvalidArgument says what is wrong.
Result<std::vector<GpuInfo>> ParseFakeGpuSpec(std::string_view spec_after_fake_colon,
                                              std::string_view uuid_seed);

// The CUDA compute capability of a model by its family, "A100-80GB" -> "8.0"; "8.0" when the
// family is unknown.
std::string FakeComputeCapability(std::string_view model);

// "GPU-fake-1b2c3d4e-0": stable for one seed and index.
std::string FakeGpuUuid(std::string_view uuid_seed, int index);

}  // namespace yard
