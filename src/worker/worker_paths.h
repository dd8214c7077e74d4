// Where a worker keeps things, under its --work-dir.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "api/protocol.h"

namespace yard {

struct WorkerPaths {
  std::filesystem::path root;

  // The job's working directory when it has no code snapshot.
  std::filesystem::path JobDir(int64_t job_id, int attempt) const;
  std::filesystem::path LogPath(int64_t job_id, int attempt) const;
  std::filesystem::path OutputDir(int64_t job_id) const;  // YARD_OUTPUT_DIR
  // One per job, or per trial of a sweep: a promoted trial resumes from its checkpoint.
  std::filesystem::path CheckpointDir(const Assignment& a) const;    // YARD_CHECKPOINT_DIR
  std::filesystem::path DataDir(int64_t job_id, int attempt) const;  // YARD_DATA_DIR
  // A code snapshot, read-only, shared by every job that runs it.
  std::filesystem::path CodeDir(const std::string& snapshot_id) const;
  // File-server content by hash, shared by everything on this worker.
  std::filesystem::path CacheDir() const;
  std::filesystem::path RuntimeStateDir() const;
  // Emptied job folders and logs waiting to be some later job's (worker/spare_pool.h).
  std::filesystem::path SpareDir() const;
  // The assignment of a running attempt, kept so that a restarted worker that reattaches to it
  // knows what to upload when it ends; removed when it has ended.
  std::filesystem::path AssignmentPath(int64_t job_id, int attempt) const;
};

}  // namespace yard
