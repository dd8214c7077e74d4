// Backfill with a reservation (EASY backfilling): the first job in order that cannot start for
// want of free GPUs gets pools held back for it, and its expected start is computed from the
// running jobs' declared timeouts (a job without one may run for ever, so the start is then
// unknown: kNever). Other jobs use held pools only if they declare a timeout that ends before
// that start, so they never delay it.
#pragma once

#include "sched/cluster.h"
#include "sched/gpu_pools.h"
#include "sched/running_index.h"

namespace yard::sched {

// Reserves pools for `job` among `models` (one pool, or enough for a gang); returns the
// expected start, or -1 if no pool could ever hold it.
double ReserveFor(const PendingJob& job, const std::vector<int>& models, const Cluster& cluster,
                  const RunningIndex& running, GpuPools& pools);

// Whether a job may use a pool reserved for another.
inline bool MayBackfill(const PendingJob& job, const Pool& pool, double now) {
  return job.timeout > 0 && now + job.timeout <= pool.reserved_until;
}

}  // namespace yard::sched
