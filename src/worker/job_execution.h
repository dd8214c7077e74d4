// One attempt of one job on this worker, from its assignment to its final report: prepares its
// folders and environment, runs it through the runtime on a thread of its own, stops it when
// asked (SIGTERM, then SIGKILL after the grace period) or when its timeout passes, and ships
// its last output before saying it has ended.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/protocol.h"
#include "runtime/runtime.h"
#include "worker/launch_spec.h"
#include "worker/output_tail.h"
#include "worker/spare_pool.h"
#include "worker/worker_paths.h"

namespace yard {

class JobExecution {
 public:
  struct Options {
    std::string master_url;
    int kill_grace_ms = 10'000;
    std::function<void()> on_change;  // called (from any thread) when Report() changes
    LaunchContext launch;
    SparePool* spares = nullptr;  // gives the job its folders and log; outlives the execution
  };

  JobExecution(Assignment assignment, Runtime& runtime, const WorkerPaths& paths, Options options);
  // Waits for a job that has already been reattached by the runtime; its outputs are uploaded
  // when it ends if the assignment that started it was saved
  // (WorkerPaths::AssignmentPath).
  JobExecution(ExecutionHandle reattached, Runtime& runtime, const WorkerPaths& paths,
               Options options);
  ~JobExecution();
  JobExecution(const JobExecution&) = delete;
  JobExecution& operator=(const JobExecution&) = delete;

  // Starts the thread. `gpu_holders`: earlier jobs on this worker that may still hold some of
  // this job's GPUs (a gang part killed because its attempt ended elsewhere keeps them for its
  // grace period, while the master has already given them on); the job starts its process
  // only once they have let go, so two jobs never share a GPU.
  void Start(std::vector<std::shared_ptr<const JobExecution>> gpu_holders = {});
  int64_t job_id() const { return job_id_; }
  int attempt() const { return attempt_; }
  JobReport Report() const;
  bool finished() const { return finished_.load(); }
  // Its GPUs (this worker's indexes; empty for a reattached job whose assignment was not kept).
  const std::vector<int>& gpus() const;
  // Until its process has ended (or it ended without one).
  bool HoldsGpus() const { return !released_gpus_.load(); }
  // Asks the job to stop: SIGTERM now, SIGKILL after the grace period. It ends in `final`.
  // `grace_ms` > 0 replaces the worker's grace period (a preempted job's, from the master).
  void Kill(const std::string& why, JobState final_state, int grace_ms = 0);
  // Enforces the timeout and the kill grace period; call every few hundred milliseconds.
  void Tick();
  // True while the job needs Tick() soon (a timeout or a kill in progress).
  bool NeedsTicks() const;
  std::vector<int64_t> Pids();
  OutputTail& output() { return output_; }
  // Stops waiting for the master to take the last output (the worker is shutting down).
  void Abandon() { abandon_ = true; }

 private:
  void Run();
  void RunAssigned();
  // Waits for gpu_holders_ to let go of their GPUs; false when this job is killed meanwhile.
  bool WaitForGpus();
  Status AcquireFiles(const Assignment& a);
  void Finish(JobState state, std::optional<int> exit_code, const std::string& reason);
  void AppendToLog(const std::string& line);
  void ShipFinalOutput();
  void UploadResults(const Assignment& a);

  const int64_t job_id_;
  const int attempt_;
  std::optional<Assignment> assignment_;
  std::optional<ExecutionHandle> reattached_;
  Runtime& runtime_;
  const WorkerPaths paths_;
  const Options options_;
  OutputTail output_;
  std::thread thread_;
  std::optional<SpareLease> files_;  // its folders and log; the job thread's alone
  bool assignment_saved_ = false;    // the job thread's alone
  std::vector<std::shared_ptr<const JobExecution>> gpu_holders_;  // the job thread's alone
  std::atomic<bool> finished_{false};
  std::atomic<bool> released_gpus_{false};
  std::atomic<bool> abandon_{false};

  mutable std::mutex mu_;
  JobReport report_;
  std::optional<ExecutionHandle> handle_;
  Micros started_mono_ = 0;
  bool killing_ = false;
  bool sigkilled_ = false;
  Micros kill_deadline_mono_ = 0;
  JobState kill_final_ = JobState::kCancelled;
  std::string kill_reason_;
};

}  // namespace yard
