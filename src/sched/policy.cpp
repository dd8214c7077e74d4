// The queue side of the Scheduler: keeping jobs in order across passes. The pass is in
// pass.cpp, explanations in explain.cpp.
#include "sched/policy.h"

#include "sched/ordering.h"

namespace yard::sched {
namespace {

template <class K>
void Count(std::map<K, int>& counts, const K& key, int delta) {
  auto it = counts.try_emplace(key, 0).first;
  it->second += delta;
  if (it->second == 0) counts.erase(it);
}

}  // namespace

Scheduler::Scheduler(PolicyConfig config)
    : config_(std::move(config)),
      has_quotas_(!config_.user_quota.empty() || !config_.group_quota.empty()) {}

void Scheduler::Enqueue(const PendingJob& job) {
  Remove(job.id);
  // Without fair share every job shares one key, and a pass merges nothing.
  std::string key_name =
      config_.fair_share_weight == 0 ? std::string() : FairShareKey(job.user, job.group, config_);
  auto [it, added] = key_index_.try_emplace(key_name, static_cast<int>(keys_.size()));
  if (added) keys_.push_back(KeyQueue{key_name, {}});
  Entry e{job, it->second, OrderKey{StaticScore(job, config_), job.submit_time, job.id},
          PreemptionRank(job.priority, job.attained_gpu_seconds, config_)};
  keys_[e.key_index].queue.insert(e.order);
  Count(size_count_, job.gpus, 1);
  Count(rank_count_, e.rank, 1);
  if (job.timeout > 0) ++with_timeout_;
  jobs_.emplace(job.id, std::move(e));
}

bool Scheduler::Remove(int64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return false;
  const Entry& e = it->second;
  keys_[e.key_index].queue.erase(e.order);
  Count(size_count_, e.job.gpus, -1);
  Count(rank_count_, e.rank, -1);
  if (e.job.timeout > 0) --with_timeout_;
  jobs_.erase(it);
  return true;
}

const PendingJob* Scheduler::Find(int64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second.job;
}

PassResult RunPass(const Cluster& cluster, const std::vector<PendingJob>& queue,
                   const PolicyConfig& config) {
  Scheduler scheduler(config);
  for (const auto& job : queue) scheduler.Enqueue(job);
  return scheduler.Pass(cluster);
}

}  // namespace yard::sched
