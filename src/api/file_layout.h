// Where a job's files live on the file server. The worker uploads and fetches there, the
// master answers `yard show` from there and tells a worker whether a checkpoint exists: one
// layout, so the two sides never disagree.
#pragma once

#include <cstdint>
#include <string>

namespace yard {

// The outputs of every attempt of a job: "outputs/job-ID".
std::string OutputsFolder(int64_t job_id);

// A job's checkpoint folder: "checkpoints/job-ID", or for a trial of a sweep
// "checkpoints/sweep-S-trial-T", shared by the trial's jobs so that a promoted run resumes.
// `trial` < 0 or `sweep_id` <= 0: a lone job.
std::string CheckpointFolder(int64_t job_id, int64_t sweep_id, int64_t trial);

}  // namespace yard
