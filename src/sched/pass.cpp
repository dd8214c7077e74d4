// One scheduling pass (see policy.h for the order of the rules).
#include <algorithm>
#include <optional>
#include <queue>

#include "sched/backfill.h"
#include "sched/gpu_pools.h"
#include "sched/ordering.h"
#include "sched/policy.h"
#include "sched/preemption.h"
#include "sched/running_index.h"

namespace yard::sched {
namespace {

// What is left of the queue behind the walk, by size and by rank, so the walk knows when no
// remaining job could do anything.
template <class K>
class Remaining {
 public:
  explicit Remaining(const std::map<K, int>& counts) : items_(counts.begin(), counts.end()) {}
  void Pop(const K& key) {
    auto it = std::lower_bound(items_.begin(), items_.end(), std::pair<K, int>{key, 0},
                               [](const auto& a, const auto& b) { return a.first < b.first; });
    if (it != items_.end() && it->first == key) --it->second;
  }
  bool Empty() {
    Trim();
    return lo_ >= hi_;
  }
  const K& Min() {
    Trim();
    return items_[lo_].first;
  }
  const K& Max() {
    Trim();
    return items_[hi_ - 1].first;
  }

 private:
  void Trim() {
    while (lo_ < hi_ && items_[lo_].second <= 0) ++lo_;
    while (hi_ > lo_ && items_[hi_ - 1].second <= 0) --hi_;
  }
  std::vector<std::pair<K, int>> items_;
  size_t lo_ = 0, hi_ = items_.size();
};

int Held(const std::map<std::string, int>& held, const std::string& who) {
  auto it = held.find(who);
  return it == held.end() ? 0 : it->second;
}

int Cap(const std::map<std::string, int>& caps, const std::string& who) {
  auto it = caps.find(who);
  return it == caps.end() ? -1 : it->second;
}

}  // namespace

PassResult Scheduler::Pass(const Cluster& cluster) const { return Walk(cluster, nullptr); }

PassResult Scheduler::Walk(const Cluster& cluster,
                           std::map<int64_t, WaitExplanation>* explain) const {
  PassResult result;
  size_t targets_left = explain ? explain->size() : 0;
  if (jobs_.empty()) return result;
  GpuPools pools(cluster, config_);
  std::optional<RunningIndex> running;
  std::optional<PreemptionPlanner> planner;
  auto running_index = [&]() -> const RunningIndex& {
    if (!running) running.emplace(cluster);
    return *running;
  };
  // The planner costs a sort of the running jobs: only when some could be a victim or is
  // draining (draining jobs were victims, so preemptible).
  if (config_.preemption && std::any_of(cluster.running.begin(), cluster.running.end(),
                                        [](const RunningJob& r) { return r.preemptible; }))
    planner.emplace(cluster, config_, running_index());

  std::map<std::string, int> held_by_user, held_by_group;
  if (has_quotas_) {
    for (const RunningJob& r : cluster.running) {
      held_by_user[r.user] += r.gpus;
      held_by_group[r.group] += r.gpus;
    }
  }

  // Merge the per-key queues: each key's queue is in static order, and the key's fair-share
  // term is the same for all its jobs during the pass.
  struct Head {
    double score;
    const OrderKey* order;
    int key;
    std::set<OrderKey>::const_iterator it;
    bool operator<(const Head& o) const {  // max-heap on the order of OrderKey
      if (score != o.score) return score < o.score;
      if (order->submit != o.order->submit) return order->submit > o.order->submit;
      return order->id > o.order->id;
    }
  };
  std::vector<double> key_term(keys_.size(), 0);
  std::priority_queue<Head> heads;
  for (int k = 0; k < static_cast<int>(keys_.size()); ++k) {
    const KeyQueue& kq = keys_[k];
    if (kq.queue.empty()) continue;
    auto usage = cluster.recent_usage.find(kq.name);
    key_term[k] = FairShareTerm(usage == cluster.recent_usage.end() ? 0 : usage->second,
                                pools.total_gpus(), config_);
    auto it = kq.queue.begin();
    heads.push(Head{it->score + key_term[k], &*it, k, it});
  }

  Remaining<int> sizes(size_count_);
  Remaining<double> ranks(rank_count_);
  int64_t timeouts_left = with_timeout_;
  int preemptors = 0;
  bool reserved = false;
  int64_t position = 0;
  std::vector<int> models;
  // Preemption that failed for a job of rank r and n GPUs fails for every job of rank <= r and
  // n GPUs or more (whatever its models: those are among all models), so it is not planned
  // again in this pass.
  std::vector<std::pair<double, int>> failed;
  auto Dominated = [&](double rank, int gpus) {
    for (auto [r, n] : failed)
      if (rank <= r && gpus >= n) return true;
    return false;
  };

  // Past the point where the pass stops, an explanation walk only counts places: every job
  // there waits, and what it waits for follows from the job alone (static_reason below).
  bool counting = false;
  while (!heads.empty()) {
    if (!counting) {
      bool stop = sizes.Empty();
      if (!stop) {
        int smallest = sizes.Min();
        bool can_place =
            smallest <= pools.free_unreserved() ||
            (timeouts_left > 0 && smallest <= pools.free_unreserved() + pools.free_reserved());
        bool can_preempt = planner && preemptors < config_.max_preemptors_per_pass &&
                           planner->MayHelp(ranks.Max()) && !Dominated(ranks.Max(), smallest);
        stop = !can_place && !can_preempt;
      }
      if (stop) {
        if (targets_left == 0) break;
        counting = true;
      }
    }
    Head head = heads.top();
    heads.pop();
    const Entry& entry = jobs_.at(head.order->id);
    if (auto next = std::next(head.it); next != keys_[head.key].queue.end())
      heads.push(Head{next->score + key_term[head.key], &*next, head.key, next});
    const PendingJob& job = entry.job;
    sizes.Pop(job.gpus);
    ranks.Pop(entry.rank);
    if (job.timeout > 0) --timeouts_left;

    // The reasons that follow from the job and the cluster alone, before any placement.
    bool gang = true;
    auto static_reason = [&]() -> std::optional<WaitReason> {
      if (has_quotas_) {
        int user_cap = Cap(config_.user_quota, job.user);
        int group_cap = Cap(config_.group_quota, job.group);
        if ((user_cap >= 0 && Held(held_by_user, job.user) + job.gpus > user_cap) ||
            (group_cap >= 0 && Held(held_by_group, job.group) + job.gpus > group_cap))
          return WaitReason::kQuota;
      }
      pools.AcceptedModels(job, models);
      if (models.empty()) return WaitReason::kNoMatchingGpu;
      bool fits_cluster = false;
      gang = true;
      for (int m : models) {
        fits_cluster = fits_cluster || job.gpus <= pools.TotalCapacity(m);
        gang = gang && job.gpus > pools.MaxCapacity(m);
      }
      if (!fits_cluster) return WaitReason::kLargerThanCluster;
      if (!config_.gangs) {
        if (gang) return WaitReason::kLargerThanWorker;
        std::erase_if(models, [&](int m) { return job.gpus > pools.MaxCapacity(m); });
      }
      return std::nullopt;
    };
    auto target = explain ? explain->find(job.id) : std::map<int64_t, WaitExplanation>::iterator();
    bool is_target = explain && target != explain->end();
    if (counting) {
      if (is_target) {
        auto r = static_reason();
        target->second.reason = r          ? *r
                                : gang     ? WaitReason::kGangNotSatisfiable
                                : reserved ? WaitReason::kBehindReservation
                                           : WaitReason::kNoFreeGpu;
        target->second.position = position;
        if (--targets_left == 0) break;
      }
      ++position;
      continue;
    }
    auto decide = [&]() {
      if (auto r = static_reason()) return *r;
      for (int m : models) {
        PoolPick pick = pools.Find(m, job.gpus,
                                   [&](const Pool& p) { return MayBackfill(job, p, cluster.now); });
        if (pick.empty()) continue;
        Assignment a{job.id, {}};
        pools.Take(pick, a);
        result.assignments.push_back(std::move(a));
        if (has_quotas_) {
          held_by_user[job.user] += job.gpus;
          held_by_group[job.group] += job.gpus;
        }
        return WaitReason::kStartsNow;
      }
      if (planner && preemptors < config_.max_preemptors_per_pass &&
          !Dominated(entry.rank, job.gpus)) {
        ++preemptors;
        if (planner->Plan(job, models, pools, result.preempted)) {
          result.preempted_for.resize(result.preempted.size(), job.id);
          return WaitReason::kWaitingForPreemption;
        }
        bool all_models =
            job.gpu_models.empty() && job.min_gpu_memory_gb <= 0 && job.min_compute_capability <= 0;
        if (all_models) failed.push_back({entry.rank, job.gpus});
      }
      if (config_.backfill && !reserved) {
        double start = ReserveFor(job, models, cluster, running_index(), pools);
        if (start >= 0) {
          reserved = true;
          result.reserved_for = job.id;
          result.reservation_start = start;
          return WaitReason::kReservedForIt;
        }
      }
      if (gang) return WaitReason::kGangNotSatisfiable;
      return reserved ? WaitReason::kBehindReservation : WaitReason::kNoFreeGpu;
    };
    WaitReason reason = decide();
    if (is_target) {
      target->second.reason = reason;
      target->second.position = position;
      if (--targets_left == 0) break;
    }
    ++position;
  }
  // A job left waiting may become able to preempt with time alone.
  if (planner && result.assignments.size() < jobs_.size()) result.wake_at = planner->NextChange();
  return result;
}

}  // namespace yard::sched
