// MakeRuntime: picks the runtime a --runtime flag names.
#include "runtime/runtime.h"

#include <system_error>
#include <utility>

#include "runtime/docker_runtime.h"
#include "runtime/process_runtime.h"

namespace yard {

Result<std::unique_ptr<Runtime>> MakeRuntime(const RuntimeOptions& options) {
  if (options.kind == "docker") {
    DockerClient docker(options.docker_socket);
    if (Status ping = docker.Ping(); !ping.ok()) {
      return Unavailable(ping.message() +
                         "; the docker runtime needs dockerd: start it with scripts/dockerd");
    }
    return std::unique_ptr<Runtime>(
        new DockerRuntime(std::move(docker), options.state_dir, options.worker_name));
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
