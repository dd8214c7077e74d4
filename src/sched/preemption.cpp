#include "sched/preemption.h"

#include <algorithm>

#include "sched/ordering.h"

namespace yard::sched {

PreemptionPlanner::PreemptionPlanner(const Cluster& cluster, const PolicyConfig& config,
                                     const RunningIndex& running)
    : cluster_(cluster), config_(config), running_(running) {
  size_t n = cluster.running.size();
  rank_.resize(n);
  eligible_.assign(n, 0);
  used_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const RunningJob& r = cluster.running[i];
    rank_[i] = PreemptionRank(r.priority, r.attained_gpu_seconds, config);
    if (r.draining) {
      ++draining_;
      continue;
    }
    if (!r.preemptible || cluster.now - r.start_time < config.min_run_s) continue;
    eligible_[i] = 1;
    lowest_rank_ = std::min(lowest_rank_, rank_[i]);
  }
}

bool PreemptionPlanner::MayHelp(double rank) const {
  return draining_ > 0 || rank >= lowest_rank_ + config_.preempt_margin;
}

int PreemptionPlanner::Offer(const Pool& pool, double rank, std::vector<Candidate>& victims) const {
  int avail = static_cast<int>(pool.free.size());
  victims.clear();
  for (auto [id, gpus] : pool.jobs) {
    int pos = running_.Find(id);
    if (pos < 0 || used_[pos]) continue;
    if (cluster_.running[pos].draining) {
      avail += gpus;
    } else if (eligible_[pos] && rank >= rank_[pos] + config_.preempt_margin) {
      victims.push_back({pos, gpus});
    }
  }
  // Lowest rank first; among equals the latest started, which loses the least work.
  std::sort(victims.begin(), victims.end(), [&](const Candidate& a, const Candidate& b) {
    if (rank_[a.pos] != rank_[b.pos]) return rank_[a.pos] < rank_[b.pos];
    const RunningJob& x = cluster_.running[a.pos];
    const RunningJob& y = cluster_.running[b.pos];
    if (x.start_time != y.start_time) return x.start_time > y.start_time;
    return x.id < y.id;
  });
  return avail;
}

bool PreemptionPlanner::Plan(const PendingJob& job, const std::vector<int>& models, GpuPools& pools,
                             std::vector<int64_t>& preempted) {
  double rank = PreemptionRank(job.priority, job.attained_gpu_seconds, config_);
  if (!MayHelp(rank)) return false;
  std::vector<Candidate> victims;
  struct Choice {
    std::vector<int> pools;
    std::vector<int> victims;  // positions
    long cost = -1;            // GPUs of the victims
  };
  Choice best;
  auto consider = [&](Choice&& c) {
    if (best.cost < 0 || c.cost < best.cost) best = std::move(c);
  };
  for (int model : models) {
    const int n = job.gpus;
    if (n <= pools.MaxCapacity(model)) {
      for (int p : pools.PoolsOfModel(model)) {
        const Pool& pool = pools.pools()[p];
        if (pool.reserved || pool.capacity < n) continue;
        int avail = Offer(pool, rank, victims);
        Choice c{{p}, {}, 0};
        for (const Candidate& v : victims) {
          if (avail >= n) break;
          avail += v.gpus;
          c.victims.push_back(v.pos);
          c.cost += cluster_.running[v.pos].gpus;
        }
        if (avail >= n) consider(std::move(c));
        if (best.cost == 0) break;
      }
    } else {
      // A gang: the pools that can offer the most, until they add up.
      std::vector<std::pair<int, int>> offers;  // (GPUs on offer, pool)
      for (int p : pools.PoolsOfModel(model)) {
        const Pool& pool = pools.pools()[p];
        if (pool.reserved) continue;
        int avail = Offer(pool, rank, victims);
        for (const Candidate& v : victims) avail += v.gpus;
        if (avail > 0) offers.push_back({-avail, p});
      }
      std::sort(offers.begin(), offers.end());
      int need = n;
      Choice c{{}, {}, 0};
      for (auto [neg, p] : offers) {
        if (need <= 0) break;
        int avail = Offer(pools.pools()[p], rank, victims);
        for (const Candidate& v : victims) {  // a gang victim chosen in an earlier pool is free
          if (std::find(c.victims.begin(), c.victims.end(), v.pos) != c.victims.end())
            avail += v.gpus;
        }
        for (const Candidate& v : victims) {
          if (avail >= need) break;
          if (std::find(c.victims.begin(), c.victims.end(), v.pos) != c.victims.end()) continue;
          avail += v.gpus;
          c.victims.push_back(v.pos);
          c.cost += cluster_.running[v.pos].gpus;
        }
        c.pools.push_back(p);
        need -= std::min(avail, need);
      }
      if (need <= 0) consider(std::move(c));
    }
    if (best.cost == 0) break;
  }
  if (best.cost < 0) return false;
  int to_hold = job.gpus;
  for (int p : best.pools) {
    const Pool& pool = pools.pools()[p];
    for (auto [id, gpus] : pool.jobs) {
      int pos = running_.Find(id);
      if (pos >= 0 && cluster_.running[pos].draining) used_[pos] = 1;
    }
    int held = std::min(to_hold, static_cast<int>(pool.free.size()));
    pools.Hold(p, held);
    to_hold -= held;
  }
  for (int pos : best.victims) {
    used_[pos] = 1;
    preempted.push_back(cluster_.running[pos].id);
  }
  return true;
}

double PreemptionPlanner::NextChange() const {
  double next = kNever;
  for (size_t i = 0; i < cluster_.running.size(); ++i) {
    const RunningJob& r = cluster_.running[i];
    if (!r.preemptible || r.draining || r.gpus <= 0) continue;
    double ready = r.start_time + config_.min_run_s;
    if (ready > cluster_.now) {
      next = std::min(next, ready);
      continue;
    }
    int level = ServiceLevel(r.attained_gpu_seconds, config_);
    if (level + 1 < config_.service_levels && config_.service_weight > 0) {
      double at = ServiceLevelStart(level + 1, config_);
      next = std::min(next, cluster_.now + std::max(0.0, at - r.attained_gpu_seconds) / r.gpus);
    }
  }
  return next;
}

}  // namespace yard::sched
