// An event-driven replay of a trace on a virtual cluster, with the real scheduler
// (sched::Scheduler) deciding. Virtual time only: a year of a cluster replays in seconds.
//
// The policy sees what a real master sees: submit time, GPUs, group, priority, the declared
// timeout, attained GPU time; never a job's true duration.
//
// Preemption cost model: a preempted job is signalled and keeps its GPUs for `grace_s`, during
// which it writes a checkpoint of its progress up to the signal (work in the grace period is
// lost); when it starts again it spends `restart_s` (rescheduling, loading the checkpoint,
// warm-up) on its GPUs before making progress again.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "sched/policy_config.h"
#include "sim/trace.h"

namespace yard::sim {

struct SimOptions {
  double timeout_factor = 0;     // > 0: jobs without a timeout declare factor x true duration
  bool oracle_timeouts = false;  // every job declares exactly its duration (the SJF bound)
  double grace_s = 30;
  double restart_s = 60;
};

struct SimResult {
  std::string policy;
  int64_t jobs = 0;
  double avg_jct = 0, p99_jct = 0;    // completion time: end - submit
  double avg_wait = 0, p99_wait = 0;  // queueing delay: first start - submit
  double avg_not_running = 0;         // end - submit - duration: waits, re-waits, lost work
  double makespan = 0;                // last end - first submit
  double utilisation = 0;             // useful GPU time / (GPUs x makespan)
  double worst_group_p99_wait = 0;
  std::string worst_group;
  std::map<std::string, double> group_p99_wait;
  int64_t preemptions = 0;
  int64_t passes = 0;
  int64_t timed_out = 0;  // jobs stopped at their declared timeout
};

// Errors: a job larger than the cluster, or naming a model the cluster lacks (naming its line).
Result<SimResult> Simulate(const std::vector<TraceJob>& trace, const ClusterSpec& cluster,
                           const sched::PolicyConfig& policy, const SimOptions& options);

}  // namespace yard::sim
