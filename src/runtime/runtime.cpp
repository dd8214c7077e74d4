// MakeRuntime: picks the runtime a --runtime flag names.
#include "runtime/runtime.h"

#include <system_error>

#include "runtime/process_runtime.h"

namespace yard {

Result<std::unique_ptr<Runtime>> MakeRuntime(const RuntimeOptions& options) {
  if (options.kind == "docker") {
    return Unavailable("the docker runtime is not available in this build yet");
  }
  if (options.kind != "process") {
    return InvalidArgument("unknown runtime '" + options.kind + "'; use process or docker");
  }
  if (!options.state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.state_dir, ec);
    if (ec) {
      return IoError("cannot create the runtime state folder " + options.state_dir.string() + ": " +
                     ec.message());
    }
  }
  return std::unique_ptr<Runtime>(new ProcessRuntime(options.state_dir));
}

}  // namespace yard
