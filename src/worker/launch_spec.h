// How the worker shows a job its world: the LaunchSpec a runtime gets for an assignment. The
// process runtime runs the job on this machine's file system, so the job's folders are host
// paths; a container runtime (docker) gets the same folders as mounts at fixed places inside
// the container, and the YARD_* variables name those places. docs/architecture.md, "What a
// running job sees", is the contract.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/protocol.h"
#include "api/types.h"
#include "common/status.h"
#include "runtime/runtime.h"
#include "worker/worker_paths.h"

namespace yard {

// Where a container sees the job's folders.
inline constexpr char kContainerCodeDir[] = "/code";               // read-only, the working dir
inline constexpr char kContainerDataDir[] = "/data";               // read-only: YARD_DATA_DIR
inline constexpr char kContainerOutputDir[] = "/outputs";          // YARD_OUTPUT_DIR
inline constexpr char kContainerCheckpointDir[] = "/checkpoints";  // YARD_CHECKPOINT_DIR

// What the worker knows about how it runs jobs, beyond one assignment.
struct LaunchContext {
  bool in_container = false;  // the runtime runs jobs in containers
  bool real_gpus = false;     // the GPUs are physical (NVML), not fake
  std::vector<GpuInfo> gpus;  // this worker's GPUs, for their UUIDs
};

// The job's whole environment. On the host: a few of the worker's own variables a program
// needs (PATH, HOME, ...) and host paths. In a container: none of the worker's (the image
// brings its PATH, Docker sets HOME for the user) and the container's paths. Both: the spec's
// env, the YARD_* variables and the GPUs' (CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES).
std::map<std::string, std::string> JobEnvironment(const Assignment& a, const WorkerPaths& paths,
                                                  bool in_container);

// The LaunchSpec for one attempt: command, environment, image, working directory, log, GPUs,
// and for containers the mounts, the user and the limits. InvalidArgument when the job's code
// is not a snapshot (code/<sha256>) or a real GPU it was given is not on this worker.
Result<LaunchSpec> MakeLaunchSpec(const Assignment& a, const WorkerPaths& paths,
                                  const LaunchContext& context);

// Gives the container's read-write mounts (outputs, checkpoints) and everything in them to the
// user the job runs as (LaunchSpec::user, "UID[:GID]"), so that a non-root job can write there;
// nothing to do when the spec names no user. An error names the folder and says why (a worker
// that is not root cannot give its files away).
Status GiveWritableMounts(const LaunchSpec& spec);

// The spec's settings that only a container can honour ("resources.memory, run_as"), empty
// when it asks for none: the process runtime says in the job's log that it ignores them.
std::string ContainerOnlySettings(const JobSpec& spec);

}  // namespace yard
