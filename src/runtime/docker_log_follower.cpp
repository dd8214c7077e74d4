#include "runtime/docker_log_follower.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "common/unique_fd.h"
#include "runtime/docker_log_frames.h"

namespace yard {
namespace {

// A follow connection that hears nothing for this long is opened again; a silent job costs
// one re-read of its log a day.
constexpr std::chrono::hours kSilence{24};
// Failed connections in a row (without new output) after which the container's end is taken
// as final even though its log could not be drained.
constexpr int kMaxFailures = 10;

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

LogFollower::LogFollower(const DockerClient& docker, std::string container_id,
                         std::filesystem::path log_path, int64_t skip)
    : docker_(docker),
      container_id_(std::move(container_id)),
      log_path_(std::move(log_path)),
      written_(skip) {
  thread_ = std::thread([this] {
    Run();
    done_ = true;
  });
}

LogFollower::~LogFollower() { Stop(); }

void LogFollower::JoinThread() {
  std::lock_guard lock(join_mu_);
  if (thread_.joinable()) thread_.join();
}

void LogFollower::Join(std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!done_ && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!done_) {
    spdlog::warn("docker runtime: the log of container {} did not end; stopped copying it",
                 container_id_.substr(0, 12));
  }
  Stop();
}

void LogFollower::Stop() {
  cancel_.Cancel();
  JoinThread();
}

bool LogFollower::MayStillWrite() {
  auto inspected = docker_.Call("GET", "/containers/" + container_id_ + "/json");
  if (!inspected.ok()) return inspected.status().code() != Code::kNotFound;
  const Json& state = (*inspected)["State"];
  return state.value("Running", false) || state.value("Restarting", false) ||
         state.value("Paused", false);
}

void LogFollower::Run() {
  UniqueFd fd(::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    spdlog::error("docker runtime: cannot open {} for container {}: {}", log_path_.string(),
                  container_id_.substr(0, 12), std::strerror(errno));
    return;
  }
  const std::string path = "/containers/" + container_id_ + "/logs?follow=1&stdout=1&stderr=1";
  int failures = 0;
  bool warned_write = false;
  while (!cancel_.cancelled()) {
    // Each connection reads the output from its beginning; `position` counts it, and only
    // what lies past `written_` goes to the file.
    LogFrameDecoder decoder;
    int64_t position = 0;
    const int64_t written_before = written_;
    Status streamed = docker_.Stream(
        "GET", path,
        [&](std::string_view data) {
          decoder.Feed(data, [&](int, std::string_view payload) {
            const auto size = static_cast<int64_t>(payload.size());
            if (position + size > written_) {
              std::string_view fresh = payload.substr(static_cast<size_t>(written_ - position));
              if (!WriteAll(fd.get(), fresh) && !warned_write) {
                warned_write = true;
                spdlog::warn("docker runtime: writing {}: {}", log_path_.string(),
                             std::strerror(errno));
              }
              written_ = position + size;
            }
            position += size;
          });
          return true;
        },
        kSilence, &cancel_);
    if (cancel_.cancelled()) return;
    // The answer ends when the container stops, or when the connection breaks.
    failures = streamed.ok() || written_ > written_before ? 0 : failures + 1;
    bool may_write = MayStillWrite();
    if (!may_write && streamed.ok()) return;
    if (failures >= kMaxFailures) {
      spdlog::warn("docker runtime: giving up on the output of container {}: {}",
                   container_id_.substr(0, 12), streamed.message());
      return;
    }
    // Not at once: a connection that keeps ending must not spin.
    std::this_thread::sleep_for(std::chrono::milliseconds(streamed.ok() ? 100 : 500));
  }
}

}  // namespace yard
