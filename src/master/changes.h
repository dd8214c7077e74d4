// A batch of job changes: written into one transaction, committed, and only then applied to
// the in-memory index, so memory never runs ahead of the database.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "api/types.h"
#include "common/status.h"
#include "master/cluster_state.h"
#include "store/store.h"

namespace yard {

class JobChanges {
 public:
  static Result<JobChanges> Begin(Store& store);

  Transaction& txn() { return *txn_; }

  // Writes the job. When `new_state` differs from the job's state the job moves to it with
  // `reason`, and the move is recorded in the state history.
  Status Put(Job job, JobState new_state, const std::string& reason, Micros now);
  // Writes the job as it is (no state change).
  Status Put(const Job& job);
  // Inserts a new job (setting its id) and records its first state.
  Status Insert(Job& job);

  // The job as this batch leaves it, or null when the batch has not touched it.
  const Job* Find(int64_t job_id) const;

  bool empty() const { return jobs_.empty(); }
  const std::map<int64_t, Job>& jobs() const { return jobs_; }

  // Commits, then applies every written job to `state`.
  Status Commit(ClusterState& state);

 private:
  explicit JobChanges(std::unique_ptr<Transaction> txn) : txn_(std::move(txn)) {}
  std::unique_ptr<Transaction> txn_;
  std::map<int64_t, Job> jobs_;
};

}  // namespace yard
