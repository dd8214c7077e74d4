// Small POSIX helpers for the file server and its client: whole writes, durable renames,
// temporary files that remove themselves, and folder walks that never follow a symbolic link.
// All return Status; none throws.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/file_io.h"  // WriteAll, ReadAllFd, ReadSmallFile
#include "common/status.h"
#include "common/unique_fd.h"

namespace yard {

// Reads up to `size` bytes at `offset`; fewer only at the end of the file.
Result<size_t> PreadFull(int fd, void* data, size_t size, uint64_t offset);
// fsync of a folder, so that a rename or a new name in it survives a crash.
Status FsyncDir(const std::string& dir);
// mkdir -p; existing folders are fine.
Status MakeDirs(const std::string& path);

// Opens the folder `rel` under `dir_fd` one component at a time with O_NOFOLLOW, so neither a
// '..' nor a symbolic link can lead out of it. `create` makes missing folders. Errors:
// InvalidArgument for a symbolic link on the way, Conflict for a component that is a file,
// NotFound for a missing one (when not creating). "" opens `dir_fd` itself (a new fd).
Result<UniqueFd> OpenDirNoFollow(int dir_fd, std::string_view rel, bool create);

// A file under a folder that is removed when this object goes away, unless Commit() moved it
// to its final name. An upload that is interrupted (the process dies) leaves only a file under
// the temporary folder, which its owner empties at start.
class TempFile {
 public:
  // Creates `dir`/`prefix`XXXXXX with mode 0600.
  static Result<TempFile> Create(const std::string& dir, const std::string& prefix);
  TempFile() = default;
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  ~TempFile();

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  bool active() const { return !path_.empty(); }

  // fsync, then rename to `target_dir_fd`/`name` (replacing what is there); the file is then
  // no longer this object's to remove. The caller fsyncs the target folder if it must last.
  Status CommitAt(int target_dir_fd, const std::string& name);
  Status CommitTo(const std::string& target_path);
  // Removes the file now (what the destructor would do).
  void Discard();
  // Forgets the file without removing it (the caller moved or kept it); closes the fd.
  void Release();

 private:
  UniqueFd fd_;
  std::string path_;
};

// Writes `content` to `path` atomically: a temporary file beside it, fsync, rename, fsync dir.
Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode = 0644);

// Removes a folder tree, making read-only folders writable first (materialised snapshots are
// 0555). Missing is fine.
Status RemoveTree(const std::string& path);

// "a/b/c" -> "a/b"; "c" -> "".
std::string_view ParentOf(std::string_view rel);
// "a/b/c" -> "c".
std::string_view BaseName(std::string_view rel);

}  // namespace yard
