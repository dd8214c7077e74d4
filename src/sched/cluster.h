// What one scheduling pass sees and decides. Everything is a plain value: the master builds these
// from its database index, the simulator from its virtual cluster, and the policy (policy.h)
// turns them into decisions without I/O, clocks or threads. Times are seconds on the caller's
// clock (`now` is an input), GPU time is GPU-seconds.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace yard::sched {

inline constexpr double kNever = std::numeric_limits<double>::infinity();

struct GpuModel {
  std::string name;               // "A100-80GB"
  double memory_gb = 0;           // 80
  double compute_capability = 0;  // 8.0
};

struct WorkerGpu {
  int index = 0;       // the worker's own GPU index
  int model = 0;       // index into Cluster::models
  int64_t job_id = 0;  // the job holding it; 0 when free
  bool usable = true;  // false: a foreign process or a fault; not offered
};

struct Worker {
  int64_t id = 0;
  std::vector<WorkerGpu> gpus;
};

// A job that holds GPUs now.
struct RunningJob {
  int64_t id = 0;
  std::string user, group;
  int gpus = 0;
  int priority = 50;
  bool preemptible = false;
  double submit_time = 0;
  double start_time = 0;            // of the current attempt
  double timeout = 0;               // seconds from start_time; 0 = none declared
  double attained_gpu_seconds = 0;  // over all attempts, up to `now`
  bool draining = false;            // already told to stop (preempted, in its grace period)
};

// A job waiting in the queue. Only what a real master knows: never the true duration.
struct PendingJob {
  int64_t id = 0;
  std::string user, group;
  int gpus = 1;
  int priority = 50;
  double submit_time = 0;
  double timeout = 0;                   // 0 = none declared; such a job cannot backfill
  std::vector<std::string> gpu_models;  // accepted models; empty = any
  double min_gpu_memory_gb = 0;
  double min_compute_capability = 0;
  bool preemptible = false;
  double attained_gpu_seconds = 0;  // from earlier attempts (a preempted job keeps its count)
};

// The cluster at `now`, except the queue, which the Scheduler keeps across passes.
struct Cluster {
  double now = 0;
  std::vector<GpuModel> models;
  std::vector<Worker> workers;
  std::vector<RunningJob> running;
  // Decayed GPU-seconds of recent use per fair-share key (group or user, see PolicyConfig);
  // FairShareLedger keeps it.
  std::map<std::string, double> recent_usage;
};

struct GpuSlot {
  int64_t worker_id = 0;
  int gpu_index = 0;
  bool operator==(const GpuSlot&) const = default;
};

struct Assignment {
  int64_t job_id = 0;
  std::vector<GpuSlot> gpus;  // on one worker, or a gang over several
};

// What one pass decides.
struct PassResult {
  std::vector<Assignment> assignments;
  std::vector<int64_t> preempted;      // running jobs to signal; they go back to the queue
  std::vector<int64_t> preempted_for;  // for each of `preempted`, the job it makes room for
  int64_t reserved_for = 0;            // the head-of-line job GPUs are held back for; 0 = none
  double reservation_start = kNever;   // its expected start, as far as timeouts tell
  // The earliest time at which a pass could decide more with nothing else changing (a running
  // job passes its minimum run time or a service threshold); kNever when only events matter.
  double wake_at = kNever;
};

}  // namespace yard::sched
