// NvmlLibrary: libnvidia-ml loaded with dlopen and initialized, for exactly as long as the
// object lives.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "gpu/nvml_api.h"

namespace yard {

inline constexpr const char* kNvmlLibraryName = "libnvidia-ml.so.1";

class NvmlLibrary {
 public:
  // dlopens `library` (a name the dynamic loader searches for, or a path), resolves the Api
  // table and calls nvmlInit_v2. Unavailable, with a hint for machines without NVIDIA GPUs,
  // when the library is missing, lacks a function, or will not initialize.
  static Result<std::unique_ptr<NvmlLibrary>> Open(const std::string& library = kNvmlLibraryName);

  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;
  // nvmlShutdown, then dlclose: every Device handle dies with this object.
  ~NvmlLibrary();

  const nvml::Api& api() const { return api_; }

  // "nvmlFoo: <NVML's text for code>".
  std::string Error(const char* function, nvml::Return code) const;

 private:
  NvmlLibrary(void* handle, const nvml::Api& api) : handle_(handle), api_(api) {}

  void* handle_;
  nvml::Api api_;
};

}  // namespace yard
