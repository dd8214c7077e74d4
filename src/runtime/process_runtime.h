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
#include <memory>

#include "runtime/execution_journal.h"
#include "runtime/runtime.h"

namespace yard {

class ProcessRuntime : public Runtime {
 public:
  // `state_dir` (it must exist) holds the journal of running executions
  // (execution_journal.h); empty: none is kept and Reattach finds nothing. `reattach_grace` is how
  // long Reattach lets a leftover job end after SIGTERM before it sends SIGKILL.
  explicit ProcessRuntime(std::filesystem::path state_dir,
                          std::chrono::milliseconds reattach_grace = std::chrono::seconds(2));

  std::string_view name() const override { return "process"; }

  // Nothing to fetch: the command runs from the worker's own file system.
  Status Prepare(const LaunchSpec& spec, const ProgressFn& progress) override;

  // See Spawn (runtime/spawn.h) for how the process is set up. Records the execution in the
  // journal before returning; if that fails, the process is killed and the error returned.
  Result<ExecutionHandle> Start(const LaunchSpec& spec) override;

  // To every process in the job's group; a group that is gone already is not an error.
  Status Signal(const ExecutionHandle& handle, int signo) override;

  // Waits for the leader to exit, then SIGKILLs what is left of its group, so that no
  // orphan keeps holding a GPU, and reaps the leader.
  Result<ExitStatus> Wait(const ExecutionHandle& handle) override;

  // A plain process cannot be waited on by a worker that did not fork it, so every
  // execution the journal (or a state file of an older worker) names that is still running is
  // ended (SIGTERM, the grace, then SIGKILL to its group), and the journal emptied. Always
  // returns an empty list.
  Result<std::vector<ExecutionHandle>> Reattach() override;
  bool CanReattach() const override { return false; }

  // Records in the journal that the execution is over.
  Status Cleanup(const ExecutionHandle& handle) override;

  // Live (not zombie) processes of the job's process group, the leader included.
  std::vector<int64_t> Pids(const ExecutionHandle& handle) override;

 private:
  void EndLeftover(const ExecutionRecord& record);  // what Reattach does with each one

  std::filesystem::path state_dir_;
  std::chrono::milliseconds reattach_grace_;
  std::unique_ptr<ExecutionJournal> journal_;  // null without a state_dir
};

}  // namespace yard
