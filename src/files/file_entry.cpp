#include "files/file_entry.h"

#include "api/json.h"

namespace yard {

Json FileEntryToJson(const FileEntry& e) {
  return {{"path", e.path},
          {"sha256", e.sha256},
          {"size", e.size},
          {"mtime", TimeToJson(e.mtime)},
          {"kind", e.kind == EntryKind::kSnapshot ? "snapshot" : "file"}};
}

Result<FileEntry> FileEntryFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("a file entry is not an object");
  FileEntry e;
  YARD_ASSIGN_OR_RETURN(e.path, RequireString(j, "path"));
  YARD_ASSIGN_OR_RETURN(e.sha256, RequireString(j, "sha256"));
  YARD_ASSIGN_OR_RETURN(int64_t size, RequireInt(j, "size"));
  if (size < 0) return InvalidArgument("field 'size' is negative");
  e.size = static_cast<uint64_t>(size);
  if (j.contains("mtime") && j["mtime"].is_string()) {
    auto t = ParseRfc3339(j["mtime"].get<std::string>());
    if (!t) return InvalidArgument("field 'mtime' is not an RFC 3339 time");
    e.mtime = *t;
  }
  e.kind = j.contains("kind") && j["kind"] == "snapshot" ? EntryKind::kSnapshot : EntryKind::kFile;
  return e;
}

Json ListingToJson(const Listing& listing) {
  Json entries = Json::array();
  for (const auto& e : listing.entries) entries.push_back(FileEntryToJson(e));
  return {{"prefix", listing.prefix}, {"entries", entries}, {"dirs", listing.dirs}};
}

Result<Listing> ListingFromJson(const Json& j) {
  if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array())
    return InvalidArgument("a listing has no 'entries' array");
  Listing out;
  if (j.contains("prefix") && j["prefix"].is_string()) out.prefix = j["prefix"].get<std::string>();
  for (const auto& e : j["entries"]) {
    YARD_ASSIGN_OR_RETURN(FileEntry entry, FileEntryFromJson(e));
    out.entries.push_back(std::move(entry));
  }
  if (j.contains("dirs") && j["dirs"].is_array())
    for (const auto& d : j["dirs"])
      if (d.is_string()) out.dirs.push_back(d.get<std::string>());
  return out;
}

}  // namespace yard
