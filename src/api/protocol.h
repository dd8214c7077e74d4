// The worker protocol. A worker registers, then sends heartbeats one at a time: each reports
// every job the worker holds and the use of its GPUs, and the answer says which jobs to start
// and which to kill. The worker's job list is the whole truth about what runs there, so the
// master can reconcile (start what is missing, kill what is not the worker's any more) after
// either side restarts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// What a worker says of one job it holds (running, or ended and not yet acknowledged).
struct JobReport {
  int64_t job_id = 0;
  int attempt = 0;
  JobState state = JobState::kStarting;  // STARTING, RUNNING or a terminal state
  std::optional<int> exit_code;
  std::string reason;
  Micros started_at = 0;
  Micros finished_at = 0;
};

struct RegisterRequest {
  std::string name;
  std::string host;
  std::string runtime;
  int cpu_slots = 1;
  std::vector<GpuInfo> gpus;
  std::vector<JobReport> jobs;  // executions it reattached to after a restart
};

struct RegisterResponse {
  int64_t worker_id = 0;
  int heartbeat_interval_ms = 3000;
  // For each reattached job that is still this worker's: how many bytes of its current
  // attempt's output the master already holds, so that shipping resumes there.
  std::map<int64_t, int64_t> output_offsets;
};

struct HeartbeatRequest {
  std::vector<GpuUsage> usage;
  std::vector<JobReport> jobs;
};

// A job for the worker to run, with everything it needs: the spec's placeholders are filled.
struct Assignment {
  int64_t job_id = 0;
  int attempt = 0;
  int64_t sweep_id = 0;
  int64_t trial = -1;  // its trial in the sweep's search: trials share a checkpoint folder
  JobSpec spec;
  Json hparams = Json::object();
  std::vector<int> gpus;  // indexes on this worker
  // Whether the file server holds anything in the job's checkpoint folder (file_layout.h),
  // as the master saw it when it built the assignment. Unset: unknown (a master without a file
  // server, or an older one), and the worker asks the file server.
  std::optional<bool> has_checkpoint;
  // A gang (one job over several workers) gives each worker a part: how many parts, this
  // one's rank, and where rank 0 listens (its worker's host, a port the master picked). A job
  // on one worker has num_nodes 1 and no address; the four are absent from the JSON then.
  int num_nodes = 1;
  int node_rank = 0;
  std::string master_addr;
  int master_port = 0;
};

struct KillOrder {
  int64_t job_id = 0;
  int attempt = 0;
  std::string reason;
  // Preemption: the job ends PREEMPTED (not CANCELLED) and gets `grace_ms` between SIGTERM and
  // SIGKILL to write its checkpoint. Both absent from older masters' answers.
  bool preempt = false;
  int grace_ms = 0;  // 0: the worker's own --kill-grace
};

struct HeartbeatResponse {
  std::vector<Assignment> assign;
  std::vector<KillOrder> kill;
  // The worker's news counter (GET /v1/workers/ID/news) as of this answer: news up to it is in
  // the answer already, so the worker need not heartbeat again for it. 0: not said.
  uint64_t news = 0;
};

Json ToJson(const JobReport& r);
Result<JobReport> JobReportFromJson(const Json& j);
Json ToJson(const RegisterRequest& r);
Result<RegisterRequest> RegisterRequestFromJson(const Json& j);
Json ToJson(const RegisterResponse& r);
Result<RegisterResponse> RegisterResponseFromJson(const Json& j);
Json ToJson(const HeartbeatRequest& r);
Result<HeartbeatRequest> HeartbeatRequestFromJson(const Json& j);
Json ToJson(const HeartbeatResponse& r);
Result<HeartbeatResponse> HeartbeatResponseFromJson(const Json& j);

}  // namespace yard
