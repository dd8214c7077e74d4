// The records the file server and its clients exchange, and their JSON forms: one path of the
// store's namespace, and a listing of a folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

enum class EntryKind {
  kFile,      // plain content
  kSnapshot,  // a code snapshot's manifest: the blobs it names are kept alive with it
};

struct FileEntry {
  std::string path;    // normalised (store_path.h)
  std::string sha256;  // the blob holding the content
  uint64_t size = 0;
  Micros mtime = 0;  // when this path was last published
  EntryKind kind = EntryKind::kFile;
};

// A folder's content: the files in it and, unless recursive, the names of its subfolders
// (folders exist only as prefixes of file paths).
struct Listing {
  std::string prefix;
  std::vector<FileEntry> entries;
  std::vector<std::string> dirs;  // direct children's names; empty for a recursive listing
};

// {"path", "sha256", "size", "mtime" (RFC 3339), "kind" ("file" | "snapshot")}
Json FileEntryToJson(const FileEntry& entry);
Result<FileEntry> FileEntryFromJson(const Json& j);
// {"prefix", "entries": [...], "dirs": [...]}
Json ListingToJson(const Listing& listing);
Result<Listing> ListingFromJson(const Json& j);

}  // namespace yard
