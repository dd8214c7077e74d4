#include "runtime/process_runtime.h"
#include "runtime/execution_journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "runtime/proc_stat.h"
#include "test_support.h"

namespace yard {
namespace {

namespace fs = std::filesystem;
using testing_support::ReadFile;
using testing_support::TempDir;
using testing_support::WaitUntil;

// Gone, or a zombie waiting for a parent that is not us: either way it holds nothing.
bool Ended(int64_t pid) {
  std::optional<ProcStat> stat = ReadProcStat(static_cast<pid_t>(pid));
  return !stat || stat->state == 'Z';
}

class ProcessRuntimeTest : public ::testing::Test {
 protected:
  LaunchSpec Spec(std::vector<std::string> argv) {
    LaunchSpec spec;
    spec.job_id = 7;
    spec.attempt = 1;
    spec.argv = std::move(argv);
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.work_dir = dir_.path();
    spec.log_path = dir_.path() / "logs" / "job.log";
    return spec;
  }

  // Starts `spec` and waits for it to end.
  ExitStatus Run(const LaunchSpec& spec) {
    auto handle = runtime_.Start(spec);
    EXPECT_TRUE(handle.ok()) << handle.status().ToString();
    if (!handle.ok()) return {};
    auto status = runtime_.Wait(*handle);
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_TRUE(runtime_.Cleanup(*handle).ok());
    return status.ok() ? *status : ExitStatus{};
  }

  std::string Log() { return ReadFile(dir_.path() / "logs" / "job.log"); }

  TempDir dir_;
  TempDir state_dir_;
  ProcessRuntime runtime_{state_dir_.path(), std::chrono::milliseconds(200)};
};

TEST_F(ProcessRuntimeTest, EchoWritesTheLog) {
  const Micros before = NowMicros();
  auto handle = runtime_.Start(Spec({"/bin/echo", "hi"}));
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  EXPECT_EQ(handle->job_id, 7);
  EXPECT_EQ(handle->attempt, 1);
  EXPECT_GE(handle->started_at, before);
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->exit_code, 0);
  EXPECT_EQ(status->signal, 0);
  EXPECT_GE(status->finished_at, handle->started_at);
  EXPECT_EQ(Log(), "hi\n");
}

TEST_F(ProcessRuntimeTest, LogIsAppended) {
  Run(Spec({"/bin/echo", "one"}));
  Run(Spec({"/bin/sh", "-c", "echo two; echo three >&2"}));
  EXPECT_EQ(Log(), "one\ntwo\nthree\n");
}

TEST_F(ProcessRuntimeTest, ExitCodeIsReported) {
  ExitStatus status = Run(Spec({"/bin/sh", "-c", "exit 3"}));
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.signal, 0);
}

TEST_F(ProcessRuntimeTest, EnvironmentIsExactlyTheSpecs) {
  LaunchSpec spec = Spec({"/usr/bin/env"});
  spec.env = {{"FOO", "bar baz"}, {"YARD_JOB_ID", "7"}};
  Run(spec);
  EXPECT_EQ(Log(), "FOO=bar baz\nYARD_JOB_ID=7\n");
}

TEST_F(ProcessRuntimeTest, RunsInWorkDir) {
  fs::create_directory(dir_.path() / "work");
  LaunchSpec spec = Spec({"/bin/pwd"});
  spec.work_dir = dir_.path() / "work";
  Run(spec);
  EXPECT_EQ(Log(), (dir_.path() / "work").string() + "\n");
}

TEST_F(ProcessRuntimeTest, StdinIsEmpty) {
  Run(Spec({"/bin/sh", "-c", "cat; echo done"}));
  EXPECT_EQ(Log(), "done\n");
}

TEST_F(ProcessRuntimeTest, NoFdOfTheWorkerLeaksIntoTheJob) {
  int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as a careless library would
  ASSERT_GE(leaky, 0);
  Run(Spec({"/bin/ls", "/proc/self/fd"}));
  ::close(leaky);
  EXPECT_EQ(Log(), "0\n1\n2\n3\n");  // 3: the directory ls itself is reading
}

TEST_F(ProcessRuntimeTest, CommandIsFoundInTheJobsPath) {
  LaunchSpec spec = Spec({"echo", "found"});
  Run(spec);
  EXPECT_EQ(Log(), "found\n");

  spec.env["PATH"] = (dir_.path() / "empty").string();
  auto handle = runtime_.Start(spec);
  ASSERT_FALSE(handle.ok());
  EXPECT_EQ(handle.status().message(), "cannot start 'echo': No such file or directory");
}

TEST_F(ProcessRuntimeTest, MissingCommandFailsStartNamingIt) {
  auto handle = runtime_.Start(Spec({"nosuchcmd-for-yard", "--flag"}));
  ASSERT_FALSE(handle.ok());
  EXPECT_EQ(handle.status().message(),
            "cannot start 'nosuchcmd-for-yard': No such file or directory");
  auto journal = ExecutionJournal(state_dir_.path() / "executions.journal").Read();
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(journal->live.empty());  // nothing for a restarted worker to look for
}

TEST_F(ProcessRuntimeTest, NonExecutableFileFailsStart) {
  std::ofstream(dir_.path() / "script.sh") << "echo hi\n";
  auto handle = runtime_.Start(Spec({"./script.sh"}));
  ASSERT_FALSE(handle.ok());
  EXPECT_EQ(handle.status().message(), "cannot start './script.sh': Permission denied");
}

TEST_F(ProcessRuntimeTest, MissingWorkDirFailsStart) {
  LaunchSpec spec = Spec({"/bin/true"});
  spec.work_dir = dir_.path() / "nowhere";
  auto handle = runtime_.Start(spec);
  ASSERT_FALSE(handle.ok());
  EXPECT_NE(handle.status().message().find("cannot start '/bin/true': cannot enter its work_dir"),
            std::string::npos)
      << handle.status().message();
}

TEST_F(ProcessRuntimeTest, EmptyCommandIsInvalid) {
  auto handle = runtime_.Start(Spec({}));
  ASSERT_FALSE(handle.ok());
  EXPECT_EQ(handle.status().code(), Code::kInvalidArgument);
}

TEST_F(ProcessRuntimeTest, SigtermEndsTheJob) {
  auto handle = runtime_.Start(Spec({"/bin/sleep", "30"}));
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(runtime_.Signal(*handle, SIGTERM).ok());
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST_F(ProcessRuntimeTest, JobGetsDefaultSignalHandlingWhateverTheWorkersIs) {
  // A worker that ignores or blocks SIGTERM must not pass that on to its jobs.
  struct sigaction ignore {
  }, saved{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGTERM, &ignore, &saved);
  sigset_t term, saved_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, &saved_mask);

  auto handle = runtime_.Start(Spec({"/bin/sleep", "30"}));

  ::pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  ::sigaction(SIGTERM, &saved, nullptr);
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(runtime_.Signal(*handle, SIGTERM).ok());
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST_F(ProcessRuntimeTest, SignalReachesEveryProcessOfTheJob) {
  // ": " keeps the shell from exec'ing the last sleep, so the job has three processes.
  auto handle = runtime_.Start(Spec({"/bin/sh", "-c", "sleep 30 & sleep 30; :"}));
  ASSERT_TRUE(handle.ok());
  std::vector<int64_t> pids;
  ASSERT_TRUE(WaitUntil([&] {
    pids = runtime_.Pids(*handle);
    return pids.size() == 3;
  })) << pids.size();
  EXPECT_NE(std::find(pids.begin(), pids.end(), std::stoll(handle->id)), pids.end());

  ASSERT_TRUE(runtime_.Signal(*handle, SIGKILL).ok());
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(WaitUntil([&] { return std::all_of(pids.begin(), pids.end(), Ended); }));
  EXPECT_TRUE(runtime_.Pids(*handle).empty());
  EXPECT_TRUE(runtime_.Signal(*handle, SIGTERM).ok());  // gone already: not an error
}

TEST_F(ProcessRuntimeTest, WaitEndsWhatTheLeaderLeftBehind) {
  auto handle = runtime_.Start(Spec({"/bin/sh", "-c", "sleep 30 & echo $!"}));
  ASSERT_TRUE(handle.ok());
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->exit_code, 0);
  const int64_t orphan = std::stoll(Log());
  EXPECT_TRUE(WaitUntil([&] { return Ended(orphan); }));
}

TEST_F(ProcessRuntimeTest, JournalRecordsTheExecutionUntilCleanup) {
  ExecutionJournal journal(state_dir_.path() / "executions.journal");
  auto handle = runtime_.Start(Spec({"/bin/true"}));
  ASSERT_TRUE(handle.ok());
  auto during = journal.Read();
  ASSERT_TRUE(during.ok());
  ASSERT_EQ(during->live.size(), 1u);
  EXPECT_EQ(during->live[0].job_id, handle->job_id);
  EXPECT_EQ(during->live[0].attempt, handle->attempt);
  EXPECT_EQ(std::to_string(during->live[0].pid), handle->id);
  ASSERT_TRUE(runtime_.Wait(*handle).ok());
  ASSERT_TRUE(runtime_.Cleanup(*handle).ok());
  auto after = journal.Read();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->live.empty());
  EXPECT_EQ(after->bad_lines, 0);
}

TEST_F(ProcessRuntimeTest, JobDiesWithTheThreadThatStartedIt) {
  // What ends jobs when the worker dies, and why Start must be called from a thread that
  // lives as long as the job.
  Result<ExecutionHandle> handle = Status(Code::kInternal, "not started");
  std::thread([&] { handle = runtime_.Start(Spec({"/bin/sleep", "30"})); }).join();
  ASSERT_TRUE(handle.ok());
  auto status = runtime_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGKILL);
}

TEST_F(ProcessRuntimeTest, BadHandleIsInvalidArgument) {
  ExecutionHandle handle{7, 1, "not-a-pid", 0};
  EXPECT_EQ(runtime_.Signal(handle, SIGTERM).code(), Code::kInvalidArgument);
  EXPECT_EQ(runtime_.Wait(handle).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(runtime_.Pids(handle).empty());
}

}  // namespace
}  // namespace yard
