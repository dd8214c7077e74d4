#include "runtime/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "common/unique_fd.h"

namespace yard {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

// What went wrong in the child, sent to the parent through a close-on-exec pipe.
enum class ChildStage : int { kSetup, kWorkDir, kExec };
struct ChildError {
  ChildStage stage;
  int error;
};

// Everything the child needs, built before fork: after fork the child may only make
// async-signal-safe calls, so it must not allocate.
struct ChildPlan {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<std::string> candidate_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<const char*> candidates;  // where to look for the program, in order
  const char* work_dir = nullptr;       // nullptr: stay put
  pid_t parent_pid = 0;
  int stdin_fd = -1;
  int output_fd = -1;
  int error_fd = -1;
  int max_fd = 0;  // for the close-on-exec fallback when close_range is missing
};

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// The paths execve should try for `program`, as execvp would, but from the job's PATH.
std::vector<std::string> Candidates(const std::string& program, const LaunchSpec& spec) {
  if (program.find('/') != std::string::npos) return {program};
  std::string path;
  if (auto it = spec.env.find("PATH"); it != spec.env.end()) {
    path = it->second;
  } else if (const char* worker_path = std::getenv("PATH")) {
    path = worker_path;
  } else {
    path = kDefaultPath;
  }
  std::vector<std::string> candidates;
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = std::min(path.find(':', start), path.size());
    std::string dir = path.substr(start, colon - start);
    // An empty entry means "the current directory" to execvp; a job should not pick up
    // programs from its work_dir by accident, so it is skipped.
    if (!dir.empty()) candidates.push_back(dir + "/" + program);
    start = colon + 1;
  }
  return candidates;
}

// A duplicate of `fd` numbered 3 or more: an fd that landed on 0-2 (the worker was started
// with one of them closed) would lose or keep its close-on-exec flag at the wrong moment.
Result<UniqueFd> AboveStdio(UniqueFd fd, const char* what) {
  if (fd.get() > 2) return fd;
  UniqueFd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  if (!moved.valid()) return ErrnoError(what, errno);
  return moved;
}

Result<UniqueFd> OpenLog(const fs::path& log_path) {
  if (log_path.empty()) {
    return AboveStdio(UniqueFd(::open("/dev/null", O_WRONLY | O_CLOEXEC)), "open /dev/null");
  }
  std::error_code ec;
  if (log_path.has_parent_path()) fs::create_directories(log_path.parent_path(), ec);
  if (ec) {
    return IoError("cannot create the log folder " + log_path.parent_path().string() + ": " +
                   ec.message());
  }
  UniqueFd fd(::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644));
  if (!fd.valid()) return ErrnoError("cannot open the log " + log_path.string(), errno);
  return AboveStdio(std::move(fd), "cannot open the log");
}

int MaxFd() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 65536;
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 65536));
}

[[noreturn]] void ReportAndExit(int error_fd, ChildStage stage, int error) {
  ChildError report{stage, error};
  ssize_t n;
  do {
    n = ::write(error_fd, &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  ::_exit(127);
}

// The child between fork and exec. Async-signal-safe calls only.
[[noreturn]] void RunChild(const ChildPlan& plan) {
  if (::setpgid(0, 0) != 0) ReportAndExit(plan.error_fd, ChildStage::kSetup, errno);

  // Dies with the worker, unless the worker already died before prctl took effect.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    ReportAndExit(plan.error_fd, ChildStage::kSetup, errno);
  }
  if (::getppid() != plan.parent_pid) ::_exit(127);

  // Handlers are reset by exec anyway; ignored signals (SIGPIPE, say) are not.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signo = 1; signo < NSIG; ++signo) {
    ::sigaction(signo, &default_action, nullptr);  // fails harmlessly for SIGKILL, SIGSTOP
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::dup2(plan.stdin_fd, STDIN_FILENO) < 0 || ::dup2(plan.output_fd, STDOUT_FILENO) < 0 ||
      ::dup2(plan.output_fd, STDERR_FILENO) < 0) {
    ReportAndExit(plan.error_fd, ChildStage::kSetup, errno);
  }
  if (plan.work_dir != nullptr && ::chdir(plan.work_dir) != 0) {
    ReportAndExit(plan.error_fd, ChildStage::kWorkDir, errno);
  }

  // The worker's other fds (sockets, the database) must not leak into the job, even ones
  // opened without O_CLOEXEC by a library.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < plan.max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }

  // As execvp: a later PATH entry may still hold the program when an earlier one cannot run
  // it; "permission denied" wins over "not found" when nothing runs.
  int error = ENOENT;
  bool denied = false;
  for (const char* candidate : plan.candidates) {
    ::execve(candidate, plan.argv.data(), plan.envp.data());
    error = errno;
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV &&
               error != ETIMEDOUT) {
      ReportAndExit(plan.error_fd, ChildStage::kExec, error);  // found, but it cannot run
    }
  }
  ReportAndExit(plan.error_fd, ChildStage::kExec, denied ? EACCES : error);
}

Status ChildFailure(const LaunchSpec& spec, const ChildError& report) {
  const std::string start = "cannot start '" + spec.argv[0] + "': ";
  switch (report.stage) {
    case ChildStage::kWorkDir:
      return IoError(start + "cannot enter its work_dir " + spec.work_dir.string() + ": " +
                     std::strerror(report.error));
    case ChildStage::kSetup:
      return IoError(start + "cannot set up its process: " + std::strerror(report.error));
    case ChildStage::kExec:
      break;
  }
  return IoError(start + std::strerror(report.error));
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Blocks every signal in this thread for its lifetime, so that no handler of the worker runs
// in the child before the child resets them.
class BlockAllSignals {
 public:
  BlockAllSignals() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~BlockAllSignals() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  BlockAllSignals(const BlockAllSignals&) = delete;
  BlockAllSignals& operator=(const BlockAllSignals&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace

Result<SpawnedProcess> Spawn(const LaunchSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return InvalidArgument("the job has no command to run");
  }

  ChildPlan plan;
  plan.argv_storage = spec.argv;
  plan.argv = PointersTo(plan.argv_storage);
  for (const auto& [key, value] : spec.env) plan.env_storage.push_back(key + "=" + value);
  plan.envp = PointersTo(plan.env_storage);
  plan.candidate_storage = Candidates(spec.argv[0], spec);
  for (const std::string& c : plan.candidate_storage) plan.candidates.push_back(c.c_str());
  if (!spec.work_dir.empty()) plan.work_dir = spec.work_dir.c_str();
  plan.parent_pid = ::getpid();
  plan.max_fd = MaxFd();

  YARD_ASSIGN_OR_RETURN(UniqueFd output, OpenLog(spec.log_path));
  YARD_ASSIGN_OR_RETURN(
      UniqueFd null_input,
      AboveStdio(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)), "open /dev/null"));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  UniqueFd error_read(pipe_fds[0]);
  UniqueFd error_write(pipe_fds[1]);
  plan.stdin_fd = null_input.get();
  plan.output_fd = output.get();
  plan.error_fd = error_write.get();

  pid_t pid;
  Micros started_at;
  {
    BlockAllSignals blocked;
    // vfork: the child borrows the worker's memory until exec instead of copying its page
    // tables, which for a large worker costs milliseconds per job. RunChild makes only
    // async-signal-safe system calls and never returns, which is what vfork allows.
    pid = ::vfork();
    if (pid == 0) RunChild(plan);
    started_at = NowMicros();
  }
  if (pid < 0) return ErrnoError("cannot start '" + spec.argv[0] + "': fork", errno);

  // Also from this side, so that the group exists before Start returns and a Signal cannot
  // miss it. EACCES: the child has already exec'd (and so has done it itself).
  if (::setpgid(pid, pid) != 0 && errno != EACCES && errno != ESRCH) {
    int error = errno;
    ::kill(pid, SIGKILL);
    Reap(pid);
    return ErrnoError("cannot start '" + spec.argv[0] + "': setpgid", error);
  }

  // The pipe reads EOF once exec closed the child's end: the command is running.
  error_write.Reset();
  ChildError report{};
  ssize_t n;
  do {
    n = ::read(error_read.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return SpawnedProcess{pid, started_at};
  if (n < 0) {  // cannot tell whether it started: make sure it did not
    int error = errno;
    ::kill(-pid, SIGKILL);
    Reap(pid);
    return ErrnoError("cannot start '" + spec.argv[0] + "': reading its exec status", error);
  }

  Reap(pid);
  if (n != static_cast<ssize_t>(sizeof report)) {
    return IoError("cannot start '" + spec.argv[0] + "': it died before exec");
  }
  return ChildFailure(spec, report);
}

}  // namespace yard
