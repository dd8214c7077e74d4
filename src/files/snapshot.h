// Code snapshots: `yard submit` freezes a job's `code:` folder on the file server, and the
// worker rebuilds it read-only for the job, so a job runs exactly the code that was submitted.
//
// A snapshot is a manifest (snapshot_manifest.h) stored at "code/<id>", where the id is the
// manifest's SHA-256; each file's content is a blob of its own. The same folder gives the same
// id, and only content the server lacks is sent: a second snapshot of unchanged code moves no
// file bytes at all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "files/file_client.h"
#include "files/read_only_tree.h"

namespace yard {

struct SnapshotResult {
  std::string id;  // the manifest's SHA-256
  size_t files = 0;
  uint64_t total_bytes = 0;          // of the files in the snapshot
  uint64_t bytes_uploaded = 0;       // what had to be sent (0 when the server had it all)
  std::vector<std::string> skipped;  // paths left out, with why (folder_walk.h)
};

// Walks `local_dir` with its .gitignore and .yardignore plus `excludes` (ignore_rules.h; .git
// is always left out), refuses it with TooLarge naming the size when the files hold more than
// `max_bytes`, hashes every file, uploads the missing content and publishes the manifest.
// `progress` sees the bytes uploaded against the bytes to upload.
Result<SnapshotResult> SnapshotFolder(FileClient& client, const std::string& local_dir,
                                      const std::vector<std::string>& excludes, uint64_t max_bytes,
                                      const ProgressFn& progress = nullptr);
Result<SnapshotResult> SnapshotFolder(const std::string& base_url, const std::string& local_dir,
                                      const std::vector<std::string>& excludes, uint64_t max_bytes,
                                      const ProgressFn& progress = nullptr);

struct FetchResult {
  size_t files = 0;
  uint64_t bytes_downloaded = 0;  // 0 when the cache had everything
};

// Downloads the snapshot's missing content into `cache_dir` (blob_cache.h) and builds
// `target_dir` from it: files 0444 (0555 executables), folders 0555. `target_dir` must not
// exist or be empty. The manifest's paths are checked like any path from outside.
Result<FetchResult> MaterializeSnapshot(FileClient& client, const std::string& snapshot_id,
                                        const std::string& cache_dir, const std::string& target_dir,
                                        const TreeOptions& options = {},
                                        const ProgressFn& progress = nullptr);
Result<FetchResult> MaterializeSnapshot(const std::string& base_url, const std::string& snapshot_id,
                                        const std::string& cache_dir,
                                        const std::string& target_dir);

}  // namespace yard
