#include "files/blob_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "files/fs_util.h"
#include "files/sha256.h"

namespace yard {
namespace {

Status CopyContent(int in, int out, const std::string& what) {
  std::vector<char> buf(1 << 16);
  while (true) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read " + what, errno);
    if (n == 0) return Status::Ok();
    YARD_RETURN_IF_ERROR(WriteAll(out, buf.data(), static_cast<size_t>(n)));
  }
}

}  // namespace

BlobCache::BlobCache(std::string dir) : dir_(std::move(dir)) {}

std::string BlobCache::PathFor(std::string_view sha256) const {
  return dir_ + "/" + std::string(sha256.substr(0, 2)) + "/" + std::string(sha256.substr(2));
}

Result<uint64_t> BlobCache::Ensure(FileClient& client, const std::string& sha256, uint64_t size,
                                   const ProgressFn& progress) {
  if (!IsSha256Hex(sha256)) return InvalidArgument("'" + sha256 + "' is not a SHA-256");
  std::string path = PathFor(sha256);
  struct stat st {};
  // Files get here only after their hash was checked (FileClient renames them in), so a
  // present file of the right size is the content.
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) == size)
    return uint64_t{0};
  YARD_RETURN_IF_ERROR(MakeDirs(std::string(ParentOf(path))));
  YARD_ASSIGN_OR_RETURN(TransferResult r, client.DownloadBlob(sha256, path, progress));
  if (r.size != size)
    return Internal("content " + sha256 + " has " + std::to_string(r.size) +
                    " bytes, not the expected " + std::to_string(size));
  if (::chmod(path.c_str(), 0444) != 0) return ErrnoError("cannot chmod " + path, errno);
  return r.bytes_moved;
}

Status PlaceReadOnly(const std::string& source, const std::string& target, bool executable,
                     bool allow_link) {
  std::string dir(ParentOf(target));
  if (dir.empty()) dir = ".";
  if (allow_link && !executable) {
    // Link under a fresh unique name, then rename: `target` is replaced whole or not at all.
    YARD_ASSIGN_OR_RETURN(TempFile name, TempFile::Create(dir, ".link-"));
    std::string tmp = name.path();
    name.Discard();  // link() wants a name that is free
    if (::link(source.c_str(), tmp.c_str()) == 0) {
      if (::rename(tmp.c_str(), target.c_str()) == 0) return Status::Ok();
      int e = errno;
      ::unlink(tmp.c_str());
      return ErrnoError("cannot rename " + tmp + " to " + target, e);
    }
    // EXDEV (another file system), EPERM (protected hardlinks), ...: copy instead.
  }
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return ErrnoError("cannot open " + source, errno);
  YARD_ASSIGN_OR_RETURN(TempFile tmp,
                        TempFile::Create(dir, "." + std::string(BaseName(target)) + "."));
  YARD_RETURN_IF_ERROR(CopyContent(in.get(), tmp.fd(), source));
  if (::fchmod(tmp.fd(), executable ? 0555 : 0444) != 0)
    return ErrnoError("cannot chmod " + tmp.path(), errno);
  return tmp.CommitTo(target);
}

}  // namespace yard
