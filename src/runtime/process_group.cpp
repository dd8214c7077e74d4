#include "runtime/process_group.h"

#include <signal.h>

#include <cerrno>
#include <string>
#include <thread>

#include "common/clock.h"
#include "runtime/proc_stat.h"

namespace yard {
namespace {

constexpr std::chrono::milliseconds kPollInterval{20};
constexpr std::chrono::milliseconds kKillWait{1000};

// Polls until no live process is left in the group or `limit` passes; true when none is left.
bool WaitForGroupToEnd(pid_t pgid, std::chrono::milliseconds limit) {
  const Micros deadline =
      MonotonicMicros() + std::chrono::duration_cast<std::chrono::microseconds>(limit).count();
  while (!LiveProcessesInGroup(pgid).empty()) {
    if (MonotonicMicros() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

}  // namespace

Status SignalGroup(pid_t pgid, int signo) {
  if (pgid <= 1) return InvalidArgument("not a process group: " + std::to_string(pgid));
  if (::kill(-pgid, signo) != 0 && errno != ESRCH) {
    return ErrnoError("cannot signal process group " + std::to_string(pgid), errno);
  }
  return Status::Ok();
}

int TerminateGroup(pid_t pgid, std::chrono::milliseconds grace) {
  const int live = static_cast<int>(LiveProcessesInGroup(pgid).size());
  if (live == 0) return 0;
  (void)SignalGroup(pgid, SIGTERM);
  if (WaitForGroupToEnd(pgid, grace)) return live;
  (void)SignalGroup(pgid, SIGKILL);
  WaitForGroupToEnd(pgid, kKillWait);
  return live;
}

}  // namespace yard
