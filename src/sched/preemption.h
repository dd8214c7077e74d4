// Preemption: which running jobs a waiting job may stop to start sooner. A victim must be
// preemptible, have run `min_run_s` since its start, and rank (priority and service level)
// at least `preempt_margin` below the waiting job. Jobs already draining (told to stop in an
// earlier pass) are counted as GPUs on their way, free of charge, so a pass never preempts
// twice for the same job.
#pragma once

#include <cstdint>
#include <vector>

#include "sched/cluster.h"
#include "sched/gpu_pools.h"
#include "sched/policy_config.h"
#include "sched/running_index.h"

namespace yard::sched {

class PreemptionPlanner {
 public:
  PreemptionPlanner(const Cluster& cluster, const PolicyConfig& config,
                    const RunningIndex& running);

  // Whether any job of `rank` could find a victim or a draining job at all (a cheap bound that
  // lets a pass stop walking the queue).
  bool MayHelp(double rank) const;

  // Plans room for `job` among `models`: on success, appends the new victims to `preempted`,
  // holds the free GPUs of the chosen pools so the rest of the pass leaves them alone, and
  // returns true. The job itself starts in a later pass, once its victims have drained.
  bool Plan(const PendingJob& job, const std::vector<int>& models, GpuPools& pools,
            std::vector<int64_t>& preempted);

  // The earliest time after `now` at which a running job becomes a possible victim (its minimum
  // run ends, or it enters a lower service level); kNever if none.
  double NextChange() const;

 private:
  struct Candidate {
    int pos;   // in Cluster::running
    int gpus;  // its GPUs in the pool at hand
  };
  // Collects what one pool offers; returns the GPUs that free + draining give.
  int Offer(const Pool& pool, double rank, std::vector<Candidate>& victims) const;

  const Cluster& cluster_;
  const PolicyConfig& config_;
  const RunningIndex& running_;
  std::vector<double> rank_;
  std::vector<char> eligible_;  // a possible victim
  std::vector<char> used_;      // already a victim, or draining GPUs already counted, this pass
  double lowest_rank_ = kNever;
  int draining_ = 0;
};

}  // namespace yard::sched
