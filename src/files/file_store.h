// The file server's storage: content-addressed blobs plus a namespace of paths naming them
// (datasets/mnist/train.bin, code/<snapshot id>, checkpoints/..., outputs/job-12/...).
//
// On disk, under the root folder:
//   blobs/ab/cdef...   content, named by its SHA-256, read-only (blob_dir.h)
//   index/<path>       one small JSON file per path: {sha256, size, mtime_us, kind} (path_index.h)
//   tmp/               uploads and entries being written; emptied by Open()
//
// A write streams into tmp/ while being hashed, is fsynced and renamed into blobs/, and only
// then is its path published (renamed into index/): a crash at any point leaves the old
// version visible and at most a temporary file (removed at the next Open) or an unreferenced
// blob (removed by CollectGarbage). Paths are checked here as well as by the routes.
// One FileStore per root folder and process; it is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/unique_fd.h"
#include "files/blob_dir.h"
#include "files/blob_writer.h"
#include "files/file_entry.h"
#include "files/path_index.h"

namespace yard {

struct FileStoreOptions {
  std::string root;                       // created when missing
  uint64_t max_file_bytes = 16ull << 30;  // one file's size limit (413 past it)
};

// An open file of the store, ready to stream: its entry (path empty for a bare blob) and fd.
struct OpenedFile {
  FileEntry entry;
  UniqueFd fd;
};

struct FileStoreCounters {
  uint64_t bytes_uploaded = 0;      // bytes of the uploads committed (new content or not)
  uint64_t blobs_stored = 0;        // uploads that became new blobs
  uint64_t blobs_deduplicated = 0;  // uploads whose content was already there
};

class FileStore {
 public:
  static Result<std::unique_ptr<FileStore>> Open(FileStoreOptions options);

  const std::string& root() const { return options_.root; }
  uint64_t max_file_bytes() const { return options_.max_file_bytes; }

  // --- Writing: NewUpload, Write chunks to it, CommitBlob, then Publish a path to the blob.
  Result<BlobWriter> NewUpload();
  // Stores the finished upload under its hash (a no-op when that blob exists). When
  // `expected_sha256` is not empty the content must hash to it (InvalidArgument otherwise).
  Result<BlobInfo> CommitBlob(BlobWriter& upload, std::string_view expected_sha256 = {});
  // Points `path` at an existing blob (NotFound when there is none). A kSnapshot entry's blob
  // must be a manifest (snapshot_manifest.h) whose every blob is present (Conflict if not).
  Result<FileEntry> Publish(std::string_view path, std::string_view sha256,
                            EntryKind kind = EntryKind::kFile);
  // Upload + commit + publish of content in memory: for small things (manifests, tests).
  Result<FileEntry> PutBytes(std::string_view path, std::string_view content,
                             EntryKind kind = EntryKind::kFile);

  // --- Reading.
  Result<BlobInfo> StatBlob(std::string_view sha256) const;
  // The hashes in `sha256s` that are not stored. The present ones count as just used, so a
  // collection does not take them before the caller publishes what refers to them.
  Result<std::vector<std::string>> MissingBlobs(const std::vector<std::string>& sha256s);
  Result<OpenedFile> OpenBlob(std::string_view sha256) const;
  Result<FileEntry> Stat(std::string_view path) const;
  Result<OpenedFile> OpenPath(std::string_view path) const;
  // A folder's files (and subfolders unless `recursive`); a prefix naming a file lists that
  // file alone. "" is the root. NotFound when nothing is there.
  Result<Listing> List(std::string_view prefix, bool recursive) const;

  // Whether anything is stored at `path` or under it (a checkpoint folder, say) without
  // listing it. False also for a path that is not valid in the store.
  Result<bool> HoldsAnything(std::string_view path) const;

  // --- Removing.
  // Removes a path; its blob stays until CollectGarbage finds nothing referring to it.
  Status Delete(std::string_view path);
  // Removes blobs no path refers to (directly, or through a snapshot's manifest) that were not
  // used in the last `min_age`; the grace period protects uploads whose path is not yet
  // published. Holds the writers' lock while it runs.
  Result<GcStats> CollectGarbage(std::chrono::seconds min_age = std::chrono::hours(1));

  FileStoreCounters counters() const;

 private:
  FileStore(FileStoreOptions options, BlobDir blobs, PathIndex index);
  Result<std::string> CheckSha(std::string_view sha256) const;
  Status CheckSnapshot(std::string_view sha256) const;

  FileStoreOptions options_;
  BlobDir blobs_;
  PathIndex index_;
  std::string tmp_dir_;
  std::mutex write_mu_;  // serialises index changes and garbage collection
  std::atomic<uint64_t> bytes_uploaded_{0};
  std::atomic<uint64_t> blobs_stored_{0};
  std::atomic<uint64_t> blobs_deduplicated_{0};
};

}  // namespace yard
