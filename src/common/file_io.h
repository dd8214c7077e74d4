// Whole reads and writes on file descriptors, retried on EINTR, for every layer that keeps
// small files of its own (the worker's journal, the file server's manifests, fake GPU usage).
// All return Status; none throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace yard {

Status WriteAll(int fd, const void* data, size_t size);
inline Status WriteAll(int fd, std::string_view text) {
  return WriteAll(fd, text.data(), text.size());
}

// The whole file, refused (TooLarge) past max_bytes: for small files only (manifests, index,
// journals). `what` names it in errors.
Result<std::string> ReadAllFd(int fd, size_t max_bytes, const std::string& what);

// Opens `name` under `dir_fd` without following a final symbolic link (InvalidArgument) and
// reads it whole; NotFound when it does not exist, so callers can tell "no file" from a broken one.
Result<std::string> ReadSmallFile(int dir_fd, const std::string& name, size_t max_bytes);
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

}  // namespace yard
