// One upload in progress: content streams into a temporary file of the store while it is
// hashed and counted, so the whole file is never in memory and its name is known at the end.
// Dropping the writer (an error, a closed connection) removes the temporary file: nothing of
// a half-upload is ever visible. FileStore::CommitBlob turns a finished upload into a blob.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "files/fs_util.h"
#include "files/sha256.h"

namespace yard {

class BlobWriter {
 public:
  // `tmp_dir`: where the content waits; `max_bytes`: TooLarge past it.
  static Result<BlobWriter> Create(const std::string& tmp_dir, uint64_t max_bytes);
  BlobWriter() = default;
  BlobWriter(BlobWriter&&) noexcept = default;
  BlobWriter& operator=(BlobWriter&&) noexcept = default;

  // Appends a chunk. After an error the writer is spent: later calls return that error.
  Status Write(std::string_view chunk);
  uint64_t size() const { return size_; }
  uint64_t max_bytes() const { return max_bytes_; }

  // Ends the content: fsyncs it and returns its hash. The file stays until Take()n or dropped.
  Result<std::string> Finish();
  // The finished temporary file, for the store to move into place.
  TempFile Take() { return std::move(file_); }

 private:
  TempFile file_;
  Sha256 hash_;
  uint64_t size_ = 0;
  uint64_t max_bytes_ = 0;
  Status error_;
  bool finished_ = false;
};

}  // namespace yard
