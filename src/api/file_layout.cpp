#include "api/file_layout.h"

namespace yard {

std::string OutputsFolder(int64_t job_id) { return "outputs/job-" + std::to_string(job_id); }

std::string CheckpointFolder(int64_t job_id, int64_t sweep_id, int64_t trial) {
  if (sweep_id > 0 && trial >= 0)
    return "checkpoints/sweep-" + std::to_string(sweep_id) + "-trial-" + std::to_string(trial);
  return "checkpoints/job-" + std::to_string(job_id);
}

}  // namespace yard
