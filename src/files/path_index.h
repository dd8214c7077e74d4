// The store's namespace: one small JSON file per path under ROOT/index, mirroring the path
// (index/datasets/mnist/train.bin), so folders are real folders and a listing is a folder
// walk. Entries are replaced by rename, so a reader sees the old entry or the new, never half.
// Paths given here are already normalised (store_path.h); the caller serialises writers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"
#include "files/file_entry.h"

namespace yard {

class PathIndex {
 public:
  // `index_dir` must exist; entries are written in `tmp_dir` first (same file system).
  static Result<PathIndex> Open(const std::string& index_dir, const std::string& tmp_dir);

  // NotFound for a path that is not there (or is a folder); InvalidArgument for a symbolic
  // link on the way.
  Result<FileEntry> Get(const std::string& path) const;
  // Whether anything (a file, or a folder, which holds files: Remove prunes emptied ones) is
  // at `path`. A cheap look-up, never a walk. InvalidArgument for a symbolic link on the way.
  Result<bool> Exists(const std::string& path) const;
  // Creates or replaces; Conflict when the path or one of its parents is the other kind
  // (a file where a folder must be, or the reverse). Durable when it returns.
  Status Put(const FileEntry& entry);
  // Removes the entry and the folders it leaves empty. NotFound when absent.
  Status Remove(const std::string& path);

  // Calls `fn` for the files under the folder `prefix` ("" = all): its direct children only,
  // or all its descendants when `recursive`. `dirs`, if given, receives the names of the
  // direct subfolders. NotFound when the folder does not exist. Symbolic links are skipped.
  // Entries that cannot be read are errors: a garbage collector must not guess.
  Status Walk(const std::string& prefix, bool recursive, const std::function<Status(FileEntry)>& fn,
              std::vector<std::string>* dirs = nullptr) const;

 private:
  Status WalkDir(int dir_fd, const std::string& rel, bool recursive,
                 const std::function<Status(FileEntry)>& fn, std::vector<std::string>* dirs) const;

  UniqueFd index_fd_;
  std::string tmp_dir_;
};

}  // namespace yard
