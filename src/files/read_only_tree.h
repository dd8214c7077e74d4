// Builds a folder of read-only files from cached content: a job's code snapshot or dataset.
// The folder appears whole or not at all (built beside the target, then renamed).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "files/blob_cache.h"

namespace yard {

struct TreeFile {
  std::string rel;  // normalised relative path (store_path.h)
  std::string sha256;
  uint64_t size = 0;
  bool executable = false;
};

struct TreeOptions {
  bool hard_links = true;  // see PlaceReadOnly
};

// Every file's content must be in `cache` already. Files end 0444 (0555 executables), folders
// 0555. `target` must not exist, or be an empty folder; Conflict otherwise.
Status BuildReadOnlyTree(const std::vector<TreeFile>& files, const BlobCache& cache,
                         const std::string& target, const TreeOptions& options = {});

}  // namespace yard
