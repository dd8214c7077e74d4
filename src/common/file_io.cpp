#include "common/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/unique_fd.h"

namespace yard {

Status WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", errno);
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> ReadAllFd(int fd, size_t max_bytes, const std::string& what) {
  std::string out;
  char buf[1 << 14];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read " + what, errno);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes)
      return TooLarge(what + " is over " + std::to_string(max_bytes) + " bytes");
  }
  return out;
}

Result<std::string> ReadSmallFile(int dir_fd, const std::string& name, size_t max_bytes) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    int e = errno;
    if (e == ENOENT) return NotFound(name + " does not exist");
    if (e == ELOOP) return InvalidArgument(name + " is a symbolic link");
    return ErrnoError("cannot open " + name, e);
  }
  return ReadAllFd(fd.get(), max_bytes, name);
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  return ReadSmallFile(AT_FDCWD, path, max_bytes);
}

}  // namespace yard
