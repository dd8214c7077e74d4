#include "runtime/docker_runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <utility>

#include "runtime/docker_container_spec.h"
#include "runtime/docker_image_pull.h"
#include "runtime/docker_image_ref.h"

namespace yard {
namespace fs = std::filesystem;
namespace {

// POST /containers/ID/wait holds its answer until the container ends; after this long it is
// asked again (the connection's read timeout must be finite).
constexpr std::chrono::seconds kWaitRound = std::chrono::hours(24);
// How long Wait keeps asking a dockerd that does not answer (it may be restarting) before it
// gives the job up.
constexpr std::chrono::minutes kWaitPatience{5};
// How long a job's end waits for the rest of its output once the container has ended; dockerd
// closes the log stream at once, so this only bounds a misbehaving one.
constexpr std::chrono::seconds kDrainPatience{30};

std::string Short(const std::string& container_id) { return container_id.substr(0, 12); }

int64_t FileSize(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

Micros TimeField(const Json& state, const char* field) {
  if (!state.is_object() || !state.contains(field) || !state[field].is_string()) return 0;
  auto t = ParseRfc3339(state[field].get<std::string>());
  // dockerd writes year 1 for a time that has not happened.
  return t && *t > 0 ? *t : 0;
}

std::string NormalisedDir(const fs::path& dir) {
  if (dir.empty()) return "";
  return fs::absolute(dir).lexically_normal().string();
}

}  // namespace

DockerRuntime::DockerRuntime(DockerClient docker, fs::path state_dir, std::string worker_name)
    : docker_(std::move(docker)),
      state_dir_(NormalisedDir(state_dir)),
      worker_name_(std::move(worker_name)) {}

DockerRuntime::~DockerRuntime() {
  std::map<std::string, std::unique_ptr<LogFollower>> followers;
  {
    std::lock_guard lock(mu_);
    followers.swap(followers_);
  }
  for (auto& [id, follower] : followers) follower->Stop();
}

Status DockerRuntime::Prepare(const LaunchSpec& spec, const ProgressFn& progress) {
  if (spec.image.empty()) {
    return InvalidArgument(
        "the docker runtime runs jobs in an image, and the job names none: set image: in its "
        "spec (yard images lists the registry's)");
  }
  YARD_ASSIGN_OR_RETURN(ImageReference ref, ParseImageReference(spec.image));
  return PullImage(docker_, ref, progress);
}

Result<std::string> DockerRuntime::Create(const std::string& name, const Json& body) {
  const std::string path = "/containers/create?name=" + QueryEscape(name);
  auto created = docker_.Call("POST", path, body);
  if (!created.ok() && created.status().code() == Code::kConflict) {
    // Only this worker makes containers of this name (it ends in a hash of our state folder),
    // so the one in the way is ours from before a restart, created but never started, or
    // left by a Start that failed half way.
    spdlog::warn("docker runtime: removing container {} left from an earlier start", name);
    auto removed = docker_.Call("DELETE", "/containers/" + name + "?force=1");
    if (!removed.ok() && removed.status().code() != Code::kNotFound) {
      return removed.status().Prefixed("remove the leftover container " + name);
    }
    created = docker_.Call("POST", path, body);
  }
  if (!created.ok()) return created.status();
  if (!created->contains("Id") || !(*created)["Id"].is_string()) {
    return Internal("dockerd created container " + name + " but did not say its id");
  }
  for (const auto& warning : created->value("Warnings", Json::array())) {
    if (warning.is_string()) {
      spdlog::warn("docker runtime: {}: {}", name, warning.get<std::string>());
    }
  }
  return (*created)["Id"].get<std::string>();
}

void DockerRuntime::Follow(const std::string& container_id, const fs::path& log_path,
                           int64_t skip) {
  auto follower = std::make_unique<LogFollower>(docker_, container_id, log_path, skip);
  std::lock_guard lock(mu_);
  followers_[container_id] = std::move(follower);
}

std::unique_ptr<LogFollower> DockerRuntime::TakeFollower(const std::string& container_id) {
  std::lock_guard lock(mu_);
  auto it = followers_.find(container_id);
  if (it == followers_.end()) return nullptr;
  auto follower = std::move(it->second);
  followers_.erase(it);
  return follower;
}

Result<ExecutionHandle> DockerRuntime::Start(const LaunchSpec& spec) {
  const std::string job = "job " + std::to_string(spec.job_id);
  ContainerOwner owner{worker_name_, state_dir_, FileSize(spec.log_path)};
  YARD_ASSIGN_OR_RETURN(Json body, ContainerCreateBody(spec, owner));
  const std::string name = ContainerName(spec.job_id, spec.attempt, state_dir_);
  auto id = Create(name, body);
  if (!id.ok()) return id.status().Prefixed("cannot create the container of " + job);

  // Taken before the start: the job's process begins during the call, and may have ended by
  // the time it returns (a finished_at before started_at would read oddly).
  const Micros started_at = NowMicros();
  auto started = docker_.Call("POST", "/containers/" + *id + "/start");
  if (!started.ok()) {
    // A container that never ran is of no use to anyone, and its name would be in the way.
    (void)docker_.Call("DELETE", "/containers/" + *id + "?force=1");
    return started.status().Prefixed("cannot start the container of " + job);
  }
  ExecutionHandle handle{spec.job_id, spec.attempt, *id, started_at};
  // After the start: following a container that has not started yet ends at once.
  Follow(*id, spec.log_path, 0);
  spdlog::info("docker runtime: {} attempt {} runs in container {} ({})", job, spec.attempt, name,
               Short(*id));
  return handle;
}

Status DockerRuntime::Signal(const ExecutionHandle& handle, int signo) {
  {
    std::lock_guard lock(mu_);
    signalled_.insert(handle.id);
  }
  auto sent =
      docker_.Call("POST", "/containers/" + handle.id + "/kill?signal=" + std::to_string(signo));
  if (sent.ok()) return Status::Ok();
  // 409: it is not running (any more); 404: it is gone. Either way it has ended.
  if (sent.status().code() == Code::kConflict || sent.status().code() == Code::kNotFound) {
    return Status::Ok();
  }
  return sent.status().Prefixed("signal container " + Short(handle.id));
}

Result<ExitStatus> DockerRuntime::Wait(const ExecutionHandle& handle) {
  const std::string path = "/containers/" + handle.id + "/wait";
  auto first_failure = std::chrono::steady_clock::time_point();
  Result<Json> waited = Json();
  while (true) {
    auto began = std::chrono::steady_clock::now();
    waited = docker_.Call("POST", path, nullptr, kWaitRound);
    if (waited.ok() || waited.status().code() != Code::kUnavailable) break;
    auto now = std::chrono::steady_clock::now();
    if (now - began > std::chrono::minutes(1)) {
      // A round that ran out of time, not a dockerd that does not answer.
      first_failure = std::chrono::steady_clock::time_point();
      continue;
    }
    if (first_failure == std::chrono::steady_clock::time_point()) {
      first_failure = now;
      spdlog::warn("docker runtime: waiting for container {}: {}; trying again", Short(handle.id),
                   waited.status().message());
    } else if (now - first_failure > kWaitPatience) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (!waited.ok()) return waited.status().Prefixed("wait for container " + Short(handle.id));
  // The answer came when the container ended; its output may still be on the way.
  if (auto follower = TakeFollower(handle.id)) follower->Join(kDrainPatience);

  ExitStatus exit;
  exit.exit_code = static_cast<int>(waited->value("StatusCode", int64_t{-1}));
  exit.finished_at = NowMicros();
  bool oom_killed = false;
  if (auto inspected = docker_.Call("GET", "/containers/" + handle.id + "/json"); inspected.ok()) {
    const Json& state = (*inspected)["State"];
    oom_killed = state.value("OOMKilled", false);
    if (Micros t = TimeField(state, "FinishedAt")) exit.finished_at = t;
  }
  bool signalled;
  {
    std::lock_guard lock(mu_);
    signalled = signalled_.erase(handle.id) > 0;
  }
  // docker-init reports a job killed by signal N as 128+N.
  if ((signalled || oom_killed) && exit.exit_code > 128 && exit.exit_code < 128 + 65) {
    exit.signal = exit.exit_code - 128;
    exit.exit_code = 0;
  }
  if (oom_killed) {
    spdlog::warn("docker runtime: container {} of job {} ran out of memory", Short(handle.id),
                 handle.job_id);
  }
  return exit;
}

Result<std::vector<ExecutionHandle>> DockerRuntime::Reattach() {
  std::vector<ExecutionHandle> handles;
  if (state_dir_.empty()) return handles;
  Json filters = {{"label", Json::array({std::string(kLabelStateDir) + "=" + state_dir_})}};
  YARD_ASSIGN_OR_RETURN(Json containers, docker_.Call("GET", "/containers/json?all=1&filters=" +
                                                                 QueryEscape(filters.dump())));
  if (!containers.is_array()) return Internal("dockerd listed containers in a strange form");
  for (const Json& c : containers) {
    const std::string id = c.value("Id", "");
    const std::string state = c.value("State", "");
    auto labels = ReadContainerLabels(c.value("Labels", Json::object()));
    if (id.empty() || !labels.ok()) {
      spdlog::warn("docker runtime: ignoring container {}: {}", Short(id),
                   labels.status().message());
      continue;
    }
    if (state == "created") {
      spdlog::info("docker runtime: removing container {} of job {}: it never started", Short(id),
                   labels->job_id);
      (void)docker_.Call("DELETE", "/containers/" + id + "?force=1");
      continue;
    }
    ExecutionHandle handle{labels->job_id, labels->attempt, id, 0};
    if (auto inspected = docker_.Call("GET", "/containers/" + id + "/json"); inspected.ok()) {
      handle.started_at = TimeField((*inspected)["State"], "StartedAt");
    }
    // The log file holds the output up to where the earlier worker stopped copying.
    int64_t skip = std::max<int64_t>(0, FileSize(labels->log_path) - labels->log_offset);
    Follow(id, labels->log_path, skip);
    spdlog::info("docker runtime: reattached to container {} of job {} attempt {} ({})", Short(id),
                 handle.job_id, handle.attempt, state);
    handles.push_back(handle);
  }
  return handles;
}

Status DockerRuntime::Cleanup(const ExecutionHandle& handle) {
  if (auto follower = TakeFollower(handle.id)) follower->Stop();
  {
    std::lock_guard lock(mu_);
    signalled_.erase(handle.id);
  }
  auto removed = docker_.Call("DELETE", "/containers/" + handle.id + "?force=1&v=1");
  if (removed.ok() || removed.status().code() == Code::kNotFound) return Status::Ok();
  return removed.status().Prefixed("remove container " + Short(handle.id));
}

std::vector<int64_t> DockerRuntime::Pids(const ExecutionHandle& handle) {
  auto top = docker_.Call("GET", "/containers/" + handle.id + "/top");
  if (!top.ok() || !top->contains("Titles") || !top->contains("Processes")) return {};
  const Json& titles = (*top)["Titles"];
  size_t column = titles.size();
  for (size_t i = 0; i < titles.size(); ++i) {
    if (titles[i] == "PID") column = i;
  }
  std::vector<int64_t> pids;
  for (const Json& row : (*top)["Processes"]) {
    if (!row.is_array() || column >= row.size() || !row[column].is_string()) continue;
    const std::string& text = row[column].get_ref<const std::string&>();
    char* end = nullptr;
    long long pid = std::strtoll(text.c_str(), &end, 10);
    if (end && *end == '\0' && pid > 0) pids.push_back(pid);
  }
  return pids;
}

}  // namespace yard
