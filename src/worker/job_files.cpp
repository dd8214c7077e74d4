#include "worker/job_files.h"

#include <system_error>

#include "api/file_layout.h"
#include "files/file_client.h"
#include "files/snapshot.h"
#include "files/tree_transfer.h"

namespace yard {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSnapshotPrefix = "code/";

std::string Moved(const char* what, const std::string& name, size_t files, uint64_t bytes) {
  return "yard: " + std::string(what) + " " + name + ": " + std::to_string(files) + " files, " +
         std::to_string(bytes) + " bytes downloaded";
}

std::string CheckpointPrefix(const Assignment& a) {
  return CheckpointFolder(a.job_id, a.sweep_id, a.trial);
}

}  // namespace

Status JobFiles::FetchInputs(const Assignment& a, const LogFn& log) const {
  FileClient client(master_url_);
  const std::string cache = paths_.CacheDir().string();
  if (!a.spec.code.empty()) {
    if (a.spec.code.rfind(kSnapshotPrefix, 0) != 0)
      return InvalidArgument("code '" + a.spec.code + "' is not a snapshot (code/<sha256>)");
    std::string id = a.spec.code.substr(kSnapshotPrefix.size());
    fs::path dir = paths_.CodeDir(id);
    // Snapshots never change, so one materialised copy serves every job that runs it.
    if (!fs::exists(dir)) {
      auto r = MaterializeSnapshot(client, id, cache, dir.string());
      if (!r.ok() && !(r.status().code() == Code::kConflict && fs::exists(dir)))
        return r.status().Prefixed("code snapshot " + id.substr(0, 12));
      if (r.ok()) log(Moved("code", id.substr(0, 12), r->files, r->bytes_downloaded));
    }
  }
  for (const auto& path : a.spec.data) {
    fs::path target = paths_.DataDir(a.job_id, a.attempt) / path;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    auto r = FetchPath(client, path, cache, target.string());
    if (!r.ok()) return r.status().Prefixed("data " + path);
    log(Moved("data", path, r->files, r->bytes_downloaded));
  }
  return FetchCheckpoint(a, log);
}

Status JobFiles::FetchCheckpoint(const Assignment& a, const LogFn& log) const {
  if (a.has_checkpoint == false) return Status::Ok();  // the master knows there is none
  FileClient client(master_url_);
  const std::string prefix = CheckpointPrefix(a);
  auto listing = client.List(prefix, /*recursive=*/true);
  if (!listing.ok()) {
    if (listing.status().code() == Code::kNotFound) return Status::Ok();  // none yet
    return listing.status().Prefixed("checkpoint");
  }
  fs::path dir = paths_.CheckpointDir(a);
  uint64_t moved = 0;
  for (const auto& entry : listing->entries) {
    std::string relative = entry.path.substr(prefix.size() + 1);
    auto r = client.Download(entry.path, (dir / relative).string());
    if (!r.ok()) return r.status().Prefixed("checkpoint file " + relative);
    moved += r->bytes_moved;
  }
  if (!listing->entries.empty()) log(Moved("checkpoint", prefix, listing->entries.size(), moved));
  return Status::Ok();
}

Status JobFiles::UploadResults(const Assignment& a, const LogFn& log) const {
  FileClient client(master_url_);
  auto upload = [&](const fs::path& dir, const std::string& prefix) -> Status {
    if (!fs::exists(dir) || fs::is_empty(dir)) return Status::Ok();
    auto r = UploadFolder(client, dir.string(), prefix);
    if (!r.ok()) return r.status().Prefixed("upload " + prefix);
    log("yard: uploaded " + prefix + ": " + std::to_string(r->files) + " files, " +
        std::to_string(r->bytes_uploaded) + " new bytes");
    return Status::Ok();
  };
  YARD_RETURN_IF_ERROR(upload(paths_.OutputDir(a.job_id), OutputsFolder(a.job_id)));
  return upload(paths_.CheckpointDir(a), CheckpointPrefix(a));
}

}  // namespace yard
