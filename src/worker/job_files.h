// A job's files on the file server, as the worker moves them: its code snapshot and datasets
// in before it starts (cached by hash on this machine, read-only), its checkpoint folder in
// and out (so a retry, a preemption or a promotion on any worker resumes from it), and its
// outputs out when it ends.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "api/protocol.h"
#include "common/status.h"
#include "worker/worker_paths.h"

namespace yard {

class JobFiles {
 public:
  using LogFn = std::function<void(std::string_view line)>;

  JobFiles(std::string master_url, WorkerPaths paths)
      : master_url_(std::move(master_url)), paths_(std::move(paths)) {}

  // Fetches the code snapshot (to CodeDir) and the datasets (under DataDir) the job names, and
  // the checkpoint folder the file server holds for it (not asked for when the assignment says
  // there is none), logging what moved.
  Status FetchInputs(const Assignment& a, const LogFn& log) const;

  // Sends the job's outputs and its checkpoint folder to the file server.
  Status UploadResults(const Assignment& a, const LogFn& log) const;

 private:
  Status FetchCheckpoint(const Assignment& a, const LogFn& log) const;
  std::string master_url_;
  WorkerPaths paths_;
};

}  // namespace yard
