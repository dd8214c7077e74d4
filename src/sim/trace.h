// Inputs of the simulator: a trace of jobs (CSV) and a cluster (SPEC), parsed with errors that
// name the line and the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sched/cluster.h"

namespace yard::sim {

struct TraceJob {
  int line = 0;            // in the CSV, for errors
  double submit_time = 0;  // seconds
  double duration = 0;     // seconds of running; hidden from the policy
  int gpus = 1;
  std::string group;
  std::vector<std::string> gpu_models;  // accepted models, '|'-separated in the CSV
  int priority = 50;
  double timeout = 0;  // 0 = none declared
};

// A CSV with a header: submit_time, duration, num_gpus (required), group, gpu_model, priority,
// timeout (optional, any order). Jobs come back sorted by submit time (stable).
Result<std::vector<TraceJob>> ParseTrace(std::string_view csv);

struct ClusterSpec {
  std::vector<sched::GpuModel> models;
  struct Group {
    int workers = 0;
    int gpus_per_worker = 0;
    int model = 0;  // index into models
  };
  std::vector<Group> groups;
  int total_gpus = 0;
  std::string text;  // as given
};

// "64x8xV100-16GB,16x8xA100-80GB": WORKERSxGPUSxMODEL items; a model ends in its memory
// ("-16GB"), and its family gives the compute capability.
Result<ClusterSpec> ParseClusterSpec(std::string_view spec);

}  // namespace yard::sim
