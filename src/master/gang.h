// A gang: one job over several workers. The job row holds the whole gang (its GPUs name each
// worker; worker_id is rank 0's); the master keeps, per gang attempt, its parts in rank order
// and what each part's worker last said of it. Ranks follow the order of the workers in the
// job's GPU list (the policy's: largest share first), so they survive a master restart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.h"

namespace yard {

struct GangPart {
  int64_t worker_id = 0;  // 0: a worker the master does not know (any more)
  std::string worker_name;
  int rank = 0;
  // What its worker last reported for the gang's current attempt; ASSIGNED: nothing yet.
  JobState reported = JobState::kAssigned;
};

struct Gang {
  int attempt = 0;
  std::vector<GangPart> parts;  // by rank

  // Every part has started (RUNNING, or already SUCCEEDED).
  bool AllStarted() const;
  bool AllSucceeded() const;
  bool AnyReported() const;
  const GangPart* Part(int64_t worker_id) const;
  GangPart* Part(int64_t worker_id);
};

// Whether a job's GPUs are on more than one worker.
bool IsGang(const Job& job);

// The workers of a gang's GPUs, in rank order.
std::vector<std::string> GangWorkerNames(const Job& job);

// The port rank 0 listens on: picked from the job and attempt, so a restarted master gives
// the same one, in a range of its own [kGangPortBase, kGangPortBase + kGangPortSpan).
constexpr int kGangPortBase = 29500;
constexpr int kGangPortSpan = 2000;
int GangPort(int64_t job_id, int attempt);

}  // namespace yard
