// The store's content: ROOT/blobs/ab/cdef... (the SHA-256 in hex, split after two digits so no
// folder grows past 256 * 62-digit names), each file read-only and never changed once there.
// The same content stored twice is one file.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/status.h"
#include "common/unique_fd.h"
#include "files/fs_util.h"

namespace yard {

struct BlobInfo {
  std::string sha256;
  uint64_t size = 0;
};

struct GcStats {
  uint64_t blobs_removed = 0;
  uint64_t bytes_freed = 0;
  uint64_t blobs_kept = 0;
};

class BlobDir {
 public:
  // `blobs_dir` must exist.
  static Result<BlobDir> Open(const std::string& blobs_dir);

  // `sha256` is 64 lowercase hex digits (the caller checked). NotFound when absent.
  Result<BlobInfo> Stat(std::string_view sha256) const;
  Result<UniqueFd> OpenRead(std::string_view sha256, uint64_t* size) const;

  // Moves a finished upload into place as blob `sha256`; when that blob is already there the
  // upload is dropped instead and false comes back (no second copy). Durable when it returns.
  Result<bool> Adopt(TempFile file, std::string_view sha256);

  // Marks the blob as just used, so a collection running now spares it (see RemoveUnreferenced).
  void Touch(std::string_view sha256);

  // Removes blobs not in `live` whose last use (mtime) is older than `min_age`: a blob that was
  // just uploaded or found present, and whose path is about to be published, is not garbage.
  Result<GcStats> RemoveUnreferenced(const std::unordered_set<std::string>& live,
                                     std::chrono::seconds min_age);

 private:
  // "ab" folder fd and "cdef..." name of a blob.
  Result<UniqueFd> OpenShard(std::string_view sha256, bool create) const;

  UniqueFd blobs_fd_;
};

}  // namespace yard
