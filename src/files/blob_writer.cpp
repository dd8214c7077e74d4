#include "files/blob_writer.h"

#include <unistd.h>

#include <cerrno>

namespace yard {

Result<BlobWriter> BlobWriter::Create(const std::string& tmp_dir, uint64_t max_bytes) {
  YARD_ASSIGN_OR_RETURN(TempFile file, TempFile::Create(tmp_dir, "upload-"));
  BlobWriter w;
  w.file_ = std::move(file);
  w.max_bytes_ = max_bytes;
  return w;
}

Status BlobWriter::Write(std::string_view chunk) {
  if (!error_.ok()) return error_;
  if (!file_.active() || finished_) return error_ = Internal("write to a finished upload");
  if (chunk.size() > max_bytes_ - size_) {
    error_ = TooLarge("the file is over the file server's limit of " + std::to_string(max_bytes_) +
                      " bytes");
    file_.Discard();  // free the disk now, not when the sender stops
    return error_;
  }
  Status s = WriteAll(file_.fd(), chunk.data(), chunk.size());
  if (!s.ok()) {
    error_ = s.Prefixed("cannot store the upload");
    file_.Discard();
    return error_;
  }
  hash_.Update(chunk);
  size_ += chunk.size();
  return Status::Ok();
}

Result<std::string> BlobWriter::Finish() {
  if (!error_.ok()) return error_;
  if (!file_.active() || finished_) return Internal("upload finished twice");
  finished_ = true;
  if (::fsync(file_.fd()) != 0) return ErrnoError("cannot fsync the upload", errno);
  return hash_.FinishHex();
}

}  // namespace yard
