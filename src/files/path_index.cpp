#include "files/path_index.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "files/fs_util.h"
#include "files/sha256.h"

namespace yard {
namespace {

constexpr size_t kMaxEntryBytes = 4096;

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// On disk an entry does not repeat its path: the file's place says it.
std::string EntryFileJson(const FileEntry& e) {
  Json j = {{"sha256", e.sha256},
            {"size", e.size},
            {"mtime_us", e.mtime},
            {"kind", e.kind == EntryKind::kSnapshot ? "snapshot" : "file"}};
  return j.dump();
}

Result<FileEntry> ParseEntryFile(const std::string& path, const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("sha256") || !j["sha256"].is_string() ||
      !IsSha256Hex(j["sha256"].get<std::string>()) || !j.contains("size") ||
      !j["size"].is_number_unsigned() || !j.contains("mtime_us") ||
      !j["mtime_us"].is_number_integer())
    return Internal("the index entry of '" + path + "' is damaged");
  FileEntry e;
  e.path = path;
  e.sha256 = j["sha256"].get<std::string>();
  e.size = j["size"].get<uint64_t>();
  e.mtime = j["mtime_us"].get<int64_t>();
  e.kind = j.contains("kind") && j["kind"] == "snapshot" ? EntryKind::kSnapshot : EntryKind::kFile;
  return e;
}

Status SymlinkRefused(const std::string& path) {
  return InvalidArgument("'" + path +
                         "' is a symbolic link in the store; links are not followed, since "
                         "they could lead outside it");
}

// Reads the entry file `name` in `dir_fd`; `path` is its store path, for messages.
Result<FileEntry> ReadEntry(int dir_fd, const std::string& name, const std::string& path) {
  // O_NONBLOCK: a FIFO planted in the index must not hang the server.
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    int e = errno;
    if (e == ENOENT) return NotFound("no file '" + path + "' in the store");
    if (e == ELOOP) return SymlinkRefused(path);
    return ErrnoError("cannot open the index entry of '" + path + "'", e);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat '" + path + "'", errno);
  if (S_ISDIR(st.st_mode))
    return NotFound("'" + path + "' is a folder, not a file (list it with ?prefix=)");
  if (!S_ISREG(st.st_mode)) return InvalidArgument("'" + path + "' is not a regular file");
  YARD_ASSIGN_OR_RETURN(std::string text, ReadAllFd(fd.get(), kMaxEntryBytes, "'" + path + "'"));
  return ParseEntryFile(path, text);
}

// The parent folder of `path` under the index, for reading: a parent that is missing or a file
// means the path is not there.
Result<UniqueFd> OpenParentForRead(int index_fd, const std::string& path) {
  auto dir = OpenDirNoFollow(index_fd, ParentOf(path), /*create=*/false);
  if (!dir.ok() &&
      (dir.status().code() == Code::kNotFound || dir.status().code() == Code::kConflict))
    return NotFound("no file '" + path + "' in the store");
  return dir;
}

}  // namespace

Result<PathIndex> PathIndex::Open(const std::string& index_dir, const std::string& tmp_dir) {
  PathIndex index;
  index.index_fd_.Reset(::open(index_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!index.index_fd_.valid()) return ErrnoError("cannot open " + index_dir, errno);
  index.tmp_dir_ = tmp_dir;
  return index;
}

Result<FileEntry> PathIndex::Get(const std::string& path) const {
  YARD_ASSIGN_OR_RETURN(UniqueFd dir, OpenParentForRead(index_fd_.get(), path));
  return ReadEntry(dir.get(), std::string(BaseName(path)), path);
}

Result<bool> PathIndex::Exists(const std::string& path) const {
  auto dir = OpenParentForRead(index_fd_.get(), path);
  if (!dir.ok()) {
    if (dir.status().code() == Code::kNotFound) return false;
    return dir.status();
  }
  struct stat st {};
  if (::fstatat(dir->get(), std::string(BaseName(path)).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoError("cannot look up '" + path + "' in the index", errno);
  }
  if (S_ISLNK(st.st_mode)) return SymlinkRefused(path);
  return S_ISDIR(st.st_mode) || S_ISREG(st.st_mode);
}

Status PathIndex::Put(const FileEntry& entry) {
  YARD_ASSIGN_OR_RETURN(UniqueFd dir,
                        OpenDirNoFollow(index_fd_.get(), ParentOf(entry.path), /*create=*/true));
  YARD_ASSIGN_OR_RETURN(TempFile tmp, TempFile::Create(tmp_dir_, "entry-"));
  std::string text = EntryFileJson(entry);
  YARD_RETURN_IF_ERROR(WriteAll(tmp.fd(), text.data(), text.size()));
  std::string name(BaseName(entry.path));
  struct stat st {};
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
    return Conflict("'" + entry.path + "' is a folder in the store; it cannot also be a file");
  Status s = tmp.CommitAt(dir.get(), name);
  if (!s.ok())
    return s.code() == Code::kConflict ? Conflict("'" + entry.path + "' is a folder") : s;
  if (::fsync(dir.get()) != 0) return ErrnoError("cannot fsync the index", errno);
  return Status::Ok();
}

Status PathIndex::Remove(const std::string& path) {
  YARD_ASSIGN_OR_RETURN(UniqueFd dir, OpenParentForRead(index_fd_.get(), path));
  std::string name(BaseName(path));
  struct stat st {};
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return NotFound("no file '" + path + "' in the store");
  if (S_ISDIR(st.st_mode))
    return Conflict("'" + path + "' is a folder; delete the files in it one by one");
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0)
    return ErrnoError("cannot delete '" + path + "'", errno);
  if (::fsync(dir.get()) != 0) return ErrnoError("cannot fsync the index", errno);
  // Folders exist only to hold files: drop the ones this leaves empty, deepest first.
  for (std::string_view folder = ParentOf(path); !folder.empty(); folder = ParentOf(folder)) {
    auto parent = OpenDirNoFollow(index_fd_.get(), ParentOf(folder), /*create=*/false);
    if (!parent.ok()) break;
    if (::unlinkat(parent->get(), std::string(BaseName(folder)).c_str(), AT_REMOVEDIR) != 0)
      break;  // not empty (or someone just wrote into it): it stays
  }
  return Status::Ok();
}

Status PathIndex::Walk(const std::string& prefix, bool recursive,
                       const std::function<Status(FileEntry)>& fn,
                       std::vector<std::string>* dirs) const {
  auto dir = OpenDirNoFollow(index_fd_.get(), prefix, /*create=*/false);
  if (!dir.ok() && dir.status().code() == Code::kConflict)
    return NotFound("'" + prefix + "' is a file, not a folder");
  if (!dir.ok()) return dir.status();
  return WalkDir(dir->get(), prefix, recursive, fn, dirs);
}

Status PathIndex::WalkDir(int dir_fd, const std::string& rel, bool recursive,
                          const std::function<Status(FileEntry)>& fn,
                          std::vector<std::string>* dirs) const {
  // fdopendir takes the fd it is given: hand it a duplicate so `dir_fd` stays the caller's.
  int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return ErrnoError("cannot list '" + rel + "'", errno);
  DIR* d = ::fdopendir(dup_fd);
  if (!d) {
    ::close(dup_fd);
    return ErrnoError("cannot list '" + rel + "'", errno);
  }
  ::rewinddir(d);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* de = ::readdir(d)) {
    std::string name = de->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int read_errno = errno;
  ::closedir(d);
  if (read_errno != 0) return ErrnoError("cannot list '" + rel + "'", read_errno);
  std::sort(names.begin(), names.end());

  for (const auto& name : names) {
    std::string path = Join(rel, name);
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // just removed
    if (S_ISDIR(st.st_mode)) {
      if (dirs) dirs->push_back(name);
      if (!recursive) continue;
      UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) continue;  // removed meanwhile
      YARD_RETURN_IF_ERROR(WalkDir(sub.get(), path, recursive, fn, nullptr));
    } else if (S_ISREG(st.st_mode)) {
      auto entry = ReadEntry(dir_fd, name, path);
      if (!entry.ok() && entry.status().code() == Code::kNotFound) continue;  // removed meanwhile
      if (!entry.ok()) return entry.status();
      YARD_RETURN_IF_ERROR(fn(std::move(*entry)));
    }
    // Symbolic links and special files are not the store's: skipped.
  }
  return Status::Ok();
}

}  // namespace yard
