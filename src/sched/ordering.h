// The multi-factor ordering of the queue and the rank used for preemption.
//
// score(job, now) = priority_weight * priority + age_weight * hours waited
//                 - fair_share_weight * share of the key's recent GPU time
//                 - size_weight * log2(gpus) - service_weight * service level
//                 + shortest_first_weight * -log2(declared timeout in hours)
// Only the age and fair-share terms move with time, and the age term moves every job alike, so
// the queue is kept ordered by the rest (StaticScore) within each fair-share key, and a pass
// merges the keys: no re-sorting of a long queue per pass.
#pragma once

#include <map>
#include <string>

#include "sched/cluster.h"
#include "sched/policy_config.h"

namespace yard::sched {

// Tiresias' discretised least-attained-service: level 0 below the first threshold, then one
// level per `service_level_factor` times more GPU time, capped.
int ServiceLevel(double attained_gpu_seconds, const PolicyConfig& config);
// GPU-seconds at which `level` begins (level 0: 0).
double ServiceLevelStart(int level, const PolicyConfig& config);

// The score without the terms shared by a whole fair-share key at one instant; the age term
// enters as -submit_time, which orders jobs exactly as "hours waited" does.
double StaticScore(const PendingJob& job, const PolicyConfig& config);
// The score term of a key with `usage` decayed GPU-seconds on a cluster of `total_gpus`.
double FairShareTerm(double usage, int total_gpus, const PolicyConfig& config);
// The full score at `now`, for explanations and tests.
double Score(const PendingJob& job, double usage, int total_gpus, double now,
             const PolicyConfig& config);

// Rank for preemption: priority and service level only, so that a job's wait or its key's
// usage never lets it stop another.
double PreemptionRank(int priority, double attained_gpu_seconds, const PolicyConfig& config);

const std::string& FairShareKey(const std::string& user, const std::string& group,
                                const PolicyConfig& config);

// Recent GPU time per fair-share key, decayed with the configured half-life. The caller
// advances it with what each key held since the last call (held is constant in between, so
// the integral is exact).
class FairShareLedger {
 public:
  explicit FairShareLedger(double half_life_s) : half_life_s_(half_life_s) {}
  void Advance(double now, const std::map<std::string, int>& held_gpus);
  const std::map<std::string, double>& usage() const { return usage_; }

 private:
  double half_life_s_;
  double last_ = 0;
  bool started_ = false;
  std::map<std::string, int> held_;
  std::map<std::string, double> usage_;
};

}  // namespace yard::sched
