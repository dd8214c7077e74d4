#include "files/snapshot.h"

#include "files/blob_cache.h"
#include "files/content_upload.h"
#include "files/folder_walk.h"
#include "files/ignore_rules.h"
#include "files/sha256.h"
#include "files/snapshot_manifest.h"

namespace yard {
Result<SnapshotResult> SnapshotFolder(FileClient& client, const std::string& local_dir,
                                      const std::vector<std::string>& excludes, uint64_t max_bytes,
                                      const ProgressFn& progress) {
  YARD_ASSIGN_OR_RETURN(IgnoreRules rules, IgnoreRules::ForFolder(local_dir, excludes));
  YARD_ASSIGN_OR_RETURN(FolderContent content, WalkFolder(local_dir, &rules, max_bytes));

  YARD_ASSIGN_OR_RETURN(std::vector<std::string> shas, HashFiles(content.files));
  SnapshotManifest manifest;
  for (size_t i = 0; i < content.files.size(); ++i) {
    const LocalFile& f = content.files[i];
    manifest.files[f.rel] = ManifestFile{shas[i], f.size, f.executable ? 0755u : 0644u};
  }
  std::string manifest_json = ManifestToJson(manifest);
  SnapshotResult out;
  out.id = Sha256Hex(manifest_json);
  out.files = content.files.size();
  out.total_bytes = content.total_bytes;
  out.skipped = content.skipped;

  auto existing = client.Stat(SnapshotPath(out.id));
  if (existing.ok() && existing->kind == EntryKind::kSnapshot) return out;  // nothing to send
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();

  // Content found present may be collected before the manifest is published (the server
  // spares it a while, but not forever): one more round then covers what went missing.
  for (int attempt = 0;; ++attempt) {
    YARD_ASSIGN_OR_RETURN(uint64_t sent,
                          UploadMissingContent(client, content.files, shas, progress));
    out.bytes_uploaded += sent;
    auto published = client.PutBytes(SnapshotPath(out.id), manifest_json, EntryKind::kSnapshot);
    if (published.ok()) break;
    if (published.status().code() != Code::kConflict || attempt > 0)
      return published.status().Prefixed("cannot publish the snapshot");
  }
  out.bytes_uploaded += manifest_json.size();
  return out;
}

Result<SnapshotResult> SnapshotFolder(const std::string& base_url, const std::string& local_dir,
                                      const std::vector<std::string>& excludes, uint64_t max_bytes,
                                      const ProgressFn& progress) {
  FileClient client(base_url);
  return SnapshotFolder(client, local_dir, excludes, max_bytes, progress);
}

Result<FetchResult> MaterializeSnapshot(FileClient& client, const std::string& snapshot_id,
                                        const std::string& cache_dir, const std::string& target_dir,
                                        const TreeOptions& options, const ProgressFn& progress) {
  if (!IsSha256Hex(snapshot_id))
    return InvalidArgument("'" + snapshot_id + "' is not a snapshot id (a SHA-256)");
  YARD_ASSIGN_OR_RETURN(std::string text,
                        client.GetBytes(SnapshotPath(snapshot_id), kMaxManifestBytes));
  if (Sha256Hex(text) != snapshot_id)
    return Internal("the manifest of snapshot " + snapshot_id + " does not match its id");
  YARD_ASSIGN_OR_RETURN(SnapshotManifest manifest, ParseManifest(text));

  BlobCache cache(cache_dir);
  FetchResult out;
  std::vector<TreeFile> tree;
  uint64_t total = 0;
  for (const auto& [rel, f] : manifest.files) total += f.size;
  uint64_t done_before = 0;
  for (const auto& [rel, f] : manifest.files) {
    ProgressFn each;
    if (progress) each = [&](uint64_t done, uint64_t) { progress(done_before + done, total); };
    YARD_ASSIGN_OR_RETURN(uint64_t moved, cache.Ensure(client, f.sha256, f.size, each));
    out.bytes_downloaded += moved;
    done_before += f.size;
    tree.push_back(TreeFile{rel, f.sha256, f.size, (f.mode & 0111) != 0});
  }
  YARD_RETURN_IF_ERROR(BuildReadOnlyTree(tree, cache, target_dir, options));
  out.files = tree.size();
  return out;
}

Result<FetchResult> MaterializeSnapshot(const std::string& base_url, const std::string& snapshot_id,
                                        const std::string& cache_dir,
                                        const std::string& target_dir) {
  FileClient client(base_url);
  return MaterializeSnapshot(client, snapshot_id, cache_dir, target_dir);
}

}  // namespace yard
