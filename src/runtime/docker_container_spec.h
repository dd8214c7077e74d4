// What the docker runtime asks dockerd for when it creates a job's container, and how it reads
// its own labels back. Pure: a LaunchSpec in, the JSON of POST /containers/create out.
//
// The container it describes runs the job's argv as is (entrypoint = argv[0], no shell) under
// a tiny init (dockerd's docker-init) that passes signals on and reaps orphans; it is never
// privileged, gets no new privileges (no-new-privileges) and drops capabilities a training job
// has no use for; it sees exactly the job's GPUs (a DeviceRequest for the nvidia driver naming
// their UUIDs) and none for fake GPUs; its network is the host's or none, never one of
// dockerd's own, which would take addresses outside loopback.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "api/types.h"
#include "common/status.h"
#include "runtime/runtime.h"

namespace yard {

// Labels the runtime puts on every container it creates.
inline constexpr char kLabelJobId[] = "yard.job_id";
inline constexpr char kLabelAttempt[] = "yard.attempt";
inline constexpr char kLabelWorker[] = "yard.worker";
// The worker's runtime state folder: a worker finds its containers again by it, since a folder
// names one worker on a machine (two test clusters may both call theirs "w1").
inline constexpr char kLabelStateDir[] = "yard.state_dir";
inline constexpr char kLabelLogPath[] = "yard.log_path";
// The size of the job's log file when the container was created: what follows it there is the
// container's output, which lets a restarted worker go on copying without writing twice.
inline constexpr char kLabelLogOffset[] = "yard.log_offset";

// Who creates the container, recorded in its labels.
struct ContainerOwner {
  std::string worker;
  std::string state_dir;
  int64_t log_offset = 0;
};

// "yard-job-<job>-<attempt>-<8 hex digits of state_dir's hash>": readable, and unique per
// worker, so two workers sharing one dockerd never want the same name.
std::string ContainerName(int64_t job_id, int attempt, std::string_view state_dir);

// Up to this much of /dev/shm (a tmpfs: only what is used counts), since Docker's 64 MiB
// default breaks PyTorch's multi-process data loaders; no more than the memory limit.
inline constexpr int64_t kShmBytes = int64_t{2} << 30;

// The body of POST /containers/create for `spec`. InvalidArgument for a spec a container
// cannot honour: no argv, no image, a network other than host or none, a relative mount path,
// negative limits, real GPUs without a UUID each.
Result<Json> ContainerCreateBody(const LaunchSpec& spec, const ContainerOwner& owner);

// What the labels of a container created by ContainerCreateBody say.
struct ContainerLabels {
  int64_t job_id = 0;
  int attempt = 0;
  std::filesystem::path log_path;
  int64_t log_offset = 0;
};

// InvalidArgument when a label is missing or malformed (a container someone else made).
Result<ContainerLabels> ReadContainerLabels(const Json& labels);

}  // namespace yard
