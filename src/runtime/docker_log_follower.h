// LogFollower: copies a container's output (stdout and stderr, in the order dockerd recorded
// them) into the job's log file as the container writes it, on a thread of its own, so that the
// worker's log shipping and metric parsing read a container's output the way they read a plain
// process's.
//
// It counts the bytes of output since the container began, which lets it go on without
// writing anything twice or losing anything: after its connection breaks (dockerd restarted, a
// day of silence) it reads the log again and skips what it already wrote, and a restarted
// worker passes `skip`, the part of the output that the log file already holds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/docker_client.h"

namespace yard {

class LogFollower {
 public:
  // Starts copying at once. `docker` must outlive the follower.
  LogFollower(const DockerClient& docker, std::string container_id, std::filesystem::path log_path,
              int64_t skip);
  ~LogFollower();  // Stop()
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Blocks until the whole output has been copied (the container has ended and its log is
  // drained, or the container is gone), but no longer than `patience`: then it stops copying,
  // so that a log stream dockerd never closes cannot hold a job's end back.
  void Join(std::chrono::milliseconds patience);

  // Ends the copying now; what was written stays. For a worker that stops while its containers
  // go on (a restarted worker follows them again).
  void Stop();

 private:
  void Run();
  // Whether the container may still write: running, or cannot tell (dockerd is restarting).
  bool MayStillWrite();

  void JoinThread();

  const DockerClient& docker_;
  const std::string container_id_;
  const std::filesystem::path log_path_;
  int64_t written_;  // bytes of the container's output that the log file holds
  StreamCancel cancel_;
  std::atomic<bool> done_{false};
  std::mutex join_mu_;
  std::thread thread_;
};

}  // namespace yard
