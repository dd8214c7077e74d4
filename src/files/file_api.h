// What the file server's routes and their client agree on: URLs and header names. The routes
// are in file_routes.h, the client in file_client.h.
//
//   PUT    /v1/files/paths/<path>[?sha256=HEX][&snapshot=1]  body: the content (streamed).
//          With ?sha256= and an empty body, publishes <path> to content already stored.
//   GET    /v1/files/paths/<path>     the content; Range (one range), ETag "<sha256>"
//   HEAD   /v1/files/paths/<path>     headers only: Content-Length, X-Yard-Sha256
//   DELETE /v1/files/paths/<path>
//   GET    /v1/files/list?prefix=DIR[&recursive=1]   {"prefix", "entries", "dirs"}
//   HEAD   /v1/files/blobs/<sha256>    200 when stored, 404 when not
//   GET    /v1/files/blobs/<sha256>    the content, as for paths
//   PUT    /v1/files/blobs/<sha256>    stores content that must hash to <sha256>
//   POST   /v1/files/blobs/missing     {"sha256": [...]} -> {"missing": [...]}
#pragma once

#include <string>
#include <string_view>

namespace yard {

inline constexpr std::string_view kFilesRoot = "/v1/files";
// On every answer of the file routes: the largest file the server takes.
inline constexpr const char* kMaxFileBytesHeader = "X-Yard-Max-File-Bytes";
// On downloads and HEADs: the content's SHA-256 (also the ETag, quoted).
inline constexpr const char* kSha256Header = "X-Yard-Sha256";
// On path downloads and HEADs: "file" or "snapshot".
inline constexpr const char* kKindHeader = "X-Yard-Kind";

// "/v1/files/paths/<path>" with each byte outside [A-Za-z0-9-._~/] percent-escaped.
std::string FilePathUrl(std::string_view store_path);
std::string BlobUrl(std::string_view sha256);
// Percent-escapes everything but unreserved characters (and '/' when keep_slash).
std::string PercentEscape(std::string_view text, bool keep_slash);

}  // namespace yard
