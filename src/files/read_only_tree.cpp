#include "files/read_only_tree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "files/fs_util.h"
#include "files/store_path.h"

namespace yard {
namespace {

// a + '/' + b by appends: GCC 12 warns (-Wrestrict, wrongly) about some operator+ chains.
std::string Join(const std::string& a, const std::string& b) {
  std::string out = a;
  out.push_back('/');
  out.append(b);
  return out;
}

}  // namespace

Status BuildReadOnlyTree(const std::vector<TreeFile>& files, const BlobCache& cache,
                         const std::string& target, const TreeOptions& options) {
  std::string_view parent = ParentOf(target);
  if (!parent.empty()) YARD_RETURN_IF_ERROR(MakeDirs(std::string(parent)));
  std::string pattern = target + ".partial-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) return ErrnoError("cannot create a folder beside " + target, errno);
  std::string staging = buf.data();

  auto build = [&]() -> Status {
    std::set<std::string> dirs;
    for (const auto& f : files) {
      // Paths came from outside (a manifest, a listing): check them again before using them.
      YARD_ASSIGN_OR_RETURN(std::string rel, NormalizeStorePath(f.rel));
      for (std::string_view d = ParentOf(rel); !d.empty(); d = ParentOf(d))
        if (!dirs.insert(std::string(d)).second) break;
      std::string dest = Join(staging, rel);
      YARD_RETURN_IF_ERROR(MakeDirs(std::string(ParentOf(dest))));
      YARD_RETURN_IF_ERROR(
          PlaceReadOnly(cache.PathFor(f.sha256), dest, f.executable, options.hard_links));
    }
    // Deepest first, so no folder is closed before its subfolders are done.
    std::vector<std::string> order(dirs.begin(), dirs.end());
    std::sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const auto& d : order)
      if (::chmod(Join(staging, d).c_str(), 0555) != 0)
        return ErrnoError("cannot chmod " + d, errno);
    if (::rename(staging.c_str(), target.c_str()) != 0) {
      int e = errno;
      if (e == ENOTEMPTY || e == EEXIST || e == ENOTDIR)
        return Conflict(target + " already exists and is not an empty folder");
      return ErrnoError("cannot rename " + staging + " to " + target, e);
    }
    if (::chmod(target.c_str(), 0555) != 0) return ErrnoError("cannot chmod " + target, errno);
    return Status::Ok();
  };
  Status s = build();
  if (!s.ok()) (void)RemoveTree(staging);
  return s;
}

}  // namespace yard
