#include "files/file_routes.h"

#include <httplib.h>

#include <charconv>
#include <memory>
#include <vector>

#include "api/error_body.h"
#include "api/types.h"
#include "files/byte_range.h"
#include "files/file_api.h"
#include "files/fs_util.h"
#include "files/sha256.h"
#include "files/store_path.h"

namespace yard {
namespace {

constexpr size_t kChunkBytes = 256 << 10;
// When an upload is refused before its end, this much more of its body is read and thrown
// away. httplib 0.11 keeps the connection open and would parse the rest of an unread body
// as the next request, so a refused body is consumed when it is small; a sender of a larger
// one gets the error and then a broken connection. (Our client checks the size limit first.)
constexpr uint64_t kMaxDrainBytes = 8 << 20;

void SendJson(httplib::Response& res, const Json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, ErrorBody(status), HttpStatusFor(status.code()));
}

bool QueryFlag(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return false;
  std::string v = req.get_param_value(key);
  return v.empty() || v == "1" || v == "true" || v == "yes";
}

// The Content-Length of the request, if it has one that parses.
bool DeclaredLength(const httplib::Request& req, uint64_t* out) {
  if (!req.has_header("Content-Length")) return false;
  std::string v = req.get_header_value("Content-Length");
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size();
}

bool EmptyBody(const httplib::Request& req) {
  uint64_t length = 0;
  if (DeclaredLength(req, &length)) return length == 0;
  return !req.has_header("Transfer-Encoding");
}

// Reads and drops up to kMaxDrainBytes of a body that will not be stored.
void Drain(const httplib::Request& req, const httplib::ContentReader& reader) {
  if (EmptyBody(req)) return;
  uint64_t seen = 0;
  reader([&](const char*, size_t n) {
    seen += n;
    return seen <= kMaxDrainBytes;
  });
}

void RefuseUpload(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader, const Status& status) {
  Drain(req, reader);
  SendError(res, status);
}

// Streams the body into a new blob. Returns once the body is consumed or the connection broke;
// an upload that does not complete leaves nothing behind (BlobWriter removes its file).
Result<BlobInfo> ReceiveUpload(FileStore& store, const httplib::Request& req,
                               httplib::Response& res, const httplib::ContentReader& reader,
                               std::string_view expected_sha256) {
  uint64_t declared = 0;
  if (DeclaredLength(req, &declared) && declared > store.max_file_bytes()) {
    Drain(req, reader);
    return TooLarge("the file has " + std::to_string(declared) + " bytes; the file server takes " +
                    std::to_string(store.max_file_bytes()) + " at most");
  }
  auto upload = store.NewUpload();
  if (!upload.ok()) {
    Drain(req, reader);
    return upload.status();
  }
  Status write_status;
  uint64_t dropped = 0;
  bool complete = reader([&](const char* data, size_t n) {
    if (write_status.ok()) {
      write_status = upload->Write(std::string_view(data, n));
      return true;
    }
    dropped += n;  // failed already: keep reading (a little) so the connection stays usable
    return dropped <= kMaxDrainBytes;
  });
  if (!write_status.ok()) return write_status;
  if (!complete) {
    if (res.status == 413)  // httplib's own payload_max_length
      return TooLarge("the upload is over this server's request size limit");
    return InvalidArgument("the upload ended before its body did (connection closed?)");
  }
  return store.CommitBlob(*upload, expected_sha256);
}

// httplib 0.11 applies req.ranges to whatever a handler answers, without checking them against
// the size, and would cut an error's JSON too: downloads handle the Range header themselves
// (SendFile), so httplib's copy goes before anything is answered. The request object is
// httplib's own non-const one; handlers only see it through a const reference.
void TakeOverRanges(const httplib::Request& req) {
  const_cast<httplib::Request&>(req).ranges.clear();
}

// Sends an opened file (or the part that the Range header asks for), streamed in chunks.
void SendFile(const httplib::Request& req, httplib::Response& res, OpenedFile file) {
  const uint64_t size = file.entry.size;
  const std::string& sha = file.entry.sha256;
  RangeRequest range = ParseRange(req.get_header_value("Range"), size);

  res.set_header("ETag", "\"" + sha + "\"");
  res.set_header(kSha256Header, sha);
  res.set_header("Accept-Ranges", "bytes");
  if (!file.entry.path.empty())
    res.set_header(kKindHeader, file.entry.kind == EntryKind::kSnapshot ? "snapshot" : "file");

  if (range.kind == RangeRequest::kUnsatisfiable) {
    res.set_header("Content-Range", ContentRange(range, size));
    SendJson(res,
             {{"error",
               {{"code", "range_not_satisfiable"},
                {"message", "the range '" + req.get_header_value("Range") +
                                "' is outside the file's " + std::to_string(size) + " bytes"}}}},
             416);
    return;
  }
  uint64_t start = 0, length = size;
  res.status = 200;
  if (range.kind == RangeRequest::kPartial) {
    start = range.start;
    length = range.length;
    res.status = 206;
    res.set_header("Content-Range", ContentRange(range, size));
  }
  if (length == 0) {
    res.set_content("", "application/octet-stream");
    return;
  }
  // The provider is copied around by httplib (std::function): share the fd and one buffer.
  auto fd = std::make_shared<UniqueFd>(std::move(file.fd));
  auto buf = std::make_shared<std::vector<char>>();
  res.set_content_provider(length, "application/octet-stream",
                           [fd, buf, start](size_t offset, size_t want, httplib::DataSink& sink) {
                             if (buf->empty())
                               buf->resize(kChunkBytes);  // HEAD never gets here: allocate lazily
                             size_t n = want < kChunkBytes ? want : kChunkBytes;
                             auto got = PreadFull(fd->get(), buf->data(), n, start + offset);
                             if (!got.ok() || *got == 0)
                               return false;  // blobs never shrink: a failure, not an end
                             return sink.write(buf->data(), *got);
                           });
}

void SetCommonHeaders(httplib::Response& res, const FileStore& store) {
  res.set_header(kMaxFileBytesHeader, std::to_string(store.max_file_bytes()));
}

}  // namespace

int FilesExpectContinue(const FileStore& store, const httplib::Request& req,
                        httplib::Response& res) {
  uint64_t declared = 0;
  if (req.method == "PUT" && req.path.starts_with(std::string(kFilesRoot) + "/") &&
      DeclaredLength(req, &declared) && declared > store.max_file_bytes()) {
    SetCommonHeaders(res, store);
    SendError(res, TooLarge("the file has " + std::to_string(declared) +
                            " bytes; the file server takes " +
                            std::to_string(store.max_file_bytes()) + " at most"));
    return res.status;
  }
  return 100;
}

void RegisterFileRoutes(httplib::Server& server, FileStore& store) {
  // [\s\S] rather than '.': a path with a newline must reach the path check and get its 400.
  const std::string paths = std::string(kFilesRoot) + R"(/paths/([\s\S]+))";
  const std::string blobs = std::string(kFilesRoot) + R"(/blobs/([\s\S]+))";

  server.Put(paths, [&store](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    SetCommonHeaders(res, store);
    auto path = NormalizeStorePath(req.matches[1].str());
    if (!path.ok()) return RefuseUpload(req, res, reader, path.status());
    std::string sha = req.get_param_value("sha256");
    if (req.has_param("sha256") && !IsSha256Hex(sha))
      return RefuseUpload(req, res, reader,
                          InvalidArgument("?sha256= must be 64 lowercase hex digits"));
    EntryKind kind = QueryFlag(req, "snapshot") ? EntryKind::kSnapshot : EntryKind::kFile;

    uint64_t received = 0;
    if (!sha.empty() && EmptyBody(req) && sha != Sha256Hex("")) {
      // Publishing content the sender knows is here: no bytes move.
      auto entry = store.Publish(*path, sha, kind);
      if (!entry.ok()) return SendError(res, entry.status());
      Json j = FileEntryToJson(*entry);
      j["received_bytes"] = 0;
      return SendJson(res, j, 200);
    }
    auto blob = ReceiveUpload(store, req, res, reader, sha);
    if (!blob.ok()) return SendError(res, blob.status());
    received = blob->size;
    auto entry = store.Publish(*path, blob->sha256, kind);
    if (!entry.ok()) return SendError(res, entry.status());
    Json j = FileEntryToJson(*entry);
    j["received_bytes"] = received;
    SendJson(res, j, 200);
  });

  server.Get(paths, [&store](const httplib::Request& req, httplib::Response& res) {
    SetCommonHeaders(res, store);
    TakeOverRanges(req);
    auto file = store.OpenPath(req.matches[1].str());
    if (!file.ok()) return SendError(res, file.status());
    SendFile(req, res, std::move(*file));
  });

  server.Delete(paths, [&store](const httplib::Request& req, httplib::Response& res) {
    SetCommonHeaders(res, store);
    auto path = NormalizeStorePath(req.matches[1].str());
    if (!path.ok()) return SendError(res, path.status());
    Status s = store.Delete(*path);
    if (!s.ok()) return SendError(res, s);
    SendJson(res, {{"deleted", *path}}, 200);
  });

  server.Get(std::string(kFilesRoot) + "/list", [&store](const httplib::Request& req,
                                                         httplib::Response& res) {
    SetCommonHeaders(res, store);
    auto listing = store.List(req.get_param_value("prefix"), QueryFlag(req, "recursive"));
    if (!listing.ok()) return SendError(res, listing.status());
    SendJson(res, ListingToJson(*listing), 200);
  });

  server.Post(std::string(kFilesRoot) + "/blobs/missing",
              [&store](const httplib::Request& req, httplib::Response& res) {
                SetCommonHeaders(res, store);
                Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
                if (!body.is_object() || !body.contains("sha256") || !body["sha256"].is_array())
                  return SendError(res, InvalidArgument("expected {\"sha256\": [...]}"));
                std::vector<std::string> shas;
                for (const auto& s : body["sha256"]) {
                  if (!s.is_string())
                    return SendError(res, InvalidArgument("sha256 entries must be strings"));
                  shas.push_back(s.get<std::string>());
                }
                auto missing = store.MissingBlobs(shas);
                if (!missing.ok()) return SendError(res, missing.status());
                SendJson(res, {{"missing", *missing}}, 200);
              });

  server.Get(blobs, [&store](const httplib::Request& req, httplib::Response& res) {
    SetCommonHeaders(res, store);
    TakeOverRanges(req);
    auto file = store.OpenBlob(req.matches[1].str());
    if (!file.ok()) return SendError(res, file.status());
    SendFile(req, res, std::move(*file));
  });

  server.Put(blobs, [&store](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    SetCommonHeaders(res, store);
    std::string sha = req.matches[1].str();
    if (!IsSha256Hex(sha))
      return RefuseUpload(req, res, reader,
                          InvalidArgument("'" + EscapeForMessage(sha) +
                                          "' is not a SHA-256 (64 lowercase hex digits)"));
    auto blob = ReceiveUpload(store, req, res, reader, sha);
    if (!blob.ok()) return SendError(res, blob.status());
    SendJson(res, {{"sha256", blob->sha256}, {"size", blob->size}, {"received_bytes", blob->size}},
             200);
  });
}

}  // namespace yard
