#include "master/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace yard {

Status LogStore::Init() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return IoError("create " + dir_.string() + ": " + ec.message());
  return Status::Ok();
}

std::filesystem::path LogStore::PathOf(int64_t job_id) const {
  return dir_ / ("job-" + std::to_string(job_id) + ".log");
}

Status LogStore::Append(int64_t job_id, const std::string& data) {
  std::string path = PathOf(job_id).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open " + path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("write " + path, err);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return Status::Ok();
}

Result<std::string> LogStore::Read(int64_t job_id, int64_t offset, int64_t max) const {
  std::string path = PathOf(job_id).string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return ErrnoError("open " + path, errno);
  }
  std::string out(static_cast<size_t>(std::max<int64_t>(0, max)), '\0');
  ssize_t n;
  do {
    n = ::pread(fd, out.data(), out.size(), offset);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) return ErrnoError("read " + path, err);
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace yard
