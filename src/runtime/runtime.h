// How a worker runs one job. Every way of running (a plain process, a Docker container) plugs
// in behind this lifecycle: Prepare -> Start -> (Signal)* -> Wait -> Cleanup, and Reattach for
// the executions a previous incarnation of the worker left running.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace yard {

// A host folder a container runtime shows the job (the process runtime ignores mounts: its jobs
// see the host's file system as it is).
struct Mount {
  std::filesystem::path host_path;  // absolute
  std::string container_path;       // absolute, inside the container
  bool read_only = true;
};

struct LaunchSpec {
  int64_t job_id = 0;
  int attempt = 0;
  std::vector<std::string> argv;           // run as is, never through a shell
  std::map<std::string, std::string> env;  // the whole environment of the job
  std::string image;                       // for container runtimes
  std::filesystem::path work_dir;          // the job's working directory
  std::filesystem::path log_path;          // stdout and stderr, appended
  std::vector<int> gpu_indices;
  std::vector<std::string> gpu_uuids;

  // The rest is for container runtimes; the process runtime ignores it.
  // True when gpu_uuids name physical GPUs (NVML) that a container must be given; fake GPUs
  // leave it false, and their containers get no devices.
  bool real_gpus = false;
  std::vector<Mount> mounts;
  std::string container_work_dir;  // the working directory inside; empty: the image's own
  std::string user;                // "UID[:GID]" or a name in the image; empty: the image's own
  std::string network = "host";    // "host" or "none": nothing else may reach past loopback
  int64_t memory_bytes = 0;        // 0: no limit (each of these three)
  int64_t nano_cpus = 0;           // CPUs in units of 1e-9
  int64_t pids_limit = 0;
  std::map<std::string, std::string> labels;  // added to the runtime's own identifying labels
};

// A started execution, named so that it can be found again after a worker restart.
struct ExecutionHandle {
  int64_t job_id = 0;
  int attempt = 0;
  std::string id;         // a process id, a container id
  Micros started_at = 0;  // when its process began
};

struct ExitStatus {
  int exit_code = 0;  // meaningful when signal == 0
  int signal = 0;     // the signal that ended it, or 0
  Micros finished_at = 0;
};

class Runtime {
 public:
  using ProgressFn = std::function<void(std::string_view line)>;

  virtual ~Runtime() = default;
  virtual std::string_view name() const = 0;

  // Gets everything the job needs before it can start (an image pull, say), reporting
  // progress lines for the job's log.
  virtual Status Prepare(const LaunchSpec& spec, const ProgressFn& progress) = 0;

  // Starts the job. A command that cannot start is an error whose message says why.
  // Start and Wait of one execution are called from the same thread, one long-lived thread
  // per job: the process runtime ties the job's life to the thread that started it
  // (PR_SET_PDEATHSIG fires when that *thread* exits), so a short-lived thread calling Start
  // would kill its job on the way out.
  virtual Result<ExecutionHandle> Start(const LaunchSpec& spec) = 0;

  // Delivers a signal to the whole execution (every process of the job).
  virtual Status Signal(const ExecutionHandle& handle, int signo) = 0;

  // Blocks until the execution ends.
  virtual Result<ExitStatus> Wait(const ExecutionHandle& handle) = 0;

  // Executions left by an earlier run of this worker (found through `state_dir`) that can be
  // waited on again. A runtime that cannot reattach ends them and returns none.
  virtual Result<std::vector<ExecutionHandle>> Reattach() = 0;
  // Whether Reattach may hand executions back (a container outlives the worker). False for a
  // runtime that only ends what it finds: the worker then keeps nothing for a restart.
  virtual bool CanReattach() const = 0;

  // Releases what the execution held; called once it has ended.
  virtual Status Cleanup(const ExecutionHandle& handle) = 0;

  // The process ids that belong to the execution (for telling Trainyard's GPU processes from
  // foreign ones).
  virtual std::vector<int64_t> Pids(const ExecutionHandle& handle) = 0;
};

struct RuntimeOptions {
  std::string kind = "process";     // "process" | "docker"
  std::filesystem::path state_dir;  // where a runtime keeps what lets it reattach
  std::string worker_name;          // recorded on what a runtime starts, for people to read
  std::filesystem::path docker_socket = "/var/run/docker.sock";
};

// "process": ProcessRuntime (runtime/process_runtime.h), state_dir created if missing (empty:
// no state is kept, and Reattach finds nothing). "docker": DockerRuntime
// (runtime/docker_runtime.h) when dockerd answers on docker_socket, else Unavailable saying
// how to start it. Anything else: InvalidArgument.
Result<std::unique_ptr<Runtime>> MakeRuntime(const RuntimeOptions& options);

}  // namespace yard
