#include "runtime/process_runtime.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "runtime/proc_stat.h"
#include "runtime/process_group.h"
#include "runtime/spawn.h"
#include "runtime/state_file.h"

namespace yard {
namespace {

Result<pid_t> PidOf(const ExecutionHandle& handle) {
  pid_t pid = 0;
  const std::string& id = handle.id;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), pid);
  if (ec != std::errc() || end != id.data() + id.size() || pid <= 1) {
    return InvalidArgument("'" + id + "' is not the id of a process execution");
  }
  return pid;
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Whether what `record` names may still be running, and so must be ended.
bool MayStillRun(const ExecutionRecord& record) {
  std::optional<ProcStat> leader = ReadProcStat(record.pid);
  if (leader) {
    // Another process with the same pid means ours is long gone, and so is its group: a
    // pid is not reused while a group of that id has a member.
    return leader->start_time == record.start_time;
  }
  // The leader is gone (killed with the old worker, most likely), but what it started may
  // live on in its group. Anything there that is older than the leader is not ours.
  for (const ProcStat& member : LiveProcessesInGroup(record.pid)) {
    if (member.start_time >= record.start_time) return true;
  }
  return false;
}

}  // namespace

ProcessRuntime::ProcessRuntime(std::filesystem::path state_dir,
                               std::chrono::milliseconds reattach_grace)
    : state_dir_(std::move(state_dir)), reattach_grace_(reattach_grace) {
  if (!state_dir_.empty())
    journal_ = std::make_unique<ExecutionJournal>(state_dir_ / "executions.journal");
}

Status ProcessRuntime::Prepare(const LaunchSpec&, const ProgressFn&) { return Status::Ok(); }

Result<ExecutionHandle> ProcessRuntime::Start(const LaunchSpec& spec) {
  YARD_ASSIGN_OR_RETURN(SpawnedProcess child, Spawn(spec));
  ExecutionHandle handle{spec.job_id, spec.attempt, std::to_string(child.pid), child.started_at};
  if (!journal_) return handle;

  // Not yet reaped, so /proc/<pid> is there even if the job has already exited.
  std::optional<ProcStat> stat = ReadProcStat(child.pid);
  Status recorded =
      stat ? journal_->Started({spec.job_id, spec.attempt, child.pid, stat->start_time})
           : Internal("cannot read /proc/" + handle.id + "/stat");
  if (!recorded.ok()) {
    // A job no restarted worker could find must not run at all.
    (void)SignalGroup(child.pid, SIGKILL);
    Reap(child.pid);
    return recorded.Prefixed("cannot record the process of job " + std::to_string(spec.job_id));
  }
  return handle;
}

Status ProcessRuntime::Signal(const ExecutionHandle& handle, int signo) {
  YARD_ASSIGN_OR_RETURN(pid_t pgid, PidOf(handle));
  return SignalGroup(pgid, signo);
}

Result<ExitStatus> ProcessRuntime::Wait(const ExecutionHandle& handle) {
  YARD_ASSIGN_OR_RETURN(pid_t pid, PidOf(handle));

  // WNOWAIT leaves the leader a zombie, which keeps its pid, and so the group id, from being
  // reused while the rest of the group is killed.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
    if (errno != EINTR) return ErrnoError("cannot wait for process " + handle.id, errno);
  }
  ExitStatus result;
  result.finished_at = NowMicros();
  (void)SignalGroup(pid, SIGKILL);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoError("cannot reap process " + handle.id, errno);
  }
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

void ProcessRuntime::EndLeftover(const ExecutionRecord& record) {
  if (MayStillRun(record)) {
    int live = TerminateGroup(record.pid, reattach_grace_);
    spdlog::info(
        "process runtime: ended job {} attempt {}, left running by an earlier worker "
        "(process group {}, live processes: {})",
        record.job_id, record.attempt, record.pid, live);
  } else {
    spdlog::info("process runtime: job {} attempt {} (pid {}) is no longer running", record.job_id,
                 record.attempt, record.pid);
  }
}

Result<std::vector<ExecutionHandle>> ProcessRuntime::Reattach() {
  if (!journal_) return std::vector<ExecutionHandle>{};
  YARD_ASSIGN_OR_RETURN(JournalContents journal, journal_->Read());
  if (journal.bad_lines > 0)
    spdlog::warn("process runtime: ignoring {} unreadable lines of {}", journal.bad_lines,
                 journal_->path().string());
  for (const ExecutionRecord& record : journal.live) EndLeftover(record);
  YARD_RETURN_IF_ERROR(journal_->Clear());

  // State files of a worker from before the journal.
  for (const StateFile& file : ListStateFiles(state_dir_)) {
    if (file.record.ok()) {
      EndLeftover(*file.record);
    } else {
      spdlog::warn("process runtime: ignoring {}: {}", file.path.string(),
                   file.record.status().message());
    }
    std::error_code ec;
    std::filesystem::remove(file.path, ec);
    if (ec) {
      return IoError("cannot remove the state file " + file.path.string() + ": " + ec.message());
    }
  }
  return std::vector<ExecutionHandle>{};
}

Status ProcessRuntime::Cleanup(const ExecutionHandle& handle) {
  if (!journal_) return Status::Ok();
  return journal_->Ended(handle.job_id, handle.attempt);
}

std::vector<int64_t> ProcessRuntime::Pids(const ExecutionHandle& handle) {
  Result<pid_t> pgid = PidOf(handle);
  if (!pgid.ok()) return {};
  std::vector<int64_t> pids;
  for (const ProcStat& process : LiveProcessesInGroup(*pgid)) pids.push_back(process.pid);
  return pids;
}

}  // namespace yard
