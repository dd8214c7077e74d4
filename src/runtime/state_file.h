// State files: one small JSON file per running execution in the runtime's state directory,
// so that a worker that restarts can find what its previous incarnation left running.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/status.h"

namespace yard {

struct ExecutionRecord {
  int64_t job_id = 0;
  int attempt = 0;
  pid_t pid = 0;            // also the process group id
  uint64_t start_time = 0;  // /proc/<pid>/stat field 22, to tell a reused pid apart
};

// Writes the record atomically (a temporary file renamed into place): a reader never sees
// half a file, even if the worker dies while writing it.
Status WriteStateFile(const std::filesystem::path& dir, const ExecutionRecord& record);

// Removes the record of (job_id, attempt); no error when there is none.
Status RemoveStateFile(const std::filesystem::path& dir, int64_t job_id, int attempt);

struct StateFile {
  std::filesystem::path path;
  Result<ExecutionRecord> record;  // an error when the file is unreadable or malformed
};

// Every state file in `dir` (none when `dir` does not exist).
std::vector<StateFile> ListStateFiles(const std::filesystem::path& dir);

}  // namespace yard
