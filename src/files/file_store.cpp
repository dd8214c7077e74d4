#include "files/file_store.h"

#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <unordered_set>

#include "common/clock.h"
#include "files/sha256.h"
#include "files/snapshot_manifest.h"
#include "files/store_path.h"

namespace yard {
namespace {

// Removes what interrupted uploads left in tmp/: nothing there is referenced by anything.
Status EmptyFolder(const std::string& dir) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::error_code rm_ec;
    std::filesystem::remove_all(it->path(), rm_ec);
    if (rm_ec) return IoError("cannot clean " + it->path().string() + ": " + rm_ec.message());
  }
  if (ec) return IoError("cannot list " + dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

FileStore::FileStore(FileStoreOptions options, BlobDir blobs, PathIndex index)
    : options_(std::move(options)),
      blobs_(std::move(blobs)),
      index_(std::move(index)),
      tmp_dir_(options_.root + "/tmp") {}

Result<std::unique_ptr<FileStore>> FileStore::Open(FileStoreOptions options) {
  if (options.root.empty()) return InvalidArgument("the file store needs a root folder");
  if (options.max_file_bytes == 0) return InvalidArgument("max_file_bytes must be positive");
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  for (const char* sub : {"/blobs", "/index", "/tmp"})
    YARD_RETURN_IF_ERROR(MakeDirs(options.root + sub));
  YARD_RETURN_IF_ERROR(EmptyFolder(options.root + "/tmp"));
  YARD_ASSIGN_OR_RETURN(BlobDir blobs, BlobDir::Open(options.root + "/blobs"));
  YARD_ASSIGN_OR_RETURN(PathIndex index,
                        PathIndex::Open(options.root + "/index", options.root + "/tmp"));
  return std::unique_ptr<FileStore>(
      new FileStore(std::move(options), std::move(blobs), std::move(index)));
}

Result<std::string> FileStore::CheckSha(std::string_view sha256) const {
  if (!IsSha256Hex(sha256))
    return InvalidArgument("'" + EscapeForMessage(sha256) +
                           "' is not a SHA-256 (64 lowercase hex digits)");
  return std::string(sha256);
}

Result<BlobWriter> FileStore::NewUpload() {
  return BlobWriter::Create(tmp_dir_, options_.max_file_bytes);
}

Result<BlobInfo> FileStore::CommitBlob(BlobWriter& upload, std::string_view expected_sha256) {
  if (!expected_sha256.empty()) YARD_RETURN_IF_ERROR(CheckSha(expected_sha256).status());
  YARD_ASSIGN_OR_RETURN(std::string sha, upload.Finish());
  if (!expected_sha256.empty() && sha != expected_sha256)
    return InvalidArgument("the content's SHA-256 is " + sha + ", not the expected " +
                           std::string(expected_sha256) + " (did the file change while sent?)");
  uint64_t size = upload.size();
  YARD_ASSIGN_OR_RETURN(bool stored, blobs_.Adopt(upload.Take(), sha));
  bytes_uploaded_ += size;
  ++(stored ? blobs_stored_ : blobs_deduplicated_);
  return BlobInfo{sha, size};
}

Status FileStore::CheckSnapshot(std::string_view sha256) const {
  YARD_ASSIGN_OR_RETURN(OpenedFile blob, OpenBlob(sha256));
  YARD_ASSIGN_OR_RETURN(std::string text,
                        ReadAllFd(blob.fd.get(), kMaxManifestBytes, "the snapshot manifest"));
  YARD_ASSIGN_OR_RETURN(SnapshotManifest manifest, ParseManifest(text));
  for (const auto& [path, f] : manifest.files) {
    auto info = blobs_.Stat(f.sha256);
    if (!info.ok())
      return Conflict("the snapshot names '" + path + "' with content " + f.sha256 +
                      ", which is not stored; upload it first");
    if (info->size != f.size)
      return InvalidArgument("the snapshot gives '" + path + "' a size of " +
                             std::to_string(f.size) + " bytes; its content has " +
                             std::to_string(info->size));
  }
  return Status::Ok();
}

Result<FileEntry> FileStore::Publish(std::string_view path, std::string_view sha256,
                                     EntryKind kind) {
  YARD_ASSIGN_OR_RETURN(std::string normal, NormalizeStorePath(path));
  YARD_ASSIGN_OR_RETURN(std::string sha, CheckSha(sha256));
  auto info = blobs_.Stat(sha);
  if (!info.ok()) return NotFound("no content " + sha + " in the store; send it");
  if (kind == EntryKind::kSnapshot) YARD_RETURN_IF_ERROR(CheckSnapshot(sha));
  FileEntry entry{normal, sha, info->size, NowMicros(), kind};
  std::lock_guard<std::mutex> lock(write_mu_);
  // Under the lock, so a collection cannot have taken the blob since Stat above.
  if (!blobs_.Stat(sha).ok()) return NotFound("no content " + sha + " in the store; send it");
  YARD_RETURN_IF_ERROR(index_.Put(entry));
  return entry;
}

Result<FileEntry> FileStore::PutBytes(std::string_view path, std::string_view content,
                                      EntryKind kind) {
  YARD_ASSIGN_OR_RETURN(std::string normal, NormalizeStorePath(path));
  YARD_ASSIGN_OR_RETURN(BlobWriter upload, NewUpload());
  YARD_RETURN_IF_ERROR(upload.Write(content));
  YARD_ASSIGN_OR_RETURN(BlobInfo blob, CommitBlob(upload));
  return Publish(normal, blob.sha256, kind);
}

Result<BlobInfo> FileStore::StatBlob(std::string_view sha256) const {
  YARD_ASSIGN_OR_RETURN(std::string sha, CheckSha(sha256));
  return blobs_.Stat(sha);
}

Result<std::vector<std::string>> FileStore::MissingBlobs(const std::vector<std::string>& sha256s) {
  std::vector<std::string> missing;
  for (const auto& s : sha256s) {
    YARD_ASSIGN_OR_RETURN(std::string sha, CheckSha(s));
    if (blobs_.Stat(sha).ok()) {
      blobs_.Touch(sha);
    } else {
      missing.push_back(sha);
    }
  }
  return missing;
}

Result<OpenedFile> FileStore::OpenBlob(std::string_view sha256) const {
  YARD_ASSIGN_OR_RETURN(std::string sha, CheckSha(sha256));
  OpenedFile out;
  YARD_ASSIGN_OR_RETURN(out.fd, blobs_.OpenRead(sha, &out.entry.size));
  out.entry.sha256 = sha;
  return out;
}

Result<FileEntry> FileStore::Stat(std::string_view path) const {
  YARD_ASSIGN_OR_RETURN(std::string normal, NormalizeStorePath(path));
  return index_.Get(normal);
}

Result<OpenedFile> FileStore::OpenPath(std::string_view path) const {
  YARD_ASSIGN_OR_RETURN(FileEntry entry, Stat(path));
  auto blob = OpenBlob(entry.sha256);
  if (!blob.ok() && blob.status().code() == Code::kNotFound)  // deleted and collected meanwhile
    return NotFound("no file '" + entry.path + "' in the store");
  if (!blob.ok()) return blob.status();
  if (blob->entry.size != entry.size)
    return Internal("the content of '" + entry.path + "' does not have the size its entry says");
  return OpenedFile{std::move(entry), std::move(blob->fd)};
}

Result<Listing> FileStore::List(std::string_view prefix, bool recursive) const {
  YARD_ASSIGN_OR_RETURN(std::string normal, NormalizeStorePrefix(prefix));
  Listing out;
  out.prefix = normal;
  if (!normal.empty()) {
    auto file = index_.Get(normal);
    if (file.ok()) {
      out.entries.push_back(std::move(*file));
      return out;
    }
    if (file.status().code() == Code::kInvalidArgument) return file.status();
  }
  Status s = index_.Walk(
      normal, recursive,
      [&](FileEntry e) {
        out.entries.push_back(std::move(e));
        return Status::Ok();
      },
      recursive ? nullptr : &out.dirs);
  if (s.code() == Code::kNotFound) return NotFound("nothing under '" + normal + "' in the store");
  YARD_RETURN_IF_ERROR(s);
  return out;
}

Result<bool> FileStore::HoldsAnything(std::string_view path) const {
  auto normal = NormalizeStorePath(path);
  if (!normal.ok()) return false;
  return index_.Exists(*normal);
}

Status FileStore::Delete(std::string_view path) {
  YARD_ASSIGN_OR_RETURN(std::string normal, NormalizeStorePath(path));
  std::lock_guard<std::mutex> lock(write_mu_);
  return index_.Remove(normal);
}

Result<GcStats> FileStore::CollectGarbage(std::chrono::seconds min_age) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::unordered_set<std::string> live;
  Status s = index_.Walk("", /*recursive=*/true, [&](FileEntry e) -> Status {
    live.insert(e.sha256);
    if (e.kind != EntryKind::kSnapshot) return Status::Ok();
    // A snapshot keeps every file it names. An unreadable manifest stops the collection: it
    // is better to keep garbage than to delete code a job is about to run.
    auto blob = OpenBlob(e.sha256);
    if (!blob.ok()) return blob.status().Prefixed("snapshot '" + e.path + "'");
    YARD_ASSIGN_OR_RETURN(std::string text,
                          ReadAllFd(blob->fd.get(), kMaxManifestBytes, "manifest " + e.path));
    auto manifest = ParseManifest(text);
    if (!manifest.ok()) return manifest.status().Prefixed("snapshot '" + e.path + "'");
    for (const auto& [rel, f] : manifest->files) live.insert(f.sha256);
    return Status::Ok();
  });
  if (!s.ok()) return s.Prefixed("garbage collection stopped, nothing removed");
  return blobs_.RemoveUnreferenced(live, min_age);
}

FileStoreCounters FileStore::counters() const {
  return {bytes_uploaded_.load(), blobs_stored_.load(), blobs_deduplicated_.load()};
}

}  // namespace yard
