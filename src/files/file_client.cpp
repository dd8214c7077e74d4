#include "files/file_client.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <vector>

#include "api/error_body.h"
#include "api/types.h"
#include "files/file_api.h"
#include "files/fs_util.h"
#include "files/sha256.h"
#include "files/store_path.h"

namespace yard {
namespace {

constexpr size_t kChunkBytes = 256 << 10;
constexpr size_t kMaxErrorBody = 64 << 10;
constexpr size_t kMissingBatch = 10000;  // hashes per "missing" question: bounded bodies

Status TransportError(const std::string& base_url, httplib::Error error) {
  return Unavailable("cannot reach the file server at " + base_url + " (" +
                     httplib::to_string(error) + ")");
}

// The Status of an error answer: its {"error": ...} body when it has one.
Status ErrorFrom(int http_status, const std::string& body, const std::string& what) {
  return StatusFromErrorAnswer(http_status, body,
                               http_status == 404 ? what + ": not found on the file server"
                                                  : what + ": HTTP " + std::to_string(http_status));
}

bool ParseU64(const std::string& text, uint64_t* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && p == text.data() + text.size();
}

Result<Json> ParseJsonBody(const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("the file server answered with malformed JSON");
  return j;
}

// Local file size and kind, refusing what is not a regular file.
Result<uint64_t> LocalFileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("cannot read " + path, errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

FileClient::FileClient(std::string base_url) : base_url_(std::move(base_url)) {
  if (base_url_.find("://") == std::string::npos) base_url_ = "http://" + base_url_;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  client_ = std::make_unique<httplib::Client>(base_url_);
  client_->set_connection_timeout(std::chrono::seconds(5));
  client_->set_read_timeout(std::chrono::seconds(120));
  client_->set_write_timeout(std::chrono::seconds(120));
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
  client_->set_url_encode(false);  // URLs are escaped here (file_api.h), exactly once
}

FileClient::~FileClient() = default;

Result<std::pair<std::string, uint64_t>> FileClient::Head(const std::string& url,
                                                          const std::string& what) {
  auto res = client_->Head(url);
  if (!res) return TransportError(base_url_, res.error());
  uint64_t max = 0;
  if (ParseU64(res->get_header_value(kMaxFileBytesHeader), &max)) max_file_bytes_ = max;
  if (res->status != 200) return ErrorFrom(res->status, "", what);  // a HEAD has no body
  std::string sha = res->get_header_value(kSha256Header);
  uint64_t size = 0;
  if (!IsSha256Hex(sha) || !ParseU64(res->get_header_value("Content-Length"), &size))
    return Internal("the file server's answer about " + what + " lacks its hash or size");
  return std::make_pair(sha, size);
}

Result<bool> FileClient::HasBlob(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) return InvalidArgument("'" + sha256 + "' is not a SHA-256");
  auto head = Head(BlobUrl(sha256), "content " + sha256);
  if (head.ok()) return true;
  if (head.status().code() == Code::kNotFound) return false;
  return head.status();
}

Result<std::vector<std::string>> FileClient::MissingBlobs(const std::vector<std::string>& sha256s) {
  std::vector<std::string> missing;
  for (size_t start = 0; start < sha256s.size(); start += kMissingBatch) {
    size_t end = std::min(sha256s.size(), start + kMissingBatch);
    Json body = {{"sha256", std::vector<std::string>(sha256s.begin() + static_cast<long>(start),
                                                     sha256s.begin() + static_cast<long>(end))}};
    auto res =
        client_->Post(std::string(kFilesRoot) + "/blobs/missing", body.dump(), "application/json");
    if (!res) return TransportError(base_url_, res.error());
    if (res->status != 200) return ErrorFrom(res->status, res->body, "missing content");
    YARD_ASSIGN_OR_RETURN(Json j, ParseJsonBody(res->body));
    if (!j.contains("missing") || !j["missing"].is_array())
      return Internal("the file server's answer has no 'missing' list");
    for (const auto& s : j["missing"])
      if (s.is_string()) missing.push_back(s.get<std::string>());
  }
  return missing;
}

namespace {

// Streams a local file as the body of a PUT to `url`; returns the answer's body.
Result<std::string> PutFileBody(httplib::Client& client, const std::string& base_url,
                                const std::string& url, const std::string& local_path,
                                uint64_t size, const ProgressFn& progress, uint64_t* sent) {
  UniqueFd fd(::open(local_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("cannot open " + local_path, errno);
  *sent = 0;
  httplib::Result res{nullptr, httplib::Error::Unknown};
  bool shrank = false;
  if (size == 0) {
    res = client.Put(url, "", "application/octet-stream");
  } else {
    std::vector<char> buf(kChunkBytes);
    res = client.Put(
        url, static_cast<size_t>(size),
        [&](size_t offset, size_t length, httplib::DataSink& sink) {
          size_t n = std::min(length, buf.size());
          auto got = PreadFull(fd.get(), buf.data(), n, offset);
          if (!got.ok() || *got == 0) {
            shrank = got.ok();
            return false;
          }
          if (!sink.write(buf.data(), *got)) return false;
          *sent += *got;
          if (progress) progress(*sent, size);
          return true;
        },
        "application/octet-stream");
  }
  if (shrank) return Conflict(local_path + " got shorter while it was being sent");
  if (!res) return TransportError(base_url, res.error());
  if (res->status != 200) return ErrorFrom(res->status, res->body, local_path);
  return res->body;
}

}  // namespace

Result<uint64_t> FileClient::PutBlob(const std::string& local_path, const std::string& sha256,
                                     const ProgressFn& progress) {
  if (!IsSha256Hex(sha256)) return InvalidArgument("'" + sha256 + "' is not a SHA-256");
  YARD_ASSIGN_OR_RETURN(uint64_t size, LocalFileSize(local_path));
  if (max_file_bytes_ > 0 && size > max_file_bytes_)
    return TooLarge(local_path + " has " + std::to_string(size) + " bytes; the file server takes " +
                    std::to_string(max_file_bytes_) + " at most");
  uint64_t sent = 0;
  YARD_RETURN_IF_ERROR(
      PutFileBody(*client_, base_url_, BlobUrl(sha256), local_path, size, progress, &sent)
          .status());
  return sent;
}

Result<FileEntry> FileClient::Publish(const std::string& remote_path, const std::string& sha256,
                                      EntryKind kind) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  std::string url = FilePathUrl(path) + "?sha256=" + sha256;
  if (kind == EntryKind::kSnapshot) url += "&snapshot=1";
  auto res = client_->Put(url, "", "application/octet-stream");
  if (!res) return TransportError(base_url_, res.error());
  if (res->status != 200) return ErrorFrom(res->status, res->body, remote_path);
  YARD_ASSIGN_OR_RETURN(Json j, ParseJsonBody(res->body));
  return FileEntryFromJson(j);
}

Result<FileEntry> FileClient::PutBytes(const std::string& remote_path, const std::string& content,
                                       EntryKind kind) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  std::string url = FilePathUrl(path) + "?sha256=" + Sha256Hex(content);
  if (kind == EntryKind::kSnapshot) url += "&snapshot=1";
  auto res = client_->Put(url, content, "application/octet-stream");
  if (!res) return TransportError(base_url_, res.error());
  if (res->status != 200) return ErrorFrom(res->status, res->body, remote_path);
  YARD_ASSIGN_OR_RETURN(Json j, ParseJsonBody(res->body));
  return FileEntryFromJson(j);
}

Result<std::string> FileClient::GetBytes(const std::string& remote_path, size_t max_bytes) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  std::string body;
  bool too_large = false;
  int status = 0;
  auto res = client_->Get(
      FilePathUrl(path),
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t n) {
        if (body.size() + n > (status == 200 ? max_bytes : kMaxErrorBody)) {
          too_large = true;
          return false;
        }
        body.append(data, n);
        return true;
      });
  if (too_large && status == 200)
    return TooLarge(remote_path + " is over " + std::to_string(max_bytes) + " bytes");
  if (!res) return TransportError(base_url_, res.error());
  if (res->status != 200) return ErrorFrom(res->status, body, remote_path);
  return body;
}

Result<TransferResult> FileClient::Upload(const std::string& local_path,
                                          const std::string& remote_path,
                                          const ProgressFn& progress) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  YARD_ASSIGN_OR_RETURN(uint64_t size, LocalFileSize(local_path));
  YARD_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(local_path));
  TransferResult out{sha, size, 0, false};
  YARD_ASSIGN_OR_RETURN(bool present, HasBlob(sha));
  if (present) {
    auto entry = Publish(path, sha);
    if (entry.ok()) {
      out.already_there = true;
      return out;
    }
    // Collected between the question and the publish: send it after all.
    if (entry.status().code() != Code::kNotFound) return entry.status();
  }
  if (max_file_bytes_ > 0 && size > max_file_bytes_)
    return TooLarge(local_path + " has " + std::to_string(size) + " bytes; the file server takes " +
                    std::to_string(max_file_bytes_) + " at most");
  YARD_RETURN_IF_ERROR(PutFileBody(*client_, base_url_, FilePathUrl(path) + "?sha256=" + sha,
                                   local_path, size, progress, &out.bytes_moved)
                           .status());
  return out;
}

Result<TransferResult> FileClient::Download(const std::string& remote_path,
                                            const std::string& local_path,
                                            const ProgressFn& progress) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  std::string url = FilePathUrl(path);
  YARD_ASSIGN_OR_RETURN(auto head, Head(url, "'" + path + "'"));
  return DownloadUrl(url, head.first, head.second, local_path, progress);
}

Result<TransferResult> FileClient::DownloadBlob(const std::string& sha256,
                                                const std::string& local_path,
                                                const ProgressFn& progress) {
  if (!IsSha256Hex(sha256)) return InvalidArgument("'" + sha256 + "' is not a SHA-256");
  std::string url = BlobUrl(sha256);
  YARD_ASSIGN_OR_RETURN(auto head, Head(url, "content " + sha256));
  return DownloadUrl(url, sha256, head.second, local_path, progress);
}

Result<TransferResult> FileClient::DownloadUrl(const std::string& url, std::string sha,
                                               uint64_t size, const std::string& local_path,
                                               const ProgressFn& progress) {
  std::string dir = ParentOf(local_path).empty() ? "." : std::string(ParentOf(local_path));
  YARD_RETURN_IF_ERROR(MakeDirs(dir));
  std::string part =
      dir + "/." + std::string(BaseName(local_path)) + "." + sha.substr(0, 16) + ".part";
  // The partial file has a fixed name so that a later try resumes it; a lock keeps two
  // downloads of the same content to the same place from writing into it at once (the second
  // one then downloads into a file of its own).
  UniqueFd fd(::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoError("cannot create " + part, errno);
  TempFile own;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    YARD_ASSIGN_OR_RETURN(own,
                          TempFile::Create(dir, "." + std::string(BaseName(local_path)) + "."));
    fd.Reset(::dup(own.fd()));
    part = own.path();
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + part, errno);
  uint64_t have = static_cast<uint64_t>(st.st_size);
  if (have > size) {
    if (::ftruncate(fd.get(), 0) != 0) return ErrnoError("cannot truncate " + part, errno);
    have = 0;
  }
  // What is already there is part of the hash.
  Sha256 hash;
  std::vector<char> buf(kChunkBytes);
  for (uint64_t off = 0; off < have;) {
    YARD_ASSIGN_OR_RETURN(size_t n, PreadFull(fd.get(), buf.data(), buf.size(), off));
    if (n == 0) break;
    hash.Update(buf.data(), std::min<uint64_t>(n, have - off));
    off += n;
  }
  uint64_t done = have;
  TransferResult out{sha, size, 0, false};

  if (have < size) {
    httplib::Headers headers;
    if (have > 0) headers.emplace("Range", "bytes=" + std::to_string(have) + "-");
    int status = 0;
    std::string error_body;
    Status failure;
    auto res = client_->Get(
        url, headers,
        [&](const httplib::Response& r) {
          status = r.status;
          if (status != 200 && status != 206) return true;  // read the error's body
          if (r.get_header_value(kSha256Header) != sha) {
            failure = Conflict("the file changed on the server during the download; try again");
            return false;
          }
          if (status == 200 && done > 0) {  // the server sent everything: start over
            if (::ftruncate(fd.get(), 0) != 0) {
              failure = ErrnoError("cannot truncate " + part, errno);
              return false;
            }
            hash.Reset();
            done = 0;
          }
          return true;
        },
        [&](const char* data, size_t n) {
          if (status != 200 && status != 206) {
            if (error_body.size() < kMaxErrorBody) error_body.append(data, n);
            return true;
          }
          if (done + n > size) {
            failure = Internal("the file server sent more bytes than the file has");
            return false;
          }
          if (::pwrite(fd.get(), data, n, static_cast<off_t>(done)) != static_cast<ssize_t>(n)) {
            failure = ErrnoError("cannot write " + part, errno);
            return false;
          }
          hash.Update(data, n);
          done += n;
          out.bytes_moved += n;
          if (progress) progress(done, size);
          return true;
        });
    if (!failure.ok()) return failure;
    if (!res) return TransportError(base_url_, res.error()).Prefixed("download interrupted");
    if (status != 200 && status != 206) return ErrorFrom(status, error_body, url);
  }
  if (done != size)
    return Unavailable("the download of " + url + " ended after " + std::to_string(done) + " of " +
                       std::to_string(size) + " bytes; run it again to resume");
  if (hash.FinishHex() != sha) {
    ::unlink(part.c_str());  // a resumed prefix that did not belong: start afresh next time
    return Internal("the downloaded content does not have the hash " + sha);
  }
  if (::fchmod(fd.get(), 0644) != 0) return ErrnoError("cannot chmod " + part, errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("cannot fsync " + part, errno);
  if (::rename(part.c_str(), local_path.c_str()) != 0)
    return ErrnoError("cannot rename " + part + " to " + local_path, errno);
  if (own.active()) own.Release();  // renamed: nothing left to remove
  return out;
}

Result<Listing> FileClient::List(const std::string& prefix, bool recursive) {
  std::string url = std::string(kFilesRoot) + "/list?prefix=" + PercentEscape(prefix, false);
  if (recursive) url += "&recursive=1";
  auto res = client_->Get(url);
  if (!res) return TransportError(base_url_, res.error());
  if (res->status != 200) return ErrorFrom(res->status, res->body, "'" + prefix + "'");
  YARD_ASSIGN_OR_RETURN(Json j, ParseJsonBody(res->body));
  return ListingFromJson(j);
}

Result<FileEntry> FileClient::Stat(const std::string& remote_path) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  YARD_ASSIGN_OR_RETURN(Listing listing, List(path));
  if (listing.entries.size() == 1 && listing.entries[0].path == path) return listing.entries[0];
  return NotFound("'" + path + "' is a folder, not a file");
}

Status FileClient::Delete(const std::string& remote_path) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  auto res = client_->Delete(FilePathUrl(path));
  if (!res) return TransportError(base_url_, res.error());
  if (res->status != 200) return ErrorFrom(res->status, res->body, "'" + path + "'");
  return Status::Ok();
}

Result<TransferResult> UploadFile(const std::string& base_url, const std::string& local_path,
                                  const std::string& remote_path, const ProgressFn& progress) {
  return FileClient(base_url).Upload(local_path, remote_path, progress);
}

Result<TransferResult> DownloadFile(const std::string& base_url, const std::string& remote_path,
                                    const std::string& local_path, const ProgressFn& progress) {
  return FileClient(base_url).Download(remote_path, local_path, progress);
}

Result<Listing> ListFiles(const std::string& base_url, const std::string& prefix, bool recursive) {
  return FileClient(base_url).List(prefix, recursive);
}

}  // namespace yard
