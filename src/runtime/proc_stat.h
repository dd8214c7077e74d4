// What /proc says about processes: enough to find a job's process group and to tell a process
// from a later one that reuses its pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace yard {

struct ProcStat {
  pid_t pid = 0;
  char state = '?';         // 'R', 'S', 'Z' (a zombie: ended, holds nothing), ...
  pid_t pgrp = 0;           // process group
  uint64_t start_time = 0;  // clock ticks after boot (field 22): with the pid, names a process
};

// /proc/<pid>/stat, or nullopt when there is no such process (or it just went away).
std::optional<ProcStat> ReadProcStat(pid_t pid);

// Every process whose group is `pgid`, zombies left out: they have ended and hold no GPU.
std::vector<ProcStat> LiveProcessesInGroup(pid_t pgid);

}  // namespace yard
