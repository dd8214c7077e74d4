#include "worker/spare_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/unique_fd.h"

namespace yard {
namespace fs = std::filesystem;

namespace {

// Enough for every folder and log of a few hundred jobs at once; past it, emptied ones stay.
constexpr size_t kMaxSpares = 1024;

bool IsEmptyDir(const fs::path& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  bool empty = true;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

const char* KindName(SpareKind kind) { return kind == SpareKind::kFolder ? "folder" : "file"; }

}  // namespace

SparePool::SparePool(fs::path spare_dir) : spare_dir_(std::move(spare_dir)) {}

bool SparePool::Init() {
  if (init_tried_) return initialised_;
  init_tried_ = true;
  std::error_code ec;
  fs::create_directories(spare_dir_, ec);
  struct stat st {};
  if (ec || ::lstat(spare_dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    spdlog::warn("worker: no spares in {} ({}): every job's folders and log are made anew",
                 spare_dir_.string(), ec ? ec.message() : std::strerror(errno));
    return false;
  }
  // The spare folder was made like any other, so it shows what a new one gets.
  folder_mode_ = st.st_mode & 07777;
  uid_ = st.st_uid;
  gid_ = st.st_gid;
  for (auto it = fs::directory_iterator(spare_dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path path = it->path();
    const std::string name = path.filename().string();
    uint64_t number = 0;
    auto [end, parse_ec] = std::from_chars(name.data(), name.data() + name.size(), number);
    bool kept = false;
    if (parse_ec == std::errc() && end == name.data() + name.size()) {
      next_name_ = std::max(next_name_, number + 1);
      for (SpareKind kind : {SpareKind::kFolder, SpareKind::kFile}) {
        kept = SparesOf(kind).size() < kMaxSpares && Recyclable(path, kind);
        if (kept) {
          SparesOf(kind).push_back(path);
          break;
        }
      }
    }
    if (kept) continue;
    std::error_code rm_ec;
    fs::remove_all(path, rm_ec);  // nothing but spares belongs here
  }
  initialised_ = true;
  return true;
}

bool SparePool::Recyclable(const fs::path& path, SpareKind kind) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return false;
  if (kind == SpareKind::kFolder) {
    if (!S_ISDIR(st.st_mode) || !IsEmptyDir(path)) return false;
  } else if (!S_ISREG(st.st_mode) || st.st_size != 0 || st.st_nlink != 1) {
    return false;  // another name for the file would see the next job's log
  }
  // A job may have been given it (run_as) or changed its mode: the next one gets it as a new
  // one would be.
  const mode_t mode = kind == SpareKind::kFolder ? folder_mode_ : (folder_mode_ & 0666);
  if ((st.st_uid != uid_ || st.st_gid != gid_) && ::lchown(path.c_str(), uid_, gid_) != 0)
    return false;
  if ((st.st_mode & 07777) != mode && ::chmod(path.c_str(), mode) != 0) return false;
  return true;
}

Status SparePool::Create(const fs::path& path, SpareKind kind) {
  std::error_code ec;
  if (kind == SpareKind::kFolder) {
    fs::create_directories(path, ec);
    if (ec) return IoError("create " + path.string() + ": " + ec.message());
    return Status::Ok();
  }
  fs::create_directories(path.parent_path(), ec);
  if (ec) return IoError("create " + path.parent_path().string() + ": " + ec.message());
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return ErrnoError("create " + path.string(), errno);
  return Status::Ok();
}

Status SparePool::Acquire(const fs::path& path, SpareKind kind) {
  std::lock_guard lock(mu_);
  auto [it, added] = held_.try_emplace(path, Held{0, kind});
  Held& held = it->second;
  if (!added) {
    if (held.kind != kind)
      return Internal(path.string() + " is held as a " + KindName(held.kind) + ", not a " +
                      KindName(kind));
    ++held.holders;
    return Status::Ok();
  }
  auto fail = [&](Status s) {
    held_.erase(path);
    return s;
  };
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    const bool fits = kind == SpareKind::kFolder ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
    if (!fits)
      return fail(IoError("create " + path.string() + ": something that is not a " +
                          KindName(kind) + " is there"));
    held.holders = 1;  // kept from an earlier attempt or job: used as it is
    return Status::Ok();
  }
  if (Init()) {
    auto& spares = SparesOf(kind);
    while (!spares.empty()) {
      const fs::path spare = std::move(spares.back());
      spares.pop_back();
      int rc = ::rename(spare.c_str(), path.c_str());
      if (rc != 0 && errno == ENOENT && !fs::exists(path.parent_path())) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        rc = ::rename(spare.c_str(), path.c_str());
      }
      if (rc == 0) {
        held.holders = 1;
        return Status::Ok();
      }
      if (errno != ENOENT) {  // the spare is fine; the target is the trouble
        spares.push_back(spare);
        break;
      }
      // That spare is gone: try the next.
    }
  }
  if (Status made = Create(path, kind); !made.ok()) return fail(made);
  held.holders = 1;
  return Status::Ok();
}

void SparePool::Release(const fs::path& path) {
  std::lock_guard lock(mu_);
  auto it = held_.find(path);
  if (it == held_.end()) return;
  if (--it->second.holders > 0) return;
  const SpareKind kind = it->second.kind;
  held_.erase(it);
  if (!Init() || SparesOf(kind).size() >= kMaxSpares || !Recyclable(path, kind)) return;
  const fs::path spare = spare_dir_ / std::to_string(next_name_++);
  if (::rename(path.c_str(), spare.c_str()) == 0) SparesOf(kind).push_back(spare);
}

size_t SparePool::spares(SpareKind kind) const {
  std::lock_guard lock(mu_);
  return kind == SpareKind::kFolder ? folders_.size() : files_.size();
}

Status SpareLease::Acquire(const fs::path& path, SpareKind kind) {
  YARD_RETURN_IF_ERROR(pool_.Acquire(path, kind));
  held_.push_back(path);
  return Status::Ok();
}

void SpareLease::ReleaseAll() {
  for (const auto& path : held_) pool_.Release(path);
  held_.clear();
}

}  // namespace yard
