#include "files/tree_transfer.h"

#include <limits>

#include "files/blob_cache.h"
#include "files/content_upload.h"
#include "files/folder_walk.h"
#include "files/fs_util.h"
#include "files/store_path.h"

namespace yard {

Result<FetchResult> FetchPath(FileClient& client, const std::string& remote_path,
                              const std::string& cache_dir, const std::string& target,
                              const TreeOptions& options, const ProgressFn& progress) {
  YARD_ASSIGN_OR_RETURN(std::string path, NormalizeStorePath(remote_path));
  YARD_ASSIGN_OR_RETURN(Listing listing, client.List(path, /*recursive=*/true));
  BlobCache cache(cache_dir);
  uint64_t total = 0;
  for (const auto& e : listing.entries) total += e.size;
  FetchResult out;
  uint64_t done_before = 0;
  for (const auto& e : listing.entries) {
    ProgressFn each;
    if (progress) each = [&](uint64_t done, uint64_t) { progress(done_before + done, total); };
    YARD_ASSIGN_OR_RETURN(uint64_t moved, cache.Ensure(client, e.sha256, e.size, each));
    out.bytes_downloaded += moved;
    done_before += e.size;
  }
  out.files = listing.entries.size();

  if (listing.entries.size() == 1 && listing.entries[0].path == path) {  // one file
    const FileEntry& e = listing.entries[0];
    std::string parent(ParentOf(target));
    if (!parent.empty()) YARD_RETURN_IF_ERROR(MakeDirs(parent));
    YARD_RETURN_IF_ERROR(
        PlaceReadOnly(cache.PathFor(e.sha256), target, /*executable=*/false, options.hard_links));
    return out;
  }
  std::vector<TreeFile> tree;
  const std::string prefix = path + "/";
  for (const auto& e : listing.entries) {
    if (!e.path.starts_with(prefix))
      return Internal("the listing of '" + path + "' holds '" + e.path + "'");
    tree.push_back(TreeFile{e.path.substr(prefix.size()), e.sha256, e.size, false});
  }
  YARD_RETURN_IF_ERROR(BuildReadOnlyTree(tree, cache, target, options));
  return out;
}

Result<FetchResult> FetchPath(const std::string& base_url, const std::string& remote_path,
                              const std::string& cache_dir, const std::string& target) {
  FileClient client(base_url);
  return FetchPath(client, remote_path, cache_dir, target);
}

Result<UploadFolderResult> UploadFolder(FileClient& client, const std::string& local_dir,
                                        const std::string& remote_prefix,
                                        const ProgressFn& progress) {
  YARD_ASSIGN_OR_RETURN(std::string prefix, NormalizeStorePath(remote_prefix));
  YARD_ASSIGN_OR_RETURN(FolderContent content,
                        WalkFolder(local_dir, nullptr, std::numeric_limits<uint64_t>::max()));
  UploadFolderResult out;
  out.files = content.files.size();
  out.total_bytes = content.total_bytes;
  out.skipped = std::move(content.skipped);

  YARD_ASSIGN_OR_RETURN(std::vector<std::string> shas, HashFiles(content.files));
  YARD_ASSIGN_OR_RETURN(out.bytes_uploaded,
                        UploadMissingContent(client, content.files, shas, progress));
  for (size_t i = 0; i < content.files.size(); ++i) {
    auto entry = client.Publish(prefix + "/" + content.files[i].rel, shas[i]);
    if (!entry.ok()) return entry.status().Prefixed(content.files[i].rel);
    out.entries.push_back(std::move(*entry));
  }
  return out;
}

Result<UploadFolderResult> UploadFolder(const std::string& base_url, const std::string& local_dir,
                                        const std::string& remote_prefix) {
  FileClient client(base_url);
  return UploadFolder(client, local_dir, remote_prefix);
}

}  // namespace yard
