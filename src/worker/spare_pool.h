// The folders and the log file a job is given on this worker (its working directory,
// YARD_OUTPUT_DIR, YARD_CHECKPOINT_DIR, YARD_DATA_DIR, logs/ID-ATTEMPT.log): each exists when
// the job starts, and what a job leaves in one stays where it is after the job.
//
// Why spares: making and deleting files and folders is most of what a short job costs the
// file system. (ext4 without a journal, as here, skips every inode deleted in the last 30 s
// when it allocates one, reading each: thousands of short jobs make every mkdir and every
// create slow.) So a folder a job leaves empty, or a log it left empty, is not deleted but
// renamed into the spare folder, and a later job's is a spare renamed into place: a rename,
// no inode made or freed.
//
// Folders can be shared (a job's outputs by its attempts, a sweep trial's checkpoints by its
// jobs); the pool counts who holds each, and only the last holder's release may move it.
// Thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "common/status.h"

namespace yard {

enum class SpareKind { kFolder, kFile };

class SparePool {
 public:
  // `spare_dir` keeps the spares (created if missing; spares left there by an earlier run are
  // used, anything else there is removed).
  explicit SparePool(std::filesystem::path spare_dir);

  // Makes `path` an existing folder or file of that kind (kept as it is when it exists; else a
  // spare renamed there, or a new one, with its parents) and counts one more holder of it.
  Status Acquire(const std::filesystem::path& path, SpareKind kind);

  // One holder less; when none is left and `path` is still an empty folder or file of its kind
  // (not a link, not a file with other names), it becomes a spare, given back the owner and
  // mode a new one would have.
  void Release(const std::filesystem::path& path);

  // How many spares of a kind are waiting (for tests and logs).
  size_t spares(SpareKind kind) const;

 private:
  struct Held {
    int holders = 0;
    SpareKind kind = SpareKind::kFolder;
  };

  // With mu_ held, once: creates the spare folder and loads what it holds. False when there
  // are no spares to be had (everything is then made anew).
  bool Init();
  bool Recyclable(const std::filesystem::path& path, SpareKind kind);
  Status Create(const std::filesystem::path& path, SpareKind kind);
  std::vector<std::filesystem::path>& SparesOf(SpareKind kind) {
    return kind == SpareKind::kFolder ? folders_ : files_;
  }

  const std::filesystem::path spare_dir_;
  mutable std::mutex mu_;
  bool init_tried_ = false;
  bool initialised_ = false;
  mode_t folder_mode_ = 0;  // what mkdir gives a new folder here; a new file: & 0666
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  uint64_t next_name_ = 0;
  std::vector<std::filesystem::path> folders_;
  std::vector<std::filesystem::path> files_;
  std::map<std::filesystem::path, Held> held_;
};

// What one job holds from a SparePool, released when the lease goes away.
class SpareLease {
 public:
  explicit SpareLease(SparePool& pool) : pool_(pool) {}
  ~SpareLease() { ReleaseAll(); }
  SpareLease(const SpareLease&) = delete;
  SpareLease& operator=(const SpareLease&) = delete;

  Status Acquire(const std::filesystem::path& path, SpareKind kind);
  void ReleaseAll();

 private:
  SparePool& pool_;
  std::vector<std::filesystem::path> held_;
};

}  // namespace yard
