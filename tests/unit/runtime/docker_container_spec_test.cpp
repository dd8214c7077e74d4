#include "runtime/docker_container_spec.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace yard {
namespace {

LaunchSpec BasicSpec() {
  LaunchSpec spec;
  spec.job_id = 42;
  spec.attempt = 2;
  spec.argv = {"python3", "train.py", "--lr", "0.1"};
  spec.env = {
      {"YARD_JOB_ID", "42"}, {"CUDA_VISIBLE_DEVICES", "2,3"}, {"NVIDIA_VISIBLE_DEVICES", "2,3"}};
  spec.image = "127.0.0.1:5000/pytorch:bookworm";
  spec.log_path = "/w/logs/42-2.log";
  spec.gpu_indices = {2, 3};
  spec.gpu_uuids = {"GPU-aaa", "GPU-bbb"};
  return spec;
}

ContainerOwner Owner() { return {"w1", "/w/runtime", 123}; }

bool HasEnv(const Json& body, const std::string& entry) {
  const auto& env = body["Env"];
  return std::find(env.begin(), env.end(), Json(entry)) != env.end();
}

TEST(DockerContainerSpecTest, RunsArgvWithoutShell) {
  auto body = ContainerCreateBody(BasicSpec(), Owner());
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ((*body)["Image"], "127.0.0.1:5000/pytorch:bookworm");
  EXPECT_EQ((*body)["Entrypoint"], Json::array({"python3"}));
  EXPECT_EQ((*body)["Cmd"], Json::array({"train.py", "--lr", "0.1"}));
  EXPECT_EQ((*body)["Tty"], false);
  EXPECT_EQ((*body)["HostConfig"]["Init"], true);
  EXPECT_FALSE(body->contains("WorkingDir"));
  EXPECT_FALSE(body->contains("User"));
}

TEST(DockerContainerSpecTest, NeverPrivilegedAndNoNewPrivileges) {
  LaunchSpec spec = BasicSpec();
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  const Json& host = (*body)["HostConfig"];
  EXPECT_EQ(host["Privileged"], false);
  EXPECT_EQ(host["SecurityOpt"], Json::array({"no-new-privileges"}));
  EXPECT_TRUE(host["CapAdd"].empty());
  auto drops = host["CapDrop"];
  EXPECT_NE(std::find(drops.begin(), drops.end(), Json("NET_RAW")), drops.end());
  EXPECT_EQ(host["NetworkMode"], "host");
}

TEST(DockerContainerSpecTest, FakeGpusGetNoDevices) {
  LaunchSpec spec = BasicSpec();
  spec.real_gpus = false;
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  EXPECT_FALSE((*body)["HostConfig"].contains("DeviceRequests"));
  // The environment is the job's own, as the process runtime would give it.
  EXPECT_TRUE(HasEnv(*body, "CUDA_VISIBLE_DEVICES=2,3"));
  EXPECT_TRUE(HasEnv(*body, "NVIDIA_VISIBLE_DEVICES=2,3"));
}

TEST(DockerContainerSpecTest, RealGpusAreRequestedByUuid) {
  LaunchSpec spec = BasicSpec();
  spec.real_gpus = true;
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  const Json& requests = (*body)["HostConfig"]["DeviceRequests"];
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["Driver"], "nvidia");
  EXPECT_EQ(requests[0]["DeviceIDs"], Json::array({"GPU-aaa", "GPU-bbb"}));
  EXPECT_EQ(requests[0]["Capabilities"], Json::array({Json::array({"gpu"})}));
  // Inside, the job's GPUs are numbered from 0; dockerd names them to the NVIDIA hook.
  EXPECT_TRUE(HasEnv(*body, "CUDA_VISIBLE_DEVICES=0,1"));
  for (const auto& e : (*body)["Env"]) {
    EXPECT_NE(e.get<std::string>().rfind("NVIDIA_VISIBLE_DEVICES=", 0), 0u) << e;
  }
  EXPECT_TRUE(HasEnv(*body, "NVIDIA_DRIVER_CAPABILITIES=compute,utility"));
}

TEST(DockerContainerSpecTest, RealGpusNeedUuids) {
  LaunchSpec spec = BasicSpec();
  spec.real_gpus = true;
  spec.gpu_uuids = {"GPU-aaa"};
  EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument);
}

TEST(DockerContainerSpecTest, NoGpusNoDevicesEvenWhenReal) {
  LaunchSpec spec = BasicSpec();
  spec.real_gpus = true;
  spec.gpu_indices.clear();
  spec.gpu_uuids.clear();
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  EXPECT_FALSE((*body)["HostConfig"].contains("DeviceRequests"));
}

TEST(DockerContainerSpecTest, MountsKeepTheirModes) {
  LaunchSpec spec = BasicSpec();
  spec.mounts = {{"/cache/code/abc", "/code", true},
                 {"/cache/data/mnist", "/data/mnist", true},
                 {"/w/outputs/42", "/output", false}};
  spec.container_work_dir = "/code";
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  const Json& mounts = (*body)["HostConfig"]["Mounts"];
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0]["Type"], "bind");
  EXPECT_EQ(mounts[0]["Source"], "/cache/code/abc");
  EXPECT_EQ(mounts[0]["Target"], "/code");
  EXPECT_EQ(mounts[0]["ReadOnly"], true);
  EXPECT_EQ(mounts[1]["ReadOnly"], true);
  EXPECT_EQ(mounts[2]["Target"], "/output");
  EXPECT_EQ(mounts[2]["ReadOnly"], false);
  EXPECT_EQ((*body)["WorkingDir"], "/code");
}

TEST(DockerContainerSpecTest, RefusesRelativeMounts) {
  LaunchSpec spec = BasicSpec();
  spec.mounts = {{"relative/dir", "/code", true}};
  EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument);
  spec.mounts = {{"/abs", "code", true}};
  EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument);
}

TEST(DockerContainerSpecTest, LabelsIdentifyTheJob) {
  LaunchSpec spec = BasicSpec();
  spec.labels = {{"team", "vision"}, {"yard.job_id", "forged"}};
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  const Json& labels = (*body)["Labels"];
  EXPECT_EQ(labels["team"], "vision");
  EXPECT_EQ(labels["yard.job_id"], "42");  // the runtime's own labels win
  EXPECT_EQ(labels["yard.attempt"], "2");
  EXPECT_EQ(labels["yard.worker"], "w1");
  EXPECT_EQ(labels["yard.state_dir"], "/w/runtime");
  EXPECT_EQ(labels["yard.log_offset"], "123");

  auto read = ReadContainerLabels(labels);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->job_id, 42);
  EXPECT_EQ(read->attempt, 2);
  EXPECT_EQ(read->log_path, "/w/logs/42-2.log");
  EXPECT_EQ(read->log_offset, 123);
}

TEST(DockerContainerSpecTest, ForeignLabelsAreRefused) {
  EXPECT_FALSE(ReadContainerLabels(Json::object()).ok());
  EXPECT_FALSE(ReadContainerLabels({{"yard.job_id", "x"}}).ok());
  EXPECT_FALSE(ReadContainerLabels(nullptr).ok());
}

TEST(DockerContainerSpecTest, LimitsUserAndNetwork) {
  LaunchSpec spec = BasicSpec();
  spec.memory_bytes = int64_t{1} << 30;
  spec.nano_cpus = 2'000'000'000;
  spec.pids_limit = 512;
  spec.user = "1000:1000";
  spec.network = "none";
  auto body = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(body.ok());
  const Json& host = (*body)["HostConfig"];
  EXPECT_EQ(host["Memory"], int64_t{1} << 30);
  EXPECT_EQ(host["MemorySwap"], int64_t{1} << 30);
  EXPECT_EQ(host["NanoCpus"], 2'000'000'000);
  EXPECT_EQ(host["PidsLimit"], 512);
  EXPECT_EQ(host["ShmSize"], int64_t{1} << 30);  // never more than the memory limit
  EXPECT_EQ(host["NetworkMode"], "none");
  EXPECT_EQ((*body)["User"], "1000:1000");

  spec = BasicSpec();
  auto unlimited = ContainerCreateBody(spec, Owner());
  ASSERT_TRUE(unlimited.ok());
  EXPECT_FALSE((*unlimited)["HostConfig"].contains("Memory"));
  EXPECT_FALSE((*unlimited)["HostConfig"].contains("PidsLimit"));
  EXPECT_EQ((*unlimited)["HostConfig"]["ShmSize"], kShmBytes);
}

TEST(DockerContainerSpecTest, OnlyHostOrNoNetwork) {
  LaunchSpec spec = BasicSpec();
  for (const char* network : {"bridge", "", "container:abc", "my-net"}) {
    spec.network = network;
    EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument)
        << network;
  }
}

TEST(DockerContainerSpecTest, RefusesWhatCannotRun) {
  LaunchSpec spec = BasicSpec();
  spec.argv.clear();
  EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument);
  spec = BasicSpec();
  spec.image.clear();
  auto no_image = ContainerCreateBody(spec, Owner());
  EXPECT_EQ(no_image.status().code(), Code::kInvalidArgument);
  EXPECT_NE(no_image.status().message().find("image"), std::string::npos);
  spec = BasicSpec();
  spec.memory_bytes = -1;
  EXPECT_EQ(ContainerCreateBody(spec, Owner()).status().code(), Code::kInvalidArgument);
}

TEST(DockerContainerSpecTest, NamesAreReadableAndPerWorker) {
  std::string a = ContainerName(7, 1, "/srv/w1/runtime");
  std::string b = ContainerName(7, 1, "/srv/w2/runtime");
  EXPECT_EQ(a.rfind("yard-job-7-1-", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("yard-job-7-1-").size() + 8);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, ContainerName(7, 1, "/srv/w1/runtime"));  // stable across restarts
}

}  // namespace
}  // namespace yard
