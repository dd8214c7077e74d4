// UniqueFd: sole owner of one file descriptor, closed when the owner goes away. Move-only, so
// an fd has exactly one owner and is closed exactly once.
#pragma once

#include <unistd.h>

#include <utility>

namespace yard {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  ~UniqueFd() { Reset(); }

  bool valid() const { return fd_ >= 0; }
  int get() const { return fd_; }

  // Gives up ownership without closing; the caller now owns the fd.
  int Release() { return std::exchange(fd_, -1); }

  // Closes the fd held now (if any) and takes `fd`. close() is not retried on EINTR: on Linux
  // the fd is released even then, and a retry could close an fd another thread just opened.
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace yard
