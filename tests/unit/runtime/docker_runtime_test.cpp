// The docker runtime against the real dockerd and registry of this machine. Skipped (with the
// reason) where dockerd does not answer or the registry lacks the busybox image: scripts/dockerd,
// scripts/registry and `scripts/build-images busybox` provide them, and
// tests/integration/test_docker.py runs them first.
#include "runtime/docker_runtime.h"

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "runtime/docker_client.h"
#include "test_support.h"

namespace yard {
namespace {

namespace fs = std::filesystem;
using testing_support::ReadFile;
using testing_support::TempDir;

std::string Registry() {
  const char* env = std::getenv("YARD_REGISTRY");
  return env && *env ? env : "127.0.0.1:5000";
}

class DockerRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status ping = docker_.Ping(); !ping.ok()) {
      GTEST_SKIP() << "no dockerd (" << ping.message() << "); scripts/dockerd starts one";
    }
    runtime_ = std::make_unique<DockerRuntime>(docker_, dir_.path() / "runtime", "test");
    Status pulled = runtime_->Prepare(Spec({"true"}), [](std::string_view) {});
    if (!pulled.ok()) {
      GTEST_SKIP() << "no busybox image (" << pulled.message()
                   << "); scripts/build-images busybox makes one";
    }
  }

  void TearDown() override {
    // Whatever a failed test left running.
    Json filters = {{"label", Json::array({std::string("yard.state_dir=") +
                                           (dir_.path() / "runtime").string()})}};
    auto left =
        docker_.Call("GET", "/containers/json?all=1&filters=" + QueryEscape(filters.dump()));
    if (left.ok()) {
      for (const Json& c : *left) {
        (void)docker_.Call("DELETE", "/containers/" + c.value("Id", "") + "?force=1");
      }
    }
  }

  LaunchSpec Spec(std::vector<std::string> argv) {
    LaunchSpec spec;
    spec.job_id = ++next_job_;
    spec.attempt = 1;
    spec.argv = std::move(argv);
    spec.env = {{"PATH", "/bin:/usr/bin"}, {"YARD_JOB_ID", std::to_string(spec.job_id)}};
    spec.image = Registry() + "/busybox:latest";
    spec.log_path = dir_.path() / ("job-" + std::to_string(spec.job_id) + ".log");
    return spec;
  }

  bool Exists(const std::string& id) {
    return docker_.Call("GET", "/containers/" + id + "/json").ok();
  }

  DockerClient docker_;
  TempDir dir_;
  std::unique_ptr<DockerRuntime> runtime_;
  int64_t next_job_ = 1000;
};

TEST_F(DockerRuntimeTest, RunsTheCommandAndCopiesItsOutput) {
  LaunchSpec spec = Spec(
      {"sh", "-c", "echo out $YARD_JOB_ID; echo err >&2; echo YARD_METRIC '{\"a\": 1}'; exit 3"});
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  auto exit = runtime_->Wait(*handle);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_GT(exit->finished_at, 0);
  std::string log = ReadFile(spec.log_path);
  EXPECT_NE(log.find("out " + std::to_string(spec.job_id) + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("err\n"), std::string::npos) << log;
  EXPECT_NE(log.find("YARD_METRIC {\"a\": 1}\n"), std::string::npos) << log;
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
  EXPECT_FALSE(Exists(handle->id));
  EXPECT_TRUE(runtime_->Cleanup(*handle).ok());  // gone already: fine
}

TEST_F(DockerRuntimeTest, MountsKeepTheirModesAndTheUserIsTheSpecs) {
  fs::create_directories(dir_.path() / "data");
  fs::create_directories(dir_.path() / "out");
  std::ofstream(dir_.path() / "data" / "x.txt") << "dataset\n";
  fs::permissions(dir_.path() / "out", fs::perms::all);  // writable for the job's user
  LaunchSpec spec = Spec({"sh", "-c",
                          "cat /data/x.txt; id -u; pwd; "
                          "touch /data/y 2>/dev/null && echo data-writable || echo data-read-only; "
                          "echo result > /out/r.txt && echo out-writable"});
  spec.mounts = {{dir_.path() / "data", "/data", true}, {dir_.path() / "out", "/out", false}};
  spec.container_work_dir = "/data";
  spec.user = "65534:65534";
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  auto exit = runtime_->Wait(*handle);
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(ReadFile(spec.log_path), "dataset\n65534\n/data\ndata-read-only\nout-writable\n");
  EXPECT_EQ(ReadFile(dir_.path() / "out" / "r.txt"), "result\n");
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
}

TEST_F(DockerRuntimeTest, ACommandNotInTheImageFailsWithTheReasonInTheLog) {
  // The container's init starts, then cannot run the command: exit code 127, as a shell says.
  LaunchSpec spec = Spec({"/no/such/program"});
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  auto exit = runtime_->Wait(*handle);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_EQ(exit->exit_code, 127);
  EXPECT_NE(ReadFile(spec.log_path).find("/no/such/program"), std::string::npos);
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
}

TEST_F(DockerRuntimeTest, AnImageNotPulledFailsAtStart) {
  LaunchSpec spec = Spec({"true"});
  spec.image = Registry() + "/never-pulled:1";
  auto handle = runtime_->Start(spec);
  ASSERT_FALSE(handle.ok());
  EXPECT_NE(handle.status().message().find("never-pulled"), std::string::npos)
      << handle.status().message();
}

TEST_F(DockerRuntimeTest, SignalEndsTheJob) {
  LaunchSpec spec = Spec({"sleep", "60"});
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  EXPECT_TRUE(testing_support::WaitUntil([&] { return !runtime_->Pids(*handle).empty(); }));
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(runtime_->Signal(*handle, SIGTERM).ok());
  auto exit = runtime_->Wait(*handle);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  // The init in the container passes SIGTERM on: no waiting for a SIGKILL.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(exit->signal, SIGTERM);
  EXPECT_TRUE(runtime_->Signal(*handle, SIGKILL).ok());  // ended already: fine
  EXPECT_TRUE(runtime_->Pids(*handle).empty());
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
}

TEST_F(DockerRuntimeTest, PidsAreHostProcesses) {
  auto handle = runtime_->Start(Spec({"sleep", "30"}));
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  std::vector<int64_t> pids;
  ASSERT_TRUE(testing_support::WaitUntil([&] {
    pids = runtime_->Pids(*handle);
    return pids.size() >= 2;  // the init and sleep
  }));
  bool found_sleep = false;
  for (int64_t pid : pids) {
    found_sleep |= ReadFile("/proc/" + std::to_string(pid) + "/comm") == "sleep\n";
  }
  EXPECT_TRUE(found_sleep);
  ASSERT_TRUE(runtime_->Signal(*handle, SIGKILL).ok());
  auto exit = runtime_->Wait(*handle);
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->signal, SIGKILL);
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
}

TEST_F(DockerRuntimeTest, ARestartedRuntimeReattachesAndWritesNothingTwice) {
  LaunchSpec spec =
      Spec({"sh", "-c", "i=1; while [ $i -le 20 ]; do echo line $i; i=$((i+1)); sleep 0.1; done"});
  { std::ofstream(spec.log_path) << "yard: before the container\n"; }
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  ASSERT_TRUE(testing_support::WaitUntil(
      [&] { return ReadFile(spec.log_path).find("line 3\n") != std::string::npos; }));
  runtime_.reset();  // the worker dies; the container goes on

  DockerRuntime restarted(docker_, dir_.path() / "runtime", "test");
  auto found = restarted.Reattach();
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, handle->id);
  EXPECT_EQ((*found)[0].job_id, spec.job_id);
  EXPECT_EQ((*found)[0].attempt, 1);
  EXPECT_GT((*found)[0].started_at, 0);
  auto exit = restarted.Wait((*found)[0]);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_EQ(exit->exit_code, 0);

  std::ostringstream expected;
  expected << "yard: before the container\n";
  for (int i = 1; i <= 20; ++i) expected << "line " << i << "\n";
  EXPECT_EQ(ReadFile(spec.log_path), expected.str());
  ASSERT_TRUE(restarted.Cleanup((*found)[0]).ok());
  auto again = restarted.Reattach();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(DockerRuntimeTest, AnEndedContainerIsReattachedWithItsExitCode) {
  LaunchSpec spec = Spec({"sh", "-c", "echo done; exit 7"});
  auto handle = runtime_->Start(spec);
  ASSERT_TRUE(handle.ok()) << handle.status().message();
  runtime_.reset();
  // It ends while no worker watches.
  ASSERT_TRUE(testing_support::WaitUntil([&] {
    auto c = docker_.Call("GET", "/containers/" + handle->id + "/json");
    return c.ok() && !(*c)["State"].value("Running", true);
  }));
  DockerRuntime restarted(docker_, dir_.path() / "runtime", "test");
  auto found = restarted.Reattach();
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  auto exit = restarted.Wait((*found)[0]);
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->exit_code, 7);
  EXPECT_EQ(ReadFile(spec.log_path), "done\n");
  ASSERT_TRUE(restarted.Cleanup((*found)[0]).ok());
}

TEST_F(DockerRuntimeTest, AnotherWorkersContainersAreNotReattached) {
  auto handle = runtime_->Start(Spec({"sleep", "30"}));
  ASSERT_TRUE(handle.ok());
  DockerRuntime other(docker_, dir_.path() / "other-runtime", "test");
  auto found = other.Reattach();
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
  ASSERT_TRUE(runtime_->Signal(*handle, SIGKILL).ok());
  ASSERT_TRUE(runtime_->Wait(*handle).ok());
  ASSERT_TRUE(runtime_->Cleanup(*handle).ok());
}

TEST_F(DockerRuntimeTest, AnUnknownImageFailsWithAClearReason) {
  LaunchSpec spec = Spec({"true"});
  spec.image = Registry() + "/no-such-image:latest";
  std::vector<std::string> lines;
  Status s = runtime_->Prepare(spec, [&](std::string_view line) { lines.emplace_back(line); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_NE(s.message().find("no-such-image"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("is not in registry"), std::string::npos) << s.message();
}

TEST_F(DockerRuntimeTest, PullProgressGoesToTheLog) {
  std::vector<std::string> lines;
  Status s =
      runtime_->Prepare(Spec({"true"}), [&](std::string_view line) { lines.emplace_back(line); });
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "pull: " + Registry() + "/busybox:latest");
}

}  // namespace
}  // namespace yard
