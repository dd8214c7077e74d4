// State files: one small JSON file per running execution, as workers before the execution
// journal (execution_journal.h) kept them. Still read, so that a worker upgraded while jobs ran
// ends what its predecessor left; no longer written.
#pragma once

#include <filesystem>
#include <vector>

#include "common/status.h"
#include "runtime/execution_journal.h"

namespace yard {

struct StateFile {
  std::filesystem::path path;
  Result<ExecutionRecord> record;  // an error when the file is unreadable or malformed
};

// Every state file ("execution-JOB-ATTEMPT.json") in `dir` (none when `dir` does not exist).
std::vector<StateFile> ListStateFiles(const std::filesystem::path& dir);

}  // namespace yard
