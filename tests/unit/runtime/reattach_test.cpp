#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "runtime/proc_stat.h"
#include "runtime/process_runtime.h"
#include "runtime/state_file.h"
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
  EXPECT_TRUE(fs::is_empty(state_dir_.path()));

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
  // A state file naming the pid of a process that started at another time.
  const pid_t pid = static_cast<pid_t>(std::stoi(handle->id));
  std::optional<ProcStat> stat = ReadProcStat(pid);
  ASSERT_TRUE(stat.has_value());
  ASSERT_TRUE(WriteStateFile(state_dir_.path(), {9, 1, pid, stat->start_time - 1}).ok());

  ASSERT_TRUE(restarted_.Reattach().ok());
  EXPECT_TRUE(fs::is_empty(state_dir_.path()));
  EXPECT_EQ(previous_.Pids(*handle).size(), 1u);  // still running

  ASSERT_TRUE(previous_.Signal(*handle, SIGKILL).ok());
  ASSERT_TRUE(previous_.Wait(*handle).ok());
}

TEST_F(ReattachTest, DropsMalformedAndFinishedStateFiles) {
  auto handle = previous_.Start(Spec(1, {"/bin/true"}));
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(previous_.Wait(*handle).ok());  // ended, but its state file is still there
  std::ofstream(state_dir_.path() / "execution-5-1.json") << "{not json";

  auto found = restarted_.Reattach();
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  EXPECT_TRUE(fs::is_empty(state_dir_.path()));
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
