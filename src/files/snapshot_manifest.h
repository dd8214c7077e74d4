// A code snapshot's manifest: which file of the folder holds which content. Stored as a blob;
// its SHA-256 is the snapshot's id, so its JSON form is canonical (sorted keys, no spaces,
// modes reduced to 0644/0755): the same folder always gives the same id.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace yard {

struct ManifestFile {
  std::string sha256;
  uint64_t size = 0;
  uint32_t mode = 0644;  // 0644, or 0755 for executables
};

struct SnapshotManifest {
  std::map<std::string, ManifestFile> files;  // relative path (normalised) -> content
};

// The path under which a snapshot's manifest is published: "code/<id>".
inline constexpr std::string_view kSnapshotPrefix = "code";
std::string SnapshotPath(std::string_view snapshot_id);

// {"version": 1, "files": {"rel/path": {"sha256", "size", "mode"}}}, compact.
std::string ManifestToJson(const SnapshotManifest& manifest);
// Checks everything that came from outside: every path passes NormalizeStorePath (and is
// already normal), hashes are 64 hex digits, no path is both a file and a folder.
Result<SnapshotManifest> ParseManifest(std::string_view text);

// Manifests larger than this are refused (a million files is about 150 MB; this is plenty).
inline constexpr size_t kMaxManifestBytes = 64 << 20;

}  // namespace yard
