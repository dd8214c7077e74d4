#include "files/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace yard {

Result<size_t> PreadFull(int fd, void* data, size_t size, uint64_t offset) {
  char* p = static_cast<char*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("cannot open folder " + dir, errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("cannot fsync folder " + dir, errno);
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IoError("cannot create folder " + path + ": " + ec.message());
  return Status::Ok();
}

Result<UniqueFd> OpenDirNoFollow(int dir_fd, std::string_view rel, bool create) {
  UniqueFd cur(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return ErrnoError("cannot open folder", errno);
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string part(rel.substr(start, end - start));
    std::string so_far(rel.substr(0, end));
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return InvalidArgument("'" + so_far + "' has a '..' component");
    for (int attempt = 0;; ++attempt) {
      int fd = ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        cur.Reset(fd);
        break;
      }
      int e = errno;
      if (e == ENOENT && create && attempt == 0) {
        if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
          return ErrnoError("cannot create folder '" + so_far + "'", errno);
        continue;  // another thread may have made it: open whatever is there now
      }
      if (e == ENOENT) return NotFound("'" + so_far + "' does not exist");
      struct stat st {};
      if (::fstatat(cur.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
          return InvalidArgument("'" + so_far +
                                 "' is a symbolic link in the store; links are not followed, "
                                 "since they could lead outside it");
        if (!S_ISDIR(st.st_mode)) return Conflict("'" + so_far + "' is a file, not a folder");
      }
      return ErrnoError("cannot open folder '" + so_far + "'", e);
    }
  }
  return cur;
}

Result<TempFile> TempFile::Create(const std::string& dir, const std::string& prefix) {
  std::string pattern = dir + "/" + prefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot create a temporary file in " + dir, errno);
  TempFile t;
  t.fd_.Reset(fd);
  t.path_ = buf.data();
  return t;
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::exchange(other.path_, {})) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    Discard();
    fd_ = std::move(other.fd_);
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TempFile::~TempFile() { Discard(); }

void TempFile::Discard() {
  fd_.Reset();
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

void TempFile::Release() {
  fd_.Reset();
  path_.clear();
}

Status TempFile::CommitAt(int target_dir_fd, const std::string& name) {
  if (path_.empty()) return Internal("temporary file committed twice");
  if (::fsync(fd_.get()) != 0) return ErrnoError("cannot fsync " + path_, errno);
  if (::renameat(AT_FDCWD, path_.c_str(), target_dir_fd, name.c_str()) != 0) {
    int e = errno;
    if (e == EISDIR) return Conflict("'" + name + "' is a folder");
    return ErrnoError("cannot rename " + path_ + " to " + name, e);
  }
  path_.clear();
  fd_.Reset();
  return Status::Ok();
}

Status TempFile::CommitTo(const std::string& target_path) {
  return CommitAt(AT_FDCWD, target_path);
}

Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode) {
  std::string dir(ParentOf(path));
  if (dir.empty()) dir = ".";
  YARD_ASSIGN_OR_RETURN(TempFile tmp,
                        TempFile::Create(dir, "." + std::string(BaseName(path)) + ".tmp-"));
  YARD_RETURN_IF_ERROR(WriteAll(tmp.fd(), content.data(), content.size()));
  if (::fchmod(tmp.fd(), mode) != 0) return ErrnoError("cannot chmod " + tmp.path(), errno);
  YARD_RETURN_IF_ERROR(tmp.CommitTo(path));
  return FsyncDir(dir);
}

Status RemoveTree(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return Status::Ok();
  // Read-only folders cannot lose their entries: open them up first (never through links).
  if (fs::is_directory(fs::symlink_status(path, ec))) {
    ::chmod(path.c_str(), 0755);
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
    }
  }
  fs::remove_all(path, ec);
  if (ec) return IoError("cannot remove " + path + ": " + ec.message());
  return Status::Ok();
}

std::string_view ParentOf(std::string_view rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string_view::npos) return {};
  return slash == 0 ? rel.substr(0, 1) : rel.substr(0, slash);
}

std::string_view BaseName(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? rel : rel.substr(slash + 1);
}

}  // namespace yard
