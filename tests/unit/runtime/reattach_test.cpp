#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "runtime/execution_journal.h"
#include "runtime/proc_stat.h"
#include "runtime/process_runtime.h"
#include "test_support.h"

namespace yard {
namespace {

namespace fs = std::filesystem;
using testing_support::TempDir;
using testing_support::WaitUntil;

LaunchSpec Spec(int64_t job_id, std::vector<std::string> argv) {
  LaunchSpec spec;
  spec.job_id = job_id;
  spec.attempt = 2;
  spec.argv = std::move(argv);
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  return spec;
}

// The "previous worker" is this test process: its jobs are our children, so Wait reaps them
// and tells how they ended.
class ReattachTest : public ::testing::Test {
 protected:
  // What a restarted worker would find to end.
  size_t LiveInJournal() {
    auto journal = ExecutionJournal(state_dir_.path() / "executions.journal").Read();
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    return journal.ok() ? journal->live.size() : 0;
  }

  TempDir state_dir_;
  ProcessRuntime previous_{state_dir_.path()};
  ProcessRuntime restarted_{state_dir_.path(), std::chrono::milliseconds(200)};
};

TEST_F(ReattachTest, EndsJobsLeftByAnEarlierWorker) {
  auto handle = previous_.Start(Spec(1, {"/bin/sleep", "30"}));
  ASSERT_TRUE(handle.ok());

  auto found = restarted_.Reattach();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->empty());
  EXPECT_EQ(LiveInJournal(), 0u);

  auto status = previous_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST_F(ReattachTest, KillsJobsThatIgnoreSigterm) {
  auto handle = previous_.Start(Spec(1, {"/bin/sh", "-c", "trap '' TERM; sleep 30; :"}));
  ASSERT_TRUE(handle.ok());
  // Once sleep runs, the trap is set (and sleep inherited it).
  ASSERT_TRUE(WaitUntil([&] { return previous_.Pids(*handle).size() == 2; }));

  ASSERT_TRUE(restarted_.Reattach().ok());
  auto status = previous_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGKILL);
}

TEST_F(ReattachTest, LeavesAReusedPidAlone) {
  auto handle = previous_.Start(Spec(1, {"/bin/sleep", "30"}));
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(previous_.Cleanup(*handle).ok());
  // A record naming the pid of a process that started at another time.
  const pid_t pid = static_cast<pid_t>(std::stoi(handle->id));
  std::optional<ProcStat> stat = ReadProcStat(pid);
  ASSERT_TRUE(stat.has_value());
  ExecutionJournal journal(state_dir_.path() / "executions.journal");
  ASSERT_TRUE(journal.Started({9, 1, pid, stat->start_time - 1}).ok());
  ASSERT_EQ(LiveInJournal(), 1u);

  ASSERT_TRUE(restarted_.Reattach().ok());
  EXPECT_EQ(LiveInJournal(), 0u);
  EXPECT_EQ(previous_.Pids(*handle).size(), 1u);  // still running

  ASSERT_TRUE(previous_.Signal(*handle, SIGKILL).ok());
  ASSERT_TRUE(previous_.Wait(*handle).ok());
}

TEST_F(ReattachTest, SkipsFinishedExecutionsAndTornLines) {
  auto handle = previous_.Start(Spec(1, {"/bin/true"}));
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(previous_.Wait(*handle).ok());  // ended, but not yet recorded as ended
  // The previous worker died while writing its next line.
  std::ofstream(state_dir_.path() / "executions.journal", std::ios::app) << "start 5 1 12";
  auto journal = ExecutionJournal(state_dir_.path() / "executions.journal").Read();
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ(journal->live.size(), 1u);
  EXPECT_EQ(journal->bad_lines, 1);

  auto found = restarted_.Reattach();
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  EXPECT_EQ(LiveInJournal(), 0u);
}

TEST_F(ReattachTest, EndsWhatAStateFileOfAnOlderWorkerNames) {
  // Workers before the journal kept a JSON file per execution.
  auto handle = previous_.Start(Spec(1, {"/bin/sleep", "30"}));
  ASSERT_TRUE(handle.ok());
  std::optional<ProcStat> stat = ReadProcStat(static_cast<pid_t>(std::stoi(handle->id)));
  ASSERT_TRUE(stat.has_value());
  ASSERT_TRUE(ExecutionJournal(state_dir_.path() / "executions.journal").Clear().ok());
  std::ofstream(state_dir_.path() / "execution-1-2.json")
      << "{\"job_id\": 1, \"attempt\": 2, \"pid\": " << handle->id
      << ", \"start_time\": " << stat->start_time << "}";
  std::ofstream(state_dir_.path() / "execution-5-1.json") << "{not json";

  ASSERT_TRUE(restarted_.Reattach().ok());
  EXPECT_FALSE(fs::exists(state_dir_.path() / "execution-1-2.json"));
  EXPECT_FALSE(fs::exists(state_dir_.path() / "execution-5-1.json"));
  auto status = previous_.Wait(*handle);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST(ExecutionJournal, RewritesItselfWithTheLiveOnes) {
  TempDir dir;
  const fs::path path = dir.path() / "executions.journal";
  ExecutionJournal journal(path);
  ASSERT_TRUE(journal.Started({1, 1, 100, 7}).ok());
  for (int64_t job = 2; job < 1000; ++job) {
    ASSERT_TRUE(journal.Started({job, 1, static_cast<pid_t>(100 + job), 7}).ok());
    ASSERT_TRUE(journal.Ended(job, 1).ok());
  }
  // 1,997 lines written; rewrites keep the file short and job 1 in it.
  EXPECT_LT(fs::file_size(path), 20'000u);
  auto read = journal.Read();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->live.size(), 1u);
  EXPECT_EQ(read->live[0].job_id, 1);
  EXPECT_EQ(read->live[0].pid, 100);
  EXPECT_EQ(read->bad_lines, 0);

  // A journal opened afresh (a restarted worker) keeps what the file holds when it rewrites.
  ExecutionJournal reopened(path);
  for (int64_t job = 2000; job < 2300; ++job) {
    ASSERT_TRUE(reopened.Started({job, 1, static_cast<pid_t>(job), 7}).ok());
    ASSERT_TRUE(reopened.Ended(job, 1).ok());
  }
  read = reopened.Read();
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->live.size(), 1u);
  EXPECT_EQ(read->live[0].job_id, 1);
}

TEST(MakeRuntime, ProcessDockerAndUnknown) {
  TempDir dir;
  auto process = MakeRuntime({.kind = "process", .state_dir = dir.path() / "state"});
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->name(), "process");
  EXPECT_TRUE(fs::is_directory(dir.path() / "state"));

  // Without an answering dockerd (docker_runtime_test.cpp covers one that answers).
  auto docker = MakeRuntime({.kind = "docker", .docker_socket = dir.path() / "no-docker.sock"});
  ASSERT_FALSE(docker.ok());
  EXPECT_EQ(docker.status().code(), Code::kUnavailable);
  EXPECT_NE(docker.status().message().find("scripts/dockerd"), std::string::npos);

  auto bogus = MakeRuntime({.kind = "podman"});
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace yard
