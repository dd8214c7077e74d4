// The knobs of the scheduling policy, as one plain struct, with named presets and a parser for
// `key=value` text (lines, or items separated by commas or spaces). Parse once, when the master
// or the simulator starts; a pass only reads the struct.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace yard::sched {

enum class FairShareBy { kGroup, kUser };

struct PolicyConfig {
  std::string name = "custom";

  // Ordering: a job's score is the sum of these terms, in "points"; higher goes first.
  double priority_weight = 1;    // per point of the job's priority (0..100)
  double age_weight = 0;         // per hour since submission: no job waits forever
  double fair_share_weight = 0;  // times the key's share of the cluster's recent GPU time
  FairShareBy fair_share_by = FairShareBy::kGroup;
  double fair_share_half_life_s = 86400;  // decay of recent usage (FairShareLedger)
  double size_weight = 0;                 // per doubling of GPUs asked for; positive favours small
  double service_weight = 0;              // per level of attained service (Tiresias' discrete LAS)
  double service_first_level_gpu_hours = 1;  // attained service where level 1 begins
  double service_level_factor = 10;          // each further level begins this many times later
  int service_levels = 4;                    // levels 0..service_levels-1
  double shortest_first_weight = 0;  // per halving of a declared timeout (jobs with none: 0)

  // Placement.
  bool least_capable_first = true;  // a job takes the least capable GPUs that fit it
  // A job larger than any one worker's GPUs of its models runs as a gang over several. Off,
  // such a job waits (kLargerThanWorker): for a master whose workers cannot run gangs yet.
  bool gangs = true;

  // Backfill: hold GPUs for the first job that cannot start; others use them only if their
  // timeout ends before that job's expected start.
  bool backfill = false;

  // Preemption: a waiting job may stop running preemptible jobs whose rank (priority and
  // service level only) is lower than its own by at least `preempt_margin` points.
  bool preemption = false;
  double preempt_margin = 1;
  double min_run_s = 3600;           // a job runs at least this long before it can be preempted
  int max_preemptors_per_pass = 16;  // bounds the work of one pass
  // How long a preempted job is given to checkpoint and exit (SIGTERM, then SIGKILL). The pass
  // does not read it: the master tells workers, and the simulator has its own --grace.
  double preempt_grace_s = 30;

  // Quotas: the most GPUs a user or a group may hold at once.
  std::map<std::string, int> user_quota, group_quota;
};

// Named presets: "fifo" (the seed's queue: priority, then submission, skip what does not fit),
// "fairshare" (multi-factor ordering and backfill, no preemption), "team" (fairshare, and a job
// 10 or more priority points higher may preempt preemptible jobs; the master's default),
// "las" (attained-service preemption alone), "full" (all of it), "sjf" (shortest declared
// timeout first; with timeouts set to true durations this is the upper bound that sees the
// future).
Result<PolicyConfig> PolicyPreset(std::string_view name);
std::vector<std::string> PolicyPresetNames();

// `preset=NAME` (first, optional) then `key=value` items overriding it, e.g.
// "preset=full,age_weight=2,quota.group.vision=64". Unknown keys and bad numbers are errors
// that name the item.
Result<PolicyConfig> ParsePolicyConfig(std::string_view text);

}  // namespace yard::sched
