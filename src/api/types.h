// The records the whole system shares: jobs, sweeps, workers, GPUs, metrics. Plain values;
// their JSON forms (the HTTP API's contract) are in api/json.h.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/job_state.h"
#include "common/clock.h"

namespace yard {

using Json = nlohmann::json;

// One GPU as its worker found it (NVML or fake).
struct GpuInfo {
  int index = 0;
  std::string uuid;
  std::string model;  // "A100-80GB", "NVIDIA H100 80GB HBM3", ...
  int64_t memory_mb = 0;
  std::string compute_capability;  // "8.0"
};

// What a GPU is doing now, sampled by its worker on each heartbeat.
struct GpuUsage {
  int index = 0;
  int utilization_pct = 0;
  int64_t memory_used_mb = 0;
  std::vector<int64_t> foreign_pids;  // compute processes that are not Trainyard's jobs
};

// A GPU held by a job, named so that a person can find it.
struct GpuRef {
  std::string worker;
  int index = 0;
  std::string uuid;
  std::string model;
};

struct Resources {
  int gpus = 1;
  // Limits of the job's container (the docker runtime); 0: none. The process runtime does not
  // apply them.
  int64_t memory_bytes = 0;
  int64_t nano_cpus = 0;  // CPUs in units of 1e-9
  int64_t pids = 0;
  // Which GPUs the job accepts (the scheduler's filters): model names or families ("A100"
  // accepts "A100-80GB"; empty: any), and minimums; 0: none.
  std::vector<std::string> gpu_models;
  double min_gpu_memory_gb = 0;
  double min_compute_capability = 0;
};

// A validated job description (api/job_spec.h parses and checks it). In a job record the
// placeholders of `command` are already filled with the job's hyperparameters.
struct JobSpec {
  std::string name;
  std::string image;
  std::vector<std::string> command;  // argv; never run through a shell
  std::string code;                  // file-server path of the code snapshot
  std::vector<std::string> data;     // file-server paths, mounted read-only
  Resources resources;
  int priority = 50;  // 0..100, higher runs sooner
  // Its group for fair share and quotas (the scheduler's policy); empty: the user's name.
  std::string group;
  // The scheduler may stop it for a job of higher priority; it goes back to the queue and
  // resumes from YARD_CHECKPOINT_DIR.
  bool preemptible = false;
  int max_retries = 1;    // requeues after LOST or PREEMPTED
  int64_t timeout_s = 0;  // 0: none
  std::map<std::string, std::string> env;
  // "UID" or "UID:GID" (numbers, UID not 0) the job's container runs as; empty: the image's
  // user. Numbers, not names, since the worker gives the job's writable folders to it.
  std::string run_as;
  Json hyperparameters = Json::object();  // as given; lists are grid axes
  Json search;                            // as given; null when absent
};

struct Job {
  int64_t id = 0;
  std::string name;
  std::string user;
  int64_t sweep_id = 0;  // 0: not in a sweep
  JobState state = JobState::kQueued;
  JobSpec spec;
  Json hparams = Json::object();  // this job's point in its sweep's space
  int attempt = 0;                // bumped on every assignment; reports of older attempts are stale
  int retries = 0;                // requeues used after LOST or PREEMPTED
  int64_t worker_id = 0;          // 0: none
  std::string worker_name;
  std::vector<GpuRef> gpus;
  std::optional<int> exit_code;
  std::string reason;  // why it is in its state, for people
  bool cancel_requested = false;
  bool stop_early = false;  // the cancel comes from its searcher: it ends STOPPED_EARLY
  int64_t trial = -1;       // its trial number within its sweep's search; -1: none
  Micros submitted_at = 0;
  Micros started_at = 0;
  Micros finished_at = 0;
  std::map<std::string, double> metrics;  // last value of each key
  int64_t log_offset = 0;  // bytes of the current attempt's output received from its worker
};

struct Sweep {
  int64_t id = 0;
  std::string name;
  std::string user;
  Json spec;              // the submitted spec, as validated
  std::string algorithm;  // "grid", ...
  std::string metric;     // empty: none
  bool maximize = true;
  std::string state;    // "ACTIVE", "DONE", "CANCELLED"
  Json searcher_state;  // the searcher's SaveState(), so a restarted master continues it
  Micros created_at = 0;
  Micros finished_at = 0;
};

enum class WorkerState { kAlive, kLost };

struct WorkerRecord {
  int64_t id = 0;
  std::string name;  // unique; a worker that comes back under its name is the same worker
  std::string host;
  std::string runtime;
  int cpu_slots = 0;  // how many jobs that ask for no GPU it runs at once
  std::vector<GpuInfo> gpus;
  WorkerState state = WorkerState::kAlive;
  Micros registered_at = 0;
  Micros last_seen_at = 0;
};

struct MetricPoint {
  int64_t job_id = 0;
  int64_t step = 0;
  std::string key;
  double value = 0;
  Micros at = 0;
};

struct StateChange {
  int64_t job_id = 0;
  JobState state = JobState::kQueued;
  std::string reason;
  Micros at = 0;
};

}  // namespace yard
