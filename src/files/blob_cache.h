// A worker's local copies of file-server content, named by hash like the store's blobs:
// DIR/ab/cdef..., read-only (0444). Content is downloaded once per machine and shared by
// every job that uses it, as hard links where the file system allows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "files/file_client.h"

namespace yard {

class BlobCache {
 public:
  explicit BlobCache(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string PathFor(std::string_view sha256) const;

  // Makes sure the blob is here, downloading it when not (a partial download resumes);
  // returns the bytes downloaded. Safe to call from several threads or processes at once.
  Result<uint64_t> Ensure(FileClient& client, const std::string& sha256, uint64_t size,
                          const ProgressFn& progress = nullptr);

 private:
  std::string dir_;
};

// Puts a read-only copy of `source` (a cached blob) at `target`: a hard link when possible,
// else a copy, written beside `target` and renamed into place. A link shares the cache file's
// inode and so its 0444 mode; an executable (0555) is always a copy, so the cached file stays
// 0444 for everyone else. Jobs get read-only mounts in containers; a process-runtime job
// running as the worker's user could chmod a linked file, so `allow_link` = false copies.
Status PlaceReadOnly(const std::string& source, const std::string& target, bool executable,
                     bool allow_link = true);

}  // namespace yard
