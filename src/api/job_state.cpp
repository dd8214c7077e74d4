#include "api/job_state.h"

#include <array>
#include <utility>

namespace yard {
namespace {
constexpr std::array<std::pair<JobState, std::string_view>, 11> kNames = {{
    {JobState::kQueued, "QUEUED"},
    {JobState::kAssigned, "ASSIGNED"},
    {JobState::kStarting, "STARTING"},
    {JobState::kRunning, "RUNNING"},
    {JobState::kSucceeded, "SUCCEEDED"},
    {JobState::kFailed, "FAILED"},
    {JobState::kCancelled, "CANCELLED"},
    {JobState::kTimedOut, "TIMED_OUT"},
    {JobState::kStoppedEarly, "STOPPED_EARLY"},
    {JobState::kLost, "LOST"},
    {JobState::kPreempted, "PREEMPTED"},
}};
}  // namespace

std::string_view ToString(JobState state) {
  for (const auto& [s, name] : kNames)
    if (s == state) return name;
  return "UNKNOWN";
}

std::optional<JobState> ParseJobState(std::string_view text) {
  for (const auto& [s, name] : kNames)
    if (name == text) return s;
  return std::nullopt;
}

bool IsTerminal(JobState state) {
  switch (state) {
    case JobState::kSucceeded:
    case JobState::kFailed:
    case JobState::kCancelled:
    case JobState::kTimedOut:
    case JobState::kStoppedEarly:
      return true;
    default:
      return false;
  }
}

bool IsActive(JobState state) {
  return state == JobState::kAssigned || state == JobState::kStarting ||
         state == JobState::kRunning;
}

}  // namespace yard
