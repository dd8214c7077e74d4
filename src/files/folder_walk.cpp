#include "files/folder_walk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>

#include "files/store_path.h"

namespace yard {
namespace {

struct Walker {
  std::string root_real;  // realpath of the folder, to judge where links lead
  const IgnoreRules* rules;
  FolderContent out;

  // Whether `target` (a realpath) is the root or inside it.
  bool Inside(const std::string& target) const {
    return target == root_real || target.starts_with(root_real == "/" ? "/" : root_real + "/");
  }

  Status Visit(const std::string& abs_dir, const std::string& rel_dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(abs_dir.c_str()), ::closedir);
    if (!d) return ErrnoError("cannot list " + abs_dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* de = ::readdir(d.get())) {
      std::string name = de->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    if (errno != 0) return ErrnoError("cannot list " + abs_dir, errno);
    std::sort(names.begin(), names.end());

    for (const auto& name : names) {
      std::string abs = abs_dir + "/" + name;
      std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      struct stat st {};
      if (::lstat(abs.c_str(), &st) != 0) continue;  // removed while walking
      bool is_dir = S_ISDIR(st.st_mode);
      if (name == ".git") continue;  // never part of a snapshot, whatever the excludes say
      if (rules && rules->Excluded(rel, is_dir)) continue;

      if (S_ISLNK(st.st_mode)) {
        char buf[PATH_MAX];
        if (!::realpath(abs.c_str(), buf)) {
          out.skipped.push_back(rel + " (a broken symbolic link)");
          continue;
        }
        std::string target = buf;
        if (!Inside(target)) {
          out.skipped.push_back(rel + " (a symbolic link leading outside the folder)");
          continue;
        }
        if (::stat(abs.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
          out.skipped.push_back(rel + " (a symbolic link to a folder or special file)");
          continue;
        }
      } else if (is_dir) {
        YARD_RETURN_IF_ERROR(Visit(abs, rel));
        continue;
      } else if (!S_ISREG(st.st_mode)) {
        out.skipped.push_back(rel + " (not a regular file)");
        continue;
      }
      auto normal = NormalizeStorePath(rel);
      if (!normal.ok() || *normal != rel)
        return InvalidArgument("'" + EscapeForMessage(rel) + "' cannot be stored (" +
                               normal.status().message() +
                               "); rename it or exclude it in .yardignore");
      out.files.push_back(
          LocalFile{rel, abs, static_cast<uint64_t>(st.st_size), (st.st_mode & 0111) != 0});
      out.total_bytes += static_cast<uint64_t>(st.st_size);
    }
    return Status::Ok();
  }
};

}  // namespace

Result<FolderContent> WalkFolder(const std::string& dir, const IgnoreRules* rules,
                                 uint64_t max_bytes) {
  char buf[PATH_MAX];
  if (!::realpath(dir.c_str(), buf)) return ErrnoError("cannot find folder " + dir, errno);
  struct stat st {};
  if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
    return InvalidArgument(dir + " is not a folder");
  Walker w{buf, rules, {}};
  YARD_RETURN_IF_ERROR(w.Visit(buf, ""));
  std::sort(w.out.files.begin(), w.out.files.end(),
            [](const LocalFile& a, const LocalFile& b) { return a.rel < b.rel; });
  if (w.out.total_bytes > max_bytes)
    return TooLarge("the folder " + dir + " holds " + std::to_string(w.out.total_bytes) +
                    " bytes after excludes, over the limit of " + std::to_string(max_bytes) +
                    " bytes; exclude what the job does not need in .yardignore");
  return std::move(w.out);
}

}  // namespace yard
