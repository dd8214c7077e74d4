// ExecutionJournal: the process runtime's record of the executions it has running, so that a
// worker that restarts can end what its previous incarnation left. One file, only appended
// to: a line when an execution starts ("start JOB ATTEMPT PID START_TIME") and one when it
// has been cleaned up ("end JOB ATTEMPT"). Once it holds many more lines than live executions,
// it is rewritten with the live ones alone (a temporary file renamed over it, so a reader sees
// the old journal or the new).
//
// One file rather than one per execution: creating and deleting a file per job is what short
// jobs cost the file system most (an ext4 without a journal scans past every recently deleted
// inode on each allocation). No fsync: the journal only has to outlive the worker process;
// after a machine crash the processes it names are gone too. A torn last line (the worker
// killed mid-write) is skipped when read. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"

namespace yard {

struct ExecutionRecord {
  int64_t job_id = 0;
  int attempt = 0;
  pid_t pid = 0;            // also the process group id
  uint64_t start_time = 0;  // /proc/<pid>/stat field 22, to tell a reused pid apart
};

struct JournalContents {
  std::vector<ExecutionRecord> live;  // started and not ended, in the order they started
  int bad_lines = 0;                  // lines that could not be read (a torn write, damage)
};

class ExecutionJournal {
 public:
  // `path`'s folder must exist; the file is created on the first write.
  explicit ExecutionJournal(std::filesystem::path path);

  // Records a started execution. When this fails the execution must not run: nothing could
  // find it after a restart.
  Status Started(const ExecutionRecord& record);
  // Records that an execution is over and cleaned up; rewrites the journal when it is mostly
  // ended executions.
  Status Ended(int64_t job_id, int attempt);

  // What the file holds now (none when there is no file).
  Result<JournalContents> Read() const;
  // Forgets every execution (Reattach has dealt with them): the file is emptied.
  Status Clear();

  const std::filesystem::path& path() const { return path_; }

 private:
  Status LoadLocked();  // once, before the first write: the live executions already recorded
  Status AppendLocked(const std::string& line);
  Status RewriteLocked();

  const std::filesystem::path path_;
  std::mutex mu_;
  bool loaded_ = false;
  UniqueFd fd_;       // O_APPEND; reopened after a rewrite
  size_t lines_ = 0;  // lines in the file
  std::map<std::pair<int64_t, int>, ExecutionRecord> live_;
};

}  // namespace yard
