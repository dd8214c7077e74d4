// Ending a whole process group: a job's leader and everything it started.
#pragma once

#include <sys/types.h>

#include <chrono>

#include "common/status.h"

namespace yard {

// kill(-pgid, signo). A group that is already gone is not an error.
Status SignalGroup(pid_t pgid, int signo);

// SIGTERM to the group, up to `grace` for it to end, then SIGKILL. Returns how many live
// processes the group had when it was asked to end. Zombies count as ended: they hold nothing.
int TerminateGroup(pid_t pgid, std::chrono::milliseconds grace);

}  // namespace yard
