// The life of a job. QUEUED -> ASSIGNED -> STARTING -> RUNNING -> one terminal state;
// LOST and PREEMPTED are way stations that go back to QUEUED while retries remain.
#pragma once

#include <optional>
#include <string_view>

namespace yard {

enum class JobState {
  kQueued,
  kAssigned,
  kStarting,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kTimedOut,
  kStoppedEarly,
  kLost,
  kPreempted,
};

std::string_view ToString(JobState state);  // "QUEUED", ...
std::optional<JobState> ParseJobState(std::string_view text);
bool IsTerminal(JobState state);
// Holds GPUs on a worker: ASSIGNED, STARTING or RUNNING.
bool IsActive(JobState state);

}  // namespace yard
