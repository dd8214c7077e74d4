#include "sched/backfill.h"

#include <algorithm>
#include <tuple>

namespace yard::sched {
namespace {

// When a pool will have `n` GPUs free, as far as the timeouts of its jobs tell.
double FreeAt(const Pool& pool, int n, const Cluster& cluster, const RunningIndex& running) {
  int avail = static_cast<int>(pool.free.size());
  if (avail >= n) return cluster.now;
  std::vector<std::pair<double, int>> ends;  // (expected end, GPUs)
  for (auto [id, gpus] : pool.jobs) {
    int pos = running.Find(id);
    double end = kNever;
    if (pos >= 0) {
      const RunningJob& r = cluster.running[pos];
      if (r.draining)
        end = cluster.now;
      else if (r.timeout > 0)
        end = std::max(cluster.now, r.start_time + r.timeout);
    }
    ends.push_back({end, gpus});
  }
  std::sort(ends.begin(), ends.end());
  for (auto [end, gpus] : ends) {
    avail += gpus;
    if (avail >= n) return end;
  }
  return kNever;
}

}  // namespace

double ReserveFor(const PendingJob& job, const std::vector<int>& models, const Cluster& cluster,
                  const RunningIndex& running, GpuPools& pools) {
  const int n = job.gpus;
  // (start, -free, pool): earliest start, then the pool closest to ready, then the lowest.
  using Key = std::tuple<double, int, int>;
  for (int model : models) {
    if (n > pools.TotalCapacity(model)) continue;
    std::vector<Key> keys;
    for (int p : pools.PoolsOfModel(model)) {
      const Pool& pool = pools.pools()[p];
      if (pool.reserved) continue;
      int free = static_cast<int>(pool.free.size());
      if (n <= pools.MaxCapacity(model)) {
        if (pool.capacity >= n) keys.push_back({FreeAt(pool, n, cluster, running), -free, p});
      } else {
        keys.push_back({FreeAt(pool, pool.capacity, cluster, running), -free, p});
      }
    }
    std::sort(keys.begin(), keys.end());
    if (n <= pools.MaxCapacity(model)) {
      if (keys.empty()) continue;
      auto [start, neg_free, p] = keys.front();
      pools.Reserve(p, start);
      return start;
    }
    int sum = 0;
    double start = cluster.now;
    std::vector<int> chosen;
    for (auto [at, neg_free, p] : keys) {
      if (sum >= n) break;
      chosen.push_back(p);
      sum += pools.pools()[p].capacity;
      start = std::max(start, at);
    }
    if (sum < n) continue;
    for (int p : chosen) pools.Reserve(p, start);
    return start;
  }
  return -1;
}

}  // namespace yard::sched
