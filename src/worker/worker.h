// A worker: one GPU server's agent. Registers with the master, then keeps one heartbeat in
// flight at a time: it reports every job it holds and the use of its GPUs, and starts or kills
// jobs as the answer says. A long poll on the master's news for it wakes it the moment there
// is work, and a job that ends wakes it too, so a freed GPU is reported at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/protocol.h"
#include "gpu/gpu_inventory.h"
#include "runtime/runtime.h"
#include "worker/job_execution.h"
#include "worker/spare_pool.h"

namespace yard {

struct WorkerOptions {
  std::string master_url;
  std::string name;  // unique per worker; default: the host name
  std::filesystem::path work_dir;
  int cpu_slots = 0;  // 0: one per core
  int kill_grace_ms = 10'000;
  std::string runtime = "process";
  // The GPUs are physical (NVML): containers are given them. False for fake GPUs.
  bool real_gpus = false;
};

// The name a worker goes by when none is given: the host's name.
std::string DefaultWorkerName();

class Worker {
 public:
  Worker(WorkerOptions options, std::unique_ptr<GpuInventory> gpus,
         std::unique_ptr<Runtime> runtime);
  ~Worker();

  // Runs until Stop(). Jobs still running then are stopped.
  Status Run();
  void Stop();

 private:
  Status RegisterUntilDone();
  Result<HeartbeatResponse> SendHeartbeat(std::vector<std::pair<int64_t, int>>& ended);
  void Apply(const HeartbeatResponse& response);
  // With mu_ held: the jobs here whose processes still hold any of `gpus`.
  std::vector<std::shared_ptr<const JobExecution>> GpuHolders(const std::vector<int>& gpus);
  std::vector<GpuUsage> SampleGpus();
  void NewsLoop();
  void ShipLoop();
  void Wake();
  void SawNews(uint64_t news);
  JobExecution::Options ExecutionOptions();

  WorkerOptions options_;
  std::unique_ptr<GpuInventory> gpus_;
  std::unique_ptr<Runtime> runtime_;
  WorkerPaths paths_;
  std::unique_ptr<SparePool> spares_;
  std::unique_ptr<HttpClient> client_;  // used by Run()'s thread only

  std::atomic<bool> stop_{false};
  std::atomic<int64_t> worker_id_{0};
  std::atomic<int> heartbeat_ms_{3000};

  std::mutex mu_;
  std::condition_variable wake_cv_;
  bool dirty_ = false;  // a job changed: heartbeat now
  // The master's news counter as the long poll last saw it, and as the last heartbeat answer
  // covered it: news that an answer already carried (its assignments, say, which the master's
  // own dispatch in that heartbeat announced) calls for no second heartbeat.
  uint64_t news_seen_ = 0;
  uint64_t news_answered_ = 0;
  // (job id, attempt) -> its execution.
  std::map<std::pair<int64_t, int>, std::shared_ptr<JobExecution>> jobs_;
};

}  // namespace yard
