#include "sched/gpu_pools.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace yard::sched {
namespace {

bool SameLetters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

bool GpuModelMatches(std::string_view wanted, std::string_view model) {
  if (wanted.empty()) return false;
  if (SameLetters(wanted, model)) return true;
  constexpr std::string_view kVendor = "NVIDIA ";
  if (model.size() > kVendor.size() && SameLetters(model.substr(0, kVendor.size()), kVendor))
    model.remove_prefix(kVendor.size());
  if (model.size() < wanted.size() || !SameLetters(model.substr(0, wanted.size()), wanted))
    return false;
  return model.size() == wanted.size() || model[wanted.size()] == '-' ||
         model[wanted.size()] == ' ';
}

GpuPools::GpuPools(const Cluster& cluster, const PolicyConfig& config) : cluster_(cluster) {
  const int models = static_cast<int>(cluster.models.size());
  model_order_.resize(models);
  std::iota(model_order_.begin(), model_order_.end(), 0);
  if (config.least_capable_first) {
    std::stable_sort(model_order_.begin(), model_order_.end(), [&](int a, int b) {
      const GpuModel& x = cluster.models[a];
      const GpuModel& y = cluster.models[b];
      if (x.compute_capability != y.compute_capability)
        return x.compute_capability < y.compute_capability;
      return x.memory_gb < y.memory_gb;
    });
  }
  by_model_.resize(models);
  // One allocation per list: a pass builds a pool for every worker (8,000 GPUs at scale).
  pools_.reserve(cluster.workers.size());
  for (const Worker& w : cluster.workers) {
    // Pools of this worker by model, in order of first appearance.
    size_t first = pools_.size();
    for (const WorkerGpu& g : w.gpus) {
      if (g.model < 0 || g.model >= models) continue;
      Pool* pool = nullptr;
      for (size_t i = first; i < pools_.size(); ++i)
        if (pools_[i].model == g.model) pool = &pools_[i];
      if (!pool) {
        pools_.push_back(Pool{w.id, g.model, 0, {}, {}, false, kNever});
        pool = &pools_.back();
        pool->free.reserve(w.gpus.size());
        pool->jobs.reserve(w.gpus.size());
      }
      ++pool->capacity;
      if (g.job_id == 0 && g.usable) {
        pool->free.push_back(g.index);
      } else if (g.job_id != 0) {
        auto it = std::find_if(pool->jobs.begin(), pool->jobs.end(),
                               [&](const auto& j) { return j.first == g.job_id; });
        if (it == pool->jobs.end())
          pool->jobs.push_back({g.job_id, 1});
        else
          ++it->second;
      }
    }
  }
  for (int p = 0; p < static_cast<int>(pools_.size()); ++p) {
    Pool& pool = pools_[p];
    std::sort(pool.free.begin(), pool.free.end());
    ModelIndex& m = by_model_[pool.model];
    m.pools.push_back(p);
    m.max_capacity = std::max(m.max_capacity, pool.capacity);
    m.total_capacity += pool.capacity;
    total_gpus_ += pool.capacity;
  }
  for (auto& m : by_model_) m.by_free.resize(m.max_capacity + 1);
  for (int p = 0; p < static_cast<int>(pools_.size()); ++p) Bucket(p, true);
}

void GpuPools::Bucket(int pool, bool in) {
  Pool& p = pools_[pool];
  ModelIndex& m = by_model_[p.model];
  int f = static_cast<int>(p.free.size());
  int sign = in ? 1 : -1;
  m.free += sign * f;
  if (p.reserved) {
    free_reserved_ += sign * f;
    return;
  }
  free_unreserved_ += sign * f;
  if (f == 0) return;
  if (in)
    m.by_free[f].insert(pool);
  else
    m.by_free[f].erase(pool);
}

void GpuPools::AcceptedModels(const PendingJob& job, std::vector<int>& out) const {
  out.clear();
  for (int m : model_order_) {
    const GpuModel& model = cluster_.models[m];
    if (model.memory_gb < job.min_gpu_memory_gb) continue;
    if (model.compute_capability < job.min_compute_capability) continue;
    if (!job.gpu_models.empty() &&
        std::none_of(job.gpu_models.begin(), job.gpu_models.end(), [&](const std::string& wanted) {
          return GpuModelMatches(wanted, model.name);
        }))
      continue;
    out.push_back(m);
  }
}

PoolPick GpuPools::FindGang(int model, int n) const {
  const ModelIndex& m = by_model_[model];
  PoolPick pick;
  int unreserved_free = 0;
  for (int k = 1; k < static_cast<int>(m.by_free.size()); ++k)
    unreserved_free += k * static_cast<int>(m.by_free[k].size());
  if (unreserved_free < n) return pick;
  // Largest holes first gives the fewest pools; the last part goes to the best fit.
  int remaining = n;
  for (int k = static_cast<int>(m.by_free.size()) - 1; k >= 1 && remaining > 0; --k) {
    for (int p : m.by_free[k]) {
      if (remaining <= 0) break;
      if (k <= remaining) {
        pick.parts.push_back({p, k});
        remaining -= k;
        continue;
      }
      for (int k2 = remaining; k2 <= k && remaining > 0; ++k2) {
        for (int p2 : m.by_free[k2]) {
          bool taken = std::any_of(pick.parts.begin(), pick.parts.end(),
                                   [&](const auto& part) { return part.first == p2; });
          if (taken) continue;
          pick.parts.push_back({p2, remaining});
          remaining = 0;
          break;
        }
      }
      break;
    }
  }
  if (remaining > 0) pick.parts.clear();
  return pick;
}

void GpuPools::Take(const PoolPick& pick, Assignment& out) {
  for (auto [p, n] : pick.parts) {
    Bucket(p, false);
    Pool& pool = pools_[p];
    for (int i = 0; i < n; ++i) out.gpus.push_back({pool.worker_id, pool.free[i]});
    pool.free.erase(pool.free.begin(), pool.free.begin() + n);
    Bucket(p, true);
  }
}

void GpuPools::Reserve(int pool, double until) {
  Bucket(pool, false);
  pools_[pool].reserved = true;
  pools_[pool].reserved_until = std::min(pools_[pool].reserved_until, until);
  Bucket(pool, true);
}

void GpuPools::Hold(int pool, int n) {
  Bucket(pool, false);
  Pool& p = pools_[pool];
  n = std::min<int>(n, static_cast<int>(p.free.size()));
  p.free.erase(p.free.begin(), p.free.begin() + n);
  Bucket(pool, true);
}

}  // namespace yard::sched
