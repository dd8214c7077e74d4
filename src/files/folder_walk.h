// Lists the files of a local folder for upload: a snapshot's code, a job's outputs. Never
// follows a symbolic link out of the folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "files/ignore_rules.h"

namespace yard {

struct LocalFile {
  std::string rel;  // relative path, '/'-separated, valid as a store path
  std::string abs;  // where to read it (for a link inside the folder: the link's path)
  uint64_t size = 0;
  bool executable = false;
};

struct FolderContent {
  std::vector<LocalFile> files;  // sorted by rel
  uint64_t total_bytes = 0;
  // Relative paths left out, with why: links leading outside the folder or to folders,
  // sockets, devices, FIFOs. (Excluded paths are not listed here.)
  std::vector<std::string> skipped;
};

// Walks `dir`: every folder named .git is skipped, then `rules` (may be null) excludes. A
// symbolic link to a file inside `dir` counts as that file's content under the link's name;
// links to folders are not followed (no cycles) and links leading outside are skipped.
// TooLarge, naming the total, when the included files hold more than `max_bytes`.
// InvalidArgument for a file name the store cannot hold (store_path.h), naming it.
Result<FolderContent> WalkFolder(const std::string& dir, const IgnoreRules* rules,
                                 uint64_t max_bytes);

}  // namespace yard
