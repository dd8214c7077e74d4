// Spawn: starts a job's command as a child process that leads a process group of its own.
#pragma once

#include <sys/types.h>

#include "common/clock.h"
#include "common/status.h"
#include "runtime/runtime.h"

namespace yard {

struct SpawnedProcess {
  pid_t pid = 0;  // also the id of its process group
  Micros started_at = 0;
};

// Forks and execs spec.argv as is (never through a shell), in a new process group whose id is
// the child's pid. argv[0] without a '/' is looked up in the PATH of spec.env, or the worker's
// PATH when spec.env has none. The child runs in spec.work_dir (when given) with exactly
// spec.env, stdin from /dev/null, stdout and stderr appended to spec.log_path (its folder is
// created; no log path: /dev/null), default signal dispositions, an empty signal mask and no
// inherited fds beyond 0-2. It gets SIGKILL when the *thread* that called Spawn exits
// (PR_SET_PDEATHSIG follows the thread, not the process), so call it from a thread that lives
// as long as the job.
//
// Returns once the exec has happened: a command that cannot start (not found, not executable,
// a missing work_dir) is an error naming it, and its child is already reaped. On success the
// caller owns the child and must reap it.
Result<SpawnedProcess> Spawn(const LaunchSpec& spec);

}  // namespace yard
