#include "files/snapshot_manifest.h"

#include "api/types.h"
#include "files/sha256.h"
#include "files/store_path.h"

namespace yard {

std::string SnapshotPath(std::string_view snapshot_id) {
  return std::string(kSnapshotPrefix) + "/" + std::string(snapshot_id);
}

std::string ManifestToJson(const SnapshotManifest& manifest) {
  Json files = Json::object();  // nlohmann's object is a sorted map: the order is canonical
  for (const auto& [path, f] : manifest.files)
    files[path] = {{"sha256", f.sha256}, {"size", f.size}, {"mode", (f.mode & 0111) ? 0755 : 0644}};
  Json j = {{"version", 1}, {"files", files}};
  return j.dump();
}

Result<SnapshotManifest> ParseManifest(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("the manifest is not JSON");
  if (!j.contains("version") || j["version"] != 1)
    return InvalidArgument("the manifest is not version 1");
  if (!j.contains("files") || !j["files"].is_object())
    return InvalidArgument("the manifest has no 'files' object");
  SnapshotManifest out;
  for (const auto& [path, f] : j["files"].items()) {
    auto normal = NormalizeStorePath(path);
    if (!normal.ok()) return normal.status().Prefixed("manifest");
    if (*normal != path) return InvalidArgument("manifest path '" + path + "' is not normalised");
    if (!f.is_object() || !f.contains("sha256") || !f["sha256"].is_string() ||
        !IsSha256Hex(f["sha256"].get<std::string>()) || !f.contains("size") ||
        !f["size"].is_number_unsigned())
      return InvalidArgument("manifest entry '" + path + "' needs a sha256 and a size");
    ManifestFile mf;
    mf.sha256 = f["sha256"].get<std::string>();
    mf.size = f["size"].get<uint64_t>();
    bool exec = f.contains("mode") && f["mode"].is_number_unsigned() &&
                (f["mode"].get<uint32_t>() & 0111) != 0;
    mf.mode = exec ? 0755 : 0644;
    out.files.emplace(path, std::move(mf));
  }
  // "a" and "a/b" cannot both be files: in sorted order a folder's files follow its name + '/'.
  for (auto it = out.files.begin(); it != out.files.end(); ++it) {
    auto next = out.files.lower_bound(it->first + "/");
    if (next != out.files.end() && next->first.starts_with(it->first + "/"))
      return InvalidArgument("manifest path '" + it->first + "' is both a file and a folder");
  }
  return out;
}

}  // namespace yard
