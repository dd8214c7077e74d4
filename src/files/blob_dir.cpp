#include "files/blob_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/clock.h"
#include "files/sha256.h"

namespace yard {
namespace {

std::string ShardName(std::string_view sha) { return std::string(sha.substr(0, 2)); }
std::string LeafName(std::string_view sha) { return std::string(sha.substr(2)); }

std::vector<std::string> ReadNames(int dir_fd) {
  std::vector<std::string> names;
  int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return names;
  DIR* d = ::fdopendir(dup_fd);
  if (!d) {
    ::close(dup_fd);
    return names;
  }
  ::rewinddir(d);
  while (struct dirent* de = ::readdir(d)) {
    std::string name = de->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  return names;
}

}  // namespace

Result<BlobDir> BlobDir::Open(const std::string& blobs_dir) {
  BlobDir b;
  b.blobs_fd_.Reset(::open(blobs_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!b.blobs_fd_.valid()) return ErrnoError("cannot open " + blobs_dir, errno);
  return b;
}

Result<UniqueFd> BlobDir::OpenShard(std::string_view sha256, bool create) const {
  auto shard = OpenDirNoFollow(blobs_fd_.get(), ShardName(sha256), create);
  if (!shard.ok() && shard.status().code() == Code::kNotFound)
    return NotFound("no blob " + std::string(sha256));
  return shard;
}

Result<BlobInfo> BlobDir::Stat(std::string_view sha256) const {
  YARD_ASSIGN_OR_RETURN(UniqueFd shard, OpenShard(sha256, false));
  struct stat st {};
  if (::fstatat(shard.get(), LeafName(sha256).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG(st.st_mode))
    return NotFound("no blob " + std::string(sha256));
  return BlobInfo{std::string(sha256), static_cast<uint64_t>(st.st_size)};
}

Result<UniqueFd> BlobDir::OpenRead(std::string_view sha256, uint64_t* size) const {
  YARD_ASSIGN_OR_RETURN(UniqueFd shard, OpenShard(sha256, false));
  UniqueFd fd(::openat(shard.get(), LeafName(sha256).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    int e = errno;
    if (e == ENOENT) return NotFound("no blob " + std::string(sha256));
    if (e == ELOOP) return InvalidArgument("blob " + std::string(sha256) + " is a symbolic link");
    return ErrnoError("cannot open blob " + std::string(sha256), e);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return Internal("blob " + std::string(sha256) + " is not a regular file");
  if (size) *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

Result<bool> BlobDir::Adopt(TempFile file, std::string_view sha256) {
  YARD_ASSIGN_OR_RETURN(UniqueFd shard, OpenShard(sha256, true));
  std::string leaf = LeafName(sha256);
  struct stat st {};
  if (::fstatat(shard.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
    Touch(sha256);
    return false;  // `file` goes away with this scope: the bytes were already here
  }
  if (::fchmod(file.fd(), 0444) != 0) return ErrnoError("cannot make the blob read-only", errno);
  // Two uploads of the same content may race here; both renames put identical bytes in place.
  YARD_RETURN_IF_ERROR(file.CommitAt(shard.get(), leaf));
  if (::fsync(shard.get()) != 0) return ErrnoError("cannot fsync the blob folder", errno);
  return true;
}

void BlobDir::Touch(std::string_view sha256) {
  auto shard = OpenShard(sha256, false);
  if (!shard.ok()) return;
  // Only the time matters; a failure just leaves the blob's age as it was.
  ::utimensat(shard->get(), LeafName(sha256).c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
}

Result<GcStats> BlobDir::RemoveUnreferenced(const std::unordered_set<std::string>& live,
                                            std::chrono::seconds min_age) {
  GcStats stats;
  const time_t cutoff = static_cast<time_t>(NowMicros() / 1000000) - min_age.count();
  for (const std::string& shard_name : ReadNames(blobs_fd_.get())) {
    UniqueFd shard(::openat(blobs_fd_.get(), shard_name.c_str(),
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!shard.valid()) continue;
    for (const std::string& leaf : ReadNames(shard.get())) {
      std::string sha = shard_name + leaf;
      if (!IsSha256Hex(sha)) continue;  // not ours: leave it alone
      struct stat st {};
      if (::fstatat(shard.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (live.count(sha) || st.st_mtime > cutoff) {
        ++stats.blobs_kept;
        continue;
      }
      if (::unlinkat(shard.get(), leaf.c_str(), 0) == 0) {
        ++stats.blobs_removed;
        stats.bytes_freed += static_cast<uint64_t>(st.st_size);
      }
    }
  }
  return stats;
}

}  // namespace yard
