// The GPUs of the cluster as one pass sees them, indexed for placement. A pool is the GPUs of
// one model on one worker; per model, pools are bucketed by how many GPUs they have free, so
// best fit costs a few bucket lookups instead of a scan of all workers. Built once per pass
// from the Cluster; placements taken during the pass update it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "sched/cluster.h"
#include "sched/policy_config.h"

namespace yard::sched {

struct Pool {
  int64_t worker_id = 0;
  int model = 0;
  int capacity = 0;                           // GPUs of this model on the worker
  std::vector<int> free;                      // usable free GPU indexes, ascending
  std::vector<std::pair<int64_t, int>> jobs;  // running jobs holding GPUs here: (id, GPUs)
  bool reserved = false;                      // held back for the head-of-line job (backfill.h)
  double reserved_until = kNever;             // that job's expected start
};

// Whether a model a job names (`wanted`) accepts a GPU model of the cluster: the same name
// (ignoring case), or its family, so "A100" accepts "A100-80GB" and "NVIDIA A100-SXM4-80GB"
// but not "A1000-8GB": the name, after an optional "NVIDIA " prefix, starts with `wanted`
// followed by '-', ' ' or nothing.
bool GpuModelMatches(std::string_view wanted, std::string_view model);

// Where a job goes: (pool, how many GPUs) pairs.
struct PoolPick {
  std::vector<std::pair<int, int>> parts;
  bool empty() const { return parts.empty(); }
};

class GpuPools {
 public:
  GpuPools(const Cluster& cluster, const PolicyConfig& config);

  // The models whose GPUs `job` accepts (model list, memory, compute capability), in the order
  // the job should try them: least capable first when configured.
  void AcceptedModels(const PendingJob& job, std::vector<int>& out) const;

  // Best fit on one pool (fewest free GPUs that still has n; the lowest pool on ties), or a
  // gang when n is more than any one worker has of the model: all at once, fewest pools. Pools
  // reserved for another job are used only when `reservation_ok(pool)` says so.
  template <class ReservationOk>
  PoolPick Find(int model, int n, ReservationOk reservation_ok) const;

  // Takes the picked GPUs (the lowest free indexes of each pool) and writes them to `out`.
  void Take(const PoolPick& pick, Assignment& out);
  // Takes pools out of the best-fit buckets for a reservation, or gives them back.
  void Reserve(int pool, double until);
  // Claims n free GPUs of a pool for nobody (a job that waits for preempted GPUs to drain).
  void Hold(int pool, int n);

  int free_unreserved() const { return free_unreserved_; }
  int free_reserved() const { return free_reserved_; }
  int total_gpus() const { return total_gpus_; }
  int MaxCapacity(int model) const { return by_model_[model].max_capacity; }
  int TotalCapacity(int model) const { return by_model_[model].total_capacity; }
  int FreeOf(int model) const { return by_model_[model].free; }

  const std::vector<Pool>& pools() const { return pools_; }
  const std::vector<int>& PoolsOfModel(int model) const { return by_model_[model].pools; }

 private:
  struct ModelIndex {
    std::vector<std::set<int>> by_free;  // [k] = unreserved pools with k free GPUs
    std::vector<int> pools;
    int max_capacity = 0, total_capacity = 0, free = 0;
  };
  void Bucket(int pool, bool in);
  PoolPick FindGang(int model, int n) const;

  const Cluster& cluster_;
  std::vector<int> model_order_;  // models, least capable first
  std::vector<Pool> pools_;
  std::vector<ModelIndex> by_model_;
  int free_unreserved_ = 0, free_reserved_ = 0, total_gpus_ = 0;
};

template <class ReservationOk>
PoolPick GpuPools::Find(int model, int n, ReservationOk reservation_ok) const {
  const ModelIndex& m = by_model_[model];
  if (n > m.max_capacity) return FindGang(model, n);
  int best = -1, best_free = 0;
  for (int k = n; k < static_cast<int>(m.by_free.size()); ++k) {
    if (!m.by_free[k].empty()) {
      best = *m.by_free[k].begin();
      best_free = k;
      break;
    }
  }
  if (free_reserved_ > 0) {
    for (int p : m.pools) {
      const Pool& pool = pools_[p];
      int f = static_cast<int>(pool.free.size());
      if (!pool.reserved || f < n || (best >= 0 && f >= best_free)) continue;
      if (!reservation_ok(pool)) continue;
      best = p;
      best_free = f;
    }
  }
  PoolPick pick;
  if (best >= 0) pick.parts.push_back({best, n});
  return pick;
}

}  // namespace yard::sched
