// A client of the file server's routes (file_api.h): uploads that send only content the server
// does not have, downloads that resume, listings. Transfers stream in chunks: a file is never
// held in memory. Transport failures and {"error": ...} answers come back as Status values.
// Not thread-safe: one FileClient per thread (it keeps one connection alive).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "files/file_entry.h"

namespace httplib {
class Client;
}

namespace yard {

// Called as bytes move: (bytes done, bytes in all). For a progress bar.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct TransferResult {
  std::string sha256;
  uint64_t size = 0;           // the file's size
  uint64_t bytes_moved = 0;    // bytes that crossed the network (0 when nothing had to)
  bool already_there = false;  // upload: the server had the content, only the path was set
};

class FileClient {
 public:
  // base_url: "http://HOST:PORT" (or "HOST:PORT") of the master or a standalone file server.
  explicit FileClient(std::string base_url);
  ~FileClient();
  FileClient(const FileClient&) = delete;
  FileClient& operator=(const FileClient&) = delete;

  const std::string& base_url() const { return base_url_; }

  // Hashes the local file, asks whether the server has that content, and sends the bytes only
  // when it does not; then `remote_path` names it. TooLarge before sending anything when the
  // file is over the server's limit.
  Result<TransferResult> Upload(const std::string& local_path, const std::string& remote_path,
                                const ProgressFn& progress = nullptr);
  // Streams `remote_path` into `local_path` through a partial file beside it
  // (".NAME.<hash>.part"), checks the hash, then renames: `local_path` is never half-written.
  // Missing parent folders are created.
  // A partial file left by an interrupted download of the same content is resumed (Range).
  Result<TransferResult> Download(const std::string& remote_path, const std::string& local_path,
                                  const ProgressFn& progress = nullptr);
  // As Download, for content known by its hash.
  Result<TransferResult> DownloadBlob(const std::string& sha256, const std::string& local_path,
                                      const ProgressFn& progress = nullptr);

  // A folder's files and subfolders (all files below it when `recursive`); a prefix naming a
  // file gives that file alone.
  Result<Listing> List(const std::string& prefix, bool recursive = false);
  // One path's entry (NotFound when absent or a folder).
  Result<FileEntry> Stat(const std::string& remote_path);
  Status Delete(const std::string& remote_path);

  // --- Content by hash, for snapshots and caches.
  Result<bool> HasBlob(const std::string& sha256);
  // Which of `sha256s` the server lacks (it keeps the others from garbage collection a while).
  Result<std::vector<std::string>> MissingBlobs(const std::vector<std::string>& sha256s);
  // Sends a local file as blob `sha256` (its hash, already computed); returns the bytes sent.
  Result<uint64_t> PutBlob(const std::string& local_path, const std::string& sha256,
                           const ProgressFn& progress = nullptr);
  // Points `remote_path` at content the server has (NotFound when it has not).
  Result<FileEntry> Publish(const std::string& remote_path, const std::string& sha256,
                            EntryKind kind = EntryKind::kFile);
  // Small content from memory (a manifest) to a path, and back.
  Result<FileEntry> PutBytes(const std::string& remote_path, const std::string& content,
                             EntryKind kind = EntryKind::kFile);
  Result<std::string> GetBytes(const std::string& remote_path, size_t max_bytes);

  // The server's size limit per file, as its last answer said; 0 before any answer.
  uint64_t max_file_bytes() const { return max_file_bytes_; }

 private:
  Result<TransferResult> DownloadUrl(const std::string& url, std::string expected_sha256,
                                     uint64_t size, const std::string& local_path,
                                     const ProgressFn& progress);
  // HEAD of a URL: its hash and size.
  Result<std::pair<std::string, uint64_t>> Head(const std::string& url, const std::string& what);

  std::string base_url_;
  std::unique_ptr<httplib::Client> client_;
  uint64_t max_file_bytes_ = 0;
};

// One-call forms for the CLI (`yard files put/get/ls`).
Result<TransferResult> UploadFile(const std::string& base_url, const std::string& local_path,
                                  const std::string& remote_path,
                                  const ProgressFn& progress = nullptr);
Result<TransferResult> DownloadFile(const std::string& base_url, const std::string& remote_path,
                                    const std::string& local_path,
                                    const ProgressFn& progress = nullptr);
Result<Listing> ListFiles(const std::string& base_url, const std::string& prefix,
                          bool recursive = false);

}  // namespace yard
