// DockerRuntime: runs each job in a Docker container through the Docker Engine API on dockerd's
// unix socket (runtime/docker_client.h); never through the docker CLI.
//
// An execution's id is its container's id. What a container is given is described in
// runtime/docker_container_spec.h; its output is copied into LaunchSpec::log_path as it is
// written (runtime/docker_log_follower.h). The runtime assumes that once Start has returned,
// nothing but itself appends to that log file until Wait has returned: a restarted worker
// finds where to resume copying from the file's size.
//
// Containers outlive the worker (a worker killed with -9 leaves them running): a restarted
// worker with the same state folder finds them by label and Reattach hands them back.
//
// Thread-safe: different executions may be used from different threads at once, and Signal
// may be called while another thread waits in Wait.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "runtime/docker_client.h"
#include "runtime/docker_log_follower.h"
#include "runtime/runtime.h"

namespace yard {

class DockerRuntime : public Runtime {
 public:
  // `state_dir` names this worker's containers (a label on each; nothing is written there):
  // empty, and Reattach finds nothing. `worker_name` is recorded for people to read.
  DockerRuntime(DockerClient docker, std::filesystem::path state_dir, std::string worker_name);
  // Stops copying output; the containers go on, for a restarted worker to reattach.
  ~DockerRuntime() override;

  std::string_view name() const override { return "docker"; }

  // Pulls the job's image from the registry its reference names, with progress lines (see
  // PullImage, runtime/docker_image_pull.h). InvalidArgument for a job without an image or
  // with a malformed reference; NotFound for an image the registry does not hold.
  Status Prepare(const LaunchSpec& spec, const ProgressFn& progress) override;

  // Creates and starts the job's container and begins copying its output. A leftover of the
  // same name from this worker's earlier life (it died between create and start) is removed
  // first. On failure nothing is left behind and the error carries dockerd's words (say, that
  // the command is not in the image).
  Result<ExecutionHandle> Start(const LaunchSpec& spec) override;

  // Sends the signal to the container's init, which passes it on to the job. A container that
  // is no longer running is not an error.
  Status Signal(const ExecutionHandle& handle, int signo) override;

  // Waits for the container to end, then for its output to be copied. An exit code of 128+N
  // reads as signal N when this runtime signalled the container or the kernel killed it for
  // memory; otherwise the exit code stands as the container reports it.
  Result<ExitStatus> Wait(const ExecutionHandle& handle) override;

  // This worker's containers (by the yard.state_dir label): running ones and ended ones (Wait
  // returns their exit at once), their output copying resumed where the log file stops.
  // Containers created but never started are removed: their jobs never ran.
  Result<std::vector<ExecutionHandle>> Reattach() override;
  bool CanReattach() const override { return true; }

  // Stops copying output and removes the container (with force; one already gone is fine).
  Status Cleanup(const ExecutionHandle& handle) override;

  // The container's processes, as host pids (GET /containers/ID/top); none when it has ended.
  std::vector<int64_t> Pids(const ExecutionHandle& handle) override;

 private:
  Result<std::string> Create(const std::string& name, const Json& body);
  void Follow(const std::string& container_id, const std::filesystem::path& log_path, int64_t skip);
  std::unique_ptr<LogFollower> TakeFollower(const std::string& container_id);

  DockerClient docker_;
  std::string state_dir_;  // absolute, normalised: compared as a label value
  std::string worker_name_;

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<LogFollower>> followers_;  // by container id
  std::set<std::string> signalled_;                                // container ids
};

}  // namespace yard
