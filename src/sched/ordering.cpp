#include "sched/ordering.h"

#include <algorithm>
#include <cmath>

namespace yard::sched {

int ServiceLevel(double attained_gpu_seconds, const PolicyConfig& config) {
  int level = 0;
  double start = config.service_first_level_gpu_hours * 3600;
  while (level + 1 < config.service_levels && attained_gpu_seconds >= start) {
    ++level;
    start *= std::max(config.service_level_factor, 1.0 + 1e-9);
  }
  return level;
}

double ServiceLevelStart(int level, const PolicyConfig& config) {
  if (level <= 0) return 0;
  return config.service_first_level_gpu_hours * 3600 *
         std::pow(std::max(config.service_level_factor, 1.0 + 1e-9), level - 1);
}

double StaticScore(const PendingJob& job, const PolicyConfig& config) {
  double s = config.priority_weight * job.priority - config.age_weight * job.submit_time / 3600;
  if (config.size_weight != 0) s -= config.size_weight * std::log2(std::max(job.gpus, 1));
  if (config.service_weight != 0)
    s -= config.service_weight * ServiceLevel(job.attained_gpu_seconds, config);
  if (config.shortest_first_weight != 0 && job.timeout > 0)
    s -= config.shortest_first_weight * std::log2(job.timeout / 3600);
  return s;
}

double FairShareTerm(double usage, int total_gpus, const PolicyConfig& config) {
  if (config.fair_share_weight == 0 || total_gpus <= 0) return 0;
  // A key that used the whole cluster for ever has decayed usage total * half-life / ln 2.
  double full = total_gpus * config.fair_share_half_life_s / std::log(2.0);
  return -config.fair_share_weight * std::min(1.0, usage / full);
}

double Score(const PendingJob& job, double usage, int total_gpus, double now,
             const PolicyConfig& config) {
  return StaticScore(job, config) + config.age_weight * now / 3600 +
         FairShareTerm(usage, total_gpus, config);
}

double PreemptionRank(int priority, double attained_gpu_seconds, const PolicyConfig& config) {
  return config.priority_weight * priority -
         config.service_weight * ServiceLevel(attained_gpu_seconds, config);
}

const std::string& FairShareKey(const std::string& user, const std::string& group,
                                const PolicyConfig& config) {
  return config.fair_share_by == FairShareBy::kUser ? user : group;
}

void FairShareLedger::Advance(double now, const std::map<std::string, int>& held_gpus) {
  if (started_ && now > last_) {
    double dt = now - last_;
    double keep = half_life_s_ > 0 ? std::exp2(-dt / half_life_s_) : 0;
    double gained = half_life_s_ > 0 ? (1 - keep) * half_life_s_ / std::log(2.0) : 0;
    for (auto& [key, u] : usage_) u *= keep;
    for (const auto& [key, gpus] : held_) usage_[key] += gpus * gained;
  }
  started_ = true;
  last_ = std::max(last_, now);
  held_ = held_gpus;
}

}  // namespace yard::sched
