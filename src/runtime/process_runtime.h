// ProcessRuntime: runs a job as a plain child process of the worker, for machines without
// Docker. The job's processes form one process group (its id is the leader's pid, which is
// also ExecutionHandle::id), so that a signal, a Wait or Pids() covers everything the job
// started.
//
// Threads: Start and Wait of one execution must be called from one thread that lives as long
// as the job. The job's leader gets SIGKILL when the thread that started it exits
// (PR_SET_PDEATHSIG follows the thread), which is what ends jobs when the worker dies; a
// short-lived thread calling Start would kill its job on the way out. Different executions
// may be used from different threads at once.
#pragma once

#include <chrono>
#include <filesystem>

#include "runtime/runtime.h"

namespace yard {

class ProcessRuntime : public Runtime {
 public:
  // `state_dir` (it must exist) gets a state file per running execution; empty: none are
  // written and Reattach finds nothing. `reattach_grace` is how long Reattach lets a leftover
  // job end after SIGTERM before it sends SIGKILL.
  explicit ProcessRuntime(std::filesystem::path state_dir,
                          std::chrono::milliseconds reattach_grace = std::chrono::seconds(2));

  std::string_view name() const override { return "process"; }

  // Nothing to fetch: the command runs from the worker's own file system.
  Status Prepare(const LaunchSpec& spec, const ProgressFn& progress) override;

  // See Spawn (runtime/spawn.h) for how the process is set up. Records a state file before
  // returning; if that fails, the process is killed and the error returned.
  Result<ExecutionHandle> Start(const LaunchSpec& spec) override;

  // To every process in the job's group; a group that is gone already is not an error.
  Status Signal(const ExecutionHandle& handle, int signo) override;

  // Waits for the leader to exit, then SIGKILLs what is left of its group, so that no
  // orphan keeps holding a GPU, and reaps the leader.
  Result<ExitStatus> Wait(const ExecutionHandle& handle) override;

  // A plain process cannot be waited on by a worker that did not fork it, so every
  // execution a state file names that is still running is ended (SIGTERM, the grace, then
  // SIGKILL to its group) and the state files removed. Always returns an empty list.
  Result<std::vector<ExecutionHandle>> Reattach() override;

  // Removes the execution's state file.
  Status Cleanup(const ExecutionHandle& handle) override;

  // Live (not zombie) processes of the job's process group, the leader included.
  std::vector<int64_t> Pids(const ExecutionHandle& handle) override;

 private:
  std::filesystem::path state_dir_;
  std::chrono::milliseconds reattach_grace_;
};

}  // namespace yard
