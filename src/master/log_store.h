// Job logs as files, one per job (every attempt appended in turn), readable while they grow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace yard {

class LogStore {
 public:
  explicit LogStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Status Init();

  Status Append(int64_t job_id, const std::string& data);
  // Up to `max` bytes from `offset`; empty past the end.
  Result<std::string> Read(int64_t job_id, int64_t offset, int64_t max) const;

 private:
  std::filesystem::path PathOf(int64_t job_id) const;
  std::filesystem::path dir_;
};

}  // namespace yard
