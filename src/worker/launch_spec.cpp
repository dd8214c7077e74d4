#include "worker/launch_spec.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace yard {
namespace {

constexpr std::string_view kSnapshotPrefix = "code/";

// The number at the start of `text` up to `stop`, or -1 ("leave it as it is" to chown).
long IdBefore(std::string_view text, char stop) {
  text = text.substr(0, text.find(stop));
  long id = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && end == text.data() + text.size() ? id : -1;
}

Status Chown(const std::filesystem::path& path, long uid, long gid) {
  if (::lchown(path.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) == 0)
    return Status::Ok();
  return IoError(
      "give " + path.string() + " to user " + std::to_string(uid) + ": " + std::strerror(errno) +
      (errno == EPERM ? " (only a worker running as root can run jobs as another user)" : ""));
}

}  // namespace

std::map<std::string, std::string> JobEnvironment(const Assignment& a, const WorkerPaths& paths,
                                                  bool in_container) {
  std::map<std::string, std::string> env;
  if (!in_container) {
    // Only what a program needs to run; the worker's own environment may hold secrets.
    for (const char* name : {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"}) {
      if (const char* v = std::getenv(name)) env[name] = v;
    }
    if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  }
  env["PYTHONUNBUFFERED"] = "1";  // metric lines should reach the log as they are printed
  for (const auto& [k, v] : a.spec.env) env[k] = v;
  std::string devices;
  for (int g : a.gpus) devices += (devices.empty() ? "" : ",") + std::to_string(g);
  env["CUDA_VISIBLE_DEVICES"] = devices;
  // A container is given its real GPUs by a DeviceRequest (the docker runtime sets this one
  // then); without one it must not ask the NVIDIA hook for any device by index.
  env["NVIDIA_VISIBLE_DEVICES"] = a.gpus.empty() || in_container ? "void" : devices;
  env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";  // so indexes mean what NVML says they mean
  env["YARD_JOB_ID"] = std::to_string(a.job_id);
  env["YARD_ATTEMPT"] = std::to_string(a.attempt);
  if (a.sweep_id > 0) env["YARD_SWEEP_ID"] = std::to_string(a.sweep_id);
  env["YARD_HPARAMS"] = a.hparams.dump();
  // A gang's parts find each other through rank 0 (torch.distributed's env:// names); these
  // override the spec's env, which may not set YARD_* but may name the other two.
  env["YARD_NUM_NODES"] = std::to_string(a.num_nodes);
  env["YARD_NODE_RANK"] = std::to_string(a.node_rank);
  if (a.num_nodes > 1) {
    env["MASTER_ADDR"] = a.master_addr;
    env["MASTER_PORT"] = std::to_string(a.master_port);
  }
  if (in_container) {
    env["YARD_OUTPUT_DIR"] = kContainerOutputDir;
    env["YARD_CHECKPOINT_DIR"] = kContainerCheckpointDir;
    env["YARD_DATA_DIR"] = kContainerDataDir;
  } else {
    env["YARD_OUTPUT_DIR"] = paths.OutputDir(a.job_id).string();
    env["YARD_CHECKPOINT_DIR"] = paths.CheckpointDir(a).string();
    env["YARD_DATA_DIR"] = paths.DataDir(a.job_id, a.attempt).string();
  }
  return env;
}

Result<LaunchSpec> MakeLaunchSpec(const Assignment& a, const WorkerPaths& paths,
                                  const LaunchContext& context) {
  LaunchSpec spec;
  spec.job_id = a.job_id;
  spec.attempt = a.attempt;
  spec.argv = a.spec.command;
  spec.env = JobEnvironment(a, paths, context.in_container);
  spec.image = a.spec.image;
  spec.log_path = paths.LogPath(a.job_id, a.attempt);
  spec.gpu_indices = a.gpus;
  spec.work_dir = paths.JobDir(a.job_id, a.attempt);
  if (!a.spec.code.empty()) {
    if (a.spec.code.rfind(kSnapshotPrefix, 0) != 0)
      return InvalidArgument("code '" + a.spec.code + "' is not a snapshot (code/<sha256>)");
    // The job runs in its code snapshot (read-only): on the host where the worker keeps it, in
    // a container at /code.
    spec.work_dir = paths.CodeDir(a.spec.code.substr(kSnapshotPrefix.size()));
  }

  spec.real_gpus = context.real_gpus;
  for (int index : a.gpus) {
    std::string uuid;
    for (const GpuInfo& gpu : context.gpus)
      if (gpu.index == index) uuid = gpu.uuid;
    if (uuid.empty() && context.real_gpus)
      return InvalidArgument("GPU " + std::to_string(index) + " is not on this worker");
    spec.gpu_uuids.push_back(uuid);
  }
  if (!context.in_container) return spec;

  if (!a.spec.code.empty()) {
    spec.mounts.push_back({spec.work_dir, kContainerCodeDir, /*read_only=*/true});
    spec.container_work_dir = kContainerCodeDir;
  }
  spec.mounts.push_back({paths.DataDir(a.job_id, a.attempt), kContainerDataDir, true});
  spec.mounts.push_back({paths.OutputDir(a.job_id), kContainerOutputDir, false});
  spec.mounts.push_back({paths.CheckpointDir(a), kContainerCheckpointDir, false});
  spec.user = a.spec.run_as;
  spec.memory_bytes = a.spec.resources.memory_bytes;
  spec.nano_cpus = a.spec.resources.nano_cpus;
  spec.pids_limit = a.spec.resources.pids;
  return spec;
}

Status GiveWritableMounts(const LaunchSpec& spec) {
  if (spec.user.empty()) return Status::Ok();
  const long uid = IdBefore(spec.user, ':');
  const size_t colon = spec.user.find(':');
  const long gid = colon == std::string::npos ? -1 : IdBefore(spec.user.substr(colon + 1), ':');
  if (uid < 0) return InvalidArgument("run_as '" + spec.user + "' is not UID[:GID]");
  for (const Mount& mount : spec.mounts) {
    if (mount.read_only) continue;
    YARD_RETURN_IF_ERROR(Chown(mount.host_path, uid, gid));
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(mount.host_path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      YARD_RETURN_IF_ERROR(Chown(it->path(), uid, gid));
    }
    if (ec) return IoError("walk " + mount.host_path.string() + ": " + ec.message());
  }
  return Status::Ok();
}

std::string ContainerOnlySettings(const JobSpec& spec) {
  std::string names;
  auto add = [&](bool set, const char* name) {
    if (set) names += (names.empty() ? "" : ", ") + std::string(name);
  };
  add(spec.resources.memory_bytes > 0, "resources.memory");
  add(spec.resources.nano_cpus > 0, "resources.cpus");
  add(spec.resources.pids > 0, "resources.pids");
  add(!spec.run_as.empty(), "run_as");
  return names;
}

}  // namespace yard
