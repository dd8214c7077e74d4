// Whole files and folders between a worker and the file server: datasets in (cached by hash,
// read-only), a job's outputs out (only content the server lacks is sent).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "files/file_client.h"
#include "files/read_only_tree.h"
#include "files/snapshot.h"

namespace yard {

// Makes `target` a read-only copy of `remote_path`: one file, or a folder with every file under
// it (a spec's `data: [datasets/mnist]`). Content comes through `cache_dir` (blob_cache.h), so
// a dataset used by many jobs is downloaded once per machine. For a folder, `target` must not
// exist or be empty (Conflict otherwise); a file replaces what is at `target`. NotFound when
// nothing is at `remote_path`.
Result<FetchResult> FetchPath(FileClient& client, const std::string& remote_path,
                              const std::string& cache_dir, const std::string& target,
                              const TreeOptions& options = {},
                              const ProgressFn& progress = nullptr);
Result<FetchResult> FetchPath(const std::string& base_url, const std::string& remote_path,
                              const std::string& cache_dir, const std::string& target);

struct UploadFolderResult {
  size_t files = 0;
  uint64_t total_bytes = 0;
  uint64_t bytes_uploaded = 0;       // 0 when the server had every file's content
  std::vector<FileEntry> entries;    // what was published, sorted by path
  std::vector<std::string> skipped;  // paths left out, with why (folder_walk.h)
};

// Publishes every file under `local_dir` at `remote_prefix`/<relative path> (a job's outputs:
// "outputs/job-12"). No excludes; links leading outside the folder are skipped.
Result<UploadFolderResult> UploadFolder(FileClient& client, const std::string& local_dir,
                                        const std::string& remote_prefix,
                                        const ProgressFn& progress = nullptr);
Result<UploadFolderResult> UploadFolder(const std::string& base_url, const std::string& local_dir,
                                        const std::string& remote_prefix);

}  // namespace yard
