#include "runtime/docker_container_spec.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

namespace yard {
namespace {

// Default capabilities a training job never needs. NET_RAW and NET_BIND_SERVICE matter most:
// the job shares the host's network.
constexpr const char* kDroppedCaps[] = {"NET_RAW",     "NET_BIND_SERVICE", "MKNOD",
                                        "AUDIT_WRITE", "SETFCAP",          "SYS_CHROOT"};

uint32_t Fnv1a(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

Json EnvList(const LaunchSpec& spec, bool hand_over_gpus) {
  std::map<std::string, std::string> env = spec.env;
  if (hand_over_gpus) {
    // dockerd sets NVIDIA_VISIBLE_DEVICES from the DeviceRequest; a second one would fight it.
    env.erase("NVIDIA_VISIBLE_DEVICES");
    // Inside the container the job's GPUs are numbered from 0.
    std::string devices;
    for (size_t i = 0; i < spec.gpu_uuids.size(); ++i) {
      devices += (i ? "," : "") + std::to_string(i);
    }
    env["CUDA_VISIBLE_DEVICES"] = devices;
    // Without it the NVIDIA hook mounts only the management tools, not the CUDA driver, unless
    // the image says so (our Debian images do not).
    env.try_emplace("NVIDIA_DRIVER_CAPABILITIES", "compute,utility");
  }
  Json list = Json::array();
  for (const auto& [key, value] : env) list.push_back(key + "=" + value);
  return list;
}

Status CheckSpec(const LaunchSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return InvalidArgument("the job has no command to run");
  }
  if (spec.image.empty()) {
    return InvalidArgument(
        "the docker runtime runs jobs in an image, and the job names none: set image: in its "
        "spec (yard images lists the registry's)");
  }
  if (spec.network != "host" && spec.network != "none") {
    return InvalidArgument("network '" + spec.network +
                           "' is not allowed: containers use the host's network or none");
  }
  if (spec.memory_bytes < 0 || spec.nano_cpus < 0 || spec.pids_limit < 0) {
    return InvalidArgument("resource limits cannot be negative");
  }
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos) {
      return InvalidArgument("bad environment variable name '" + key + "'");
    }
  }
  for (const Mount& m : spec.mounts) {
    if (!m.host_path.is_absolute() || m.container_path.empty() || m.container_path[0] != '/') {
      return InvalidArgument("mount " + m.host_path.string() + " -> " + m.container_path +
                             ": both paths must be absolute");
    }
  }
  if (!spec.container_work_dir.empty() && spec.container_work_dir[0] != '/') {
    return InvalidArgument("the working directory inside the container must be absolute");
  }
  if (spec.real_gpus && spec.gpu_uuids.size() != spec.gpu_indices.size()) {
    return InvalidArgument("real GPUs need a UUID each to be given to a container");
  }
  return Status::Ok();
}

Result<int64_t> IntLabel(const Json& labels, const char* key) {
  if (!labels.is_object() || !labels.contains(key) || !labels[key].is_string()) {
    return InvalidArgument(std::string("label ") + key + " is missing");
  }
  const std::string& text = labels[key].get_ref<const std::string&>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(std::string("label ") + key + " is not a number: '" + text + "'");
  }
  return value;
}

}  // namespace

std::string ContainerName(int64_t job_id, int attempt, std::string_view state_dir) {
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", Fnv1a(state_dir));
  return "yard-job-" + std::to_string(job_id) + "-" + std::to_string(attempt) + "-" + hash;
}

Result<Json> ContainerCreateBody(const LaunchSpec& spec, const ContainerOwner& owner) {
  YARD_RETURN_IF_ERROR(CheckSpec(spec));
  const bool hand_over_gpus = spec.real_gpus && !spec.gpu_uuids.empty();

  Json labels = Json::object();
  for (const auto& [key, value] : spec.labels) labels[key] = value;
  labels[kLabelJobId] = std::to_string(spec.job_id);
  labels[kLabelAttempt] = std::to_string(spec.attempt);
  labels[kLabelWorker] = owner.worker;
  labels[kLabelStateDir] = owner.state_dir;
  labels[kLabelLogPath] = spec.log_path.string();
  labels[kLabelLogOffset] = std::to_string(owner.log_offset);

  Json cap_drop = Json::array();
  for (const char* cap : kDroppedCaps) cap_drop.push_back(cap);

  Json mounts = Json::array();
  for (const Mount& m : spec.mounts) {
    mounts.push_back({{"Type", "bind"},
                      {"Source", m.host_path.string()},
                      {"Target", m.container_path},
                      {"ReadOnly", m.read_only}});
  }

  Json host = {
      {"NetworkMode", spec.network},
      {"Privileged", false},
      {"SecurityOpt", Json::array({"no-new-privileges"})},
      {"CapDrop", cap_drop},
      {"CapAdd", Json::array()},
      {"Init", true},
      {"Mounts", mounts},
      // The logs API, which the runtime copies output through, needs a driver that keeps logs.
      {"LogConfig", {{"Type", "json-file"}, {"Config", Json::object()}}},
      {"RestartPolicy", {{"Name", "no"}}},
      {"AutoRemove", false},
      {"ShmSize", spec.memory_bytes > 0 ? std::min(spec.memory_bytes, kShmBytes) : kShmBytes},
  };
  if (spec.memory_bytes > 0) {
    host["Memory"] = spec.memory_bytes;
    host["MemorySwap"] = spec.memory_bytes;  // the limit is the limit: no swap beyond it
  }
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  if (spec.pids_limit > 0) host["PidsLimit"] = spec.pids_limit;
  if (hand_over_gpus) {
    host["DeviceRequests"] = Json::array({{{"Driver", "nvidia"},
                                           {"Count", 0},
                                           {"DeviceIDs", spec.gpu_uuids},
                                           {"Capabilities", Json::array({{"gpu"}})}}});
  }

  Json body = {
      {"Image", spec.image},
      {"Entrypoint", Json::array({spec.argv[0]})},
      {"Cmd", Json(std::vector<std::string>(spec.argv.begin() + 1, spec.argv.end()))},
      {"Env", EnvList(spec, hand_over_gpus)},
      {"Labels", labels},
      {"Tty", false},
      {"OpenStdin", false},
      {"AttachStdin", false},
      {"AttachStdout", false},
      {"AttachStderr", false},
      {"HostConfig", host},
  };
  if (!spec.container_work_dir.empty()) body["WorkingDir"] = spec.container_work_dir;
  if (!spec.user.empty()) body["User"] = spec.user;
  return body;
}

Result<ContainerLabels> ReadContainerLabels(const Json& labels) {
  ContainerLabels out;
  YARD_ASSIGN_OR_RETURN(out.job_id, IntLabel(labels, kLabelJobId));
  YARD_ASSIGN_OR_RETURN(int64_t attempt, IntLabel(labels, kLabelAttempt));
  out.attempt = static_cast<int>(attempt);
  YARD_ASSIGN_OR_RETURN(out.log_offset, IntLabel(labels, kLabelLogOffset));
  if (!labels.contains(kLabelLogPath) || !labels[kLabelLogPath].is_string()) {
    return InvalidArgument(std::string("label ") + kLabelLogPath + " is missing");
  }
  out.log_path = labels[kLabelLogPath].get<std::string>();
  return out;
}

}  // namespace yard
