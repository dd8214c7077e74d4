// What a job is shown: host paths for the process runtime, mounts and container paths for the
// docker runtime, and nothing of the worker's own environment in a container.
#include "worker/launch_spec.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace yard {
namespace {
namespace fs = std::filesystem;

Assignment MakeAssignment() {
  Assignment a;
  a.job_id = 7;
  a.attempt = 2;
  a.gpus = {1, 3};
  a.hparams = {{"lr", 0.1}};
  a.spec.command = {"python3", "train.py"};
  a.spec.image = "127.0.0.1:5000/pytorch:bookworm";
  a.spec.code = "code/" + std::string(64, 'a');
  a.spec.env = {{"OMP_NUM_THREADS", "2"}};
  a.spec.resources.memory_bytes = int64_t{1} << 30;
  a.spec.resources.nano_cpus = 1'500'000'000;
  a.spec.resources.pids = 256;
  a.spec.run_as = "1000:1000";
  return a;
}

LaunchContext Context(bool in_container, bool real_gpus) {
  LaunchContext c;
  c.in_container = in_container;
  c.real_gpus = real_gpus;
  for (int i = 0; i < 4; ++i) c.gpus.push_back({i, "GPU-uuid-" + std::to_string(i), "H100", 0, ""});
  return c;
}

const Mount* MountAt(const LaunchSpec& spec, const std::string& target) {
  for (const Mount& m : spec.mounts)
    if (m.container_path == target) return &m;
  return nullptr;
}

TEST(MakeLaunchSpec, ContainerGetsMountsContainerPathsAndLimits) {
  ::setenv("LOGNAME", "host-logname", 1);  // not TMPDIR: later tests make temporary files
  WorkerPaths paths{"/srv/yard/worker"};
  Assignment a = MakeAssignment();
  auto spec = MakeLaunchSpec(a, paths, Context(true, false));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();

  const Mount* code = MountAt(*spec, "/code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->host_path, paths.CodeDir(std::string(64, 'a')));
  EXPECT_TRUE(code->read_only);
  EXPECT_EQ(spec->container_work_dir, "/code");
  const Mount* data = MountAt(*spec, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->host_path, paths.DataDir(7, 2));
  EXPECT_TRUE(data->read_only);
  const Mount* outputs = MountAt(*spec, "/outputs");
  ASSERT_NE(outputs, nullptr);
  EXPECT_EQ(outputs->host_path, paths.OutputDir(7));
  EXPECT_FALSE(outputs->read_only);
  const Mount* checkpoints = MountAt(*spec, "/checkpoints");
  ASSERT_NE(checkpoints, nullptr);
  EXPECT_EQ(checkpoints->host_path, paths.CheckpointDir(a));
  EXPECT_FALSE(checkpoints->read_only);

  EXPECT_EQ(spec->env.at("YARD_OUTPUT_DIR"), "/outputs");
  EXPECT_EQ(spec->env.at("YARD_CHECKPOINT_DIR"), "/checkpoints");
  EXPECT_EQ(spec->env.at("YARD_DATA_DIR"), "/data");
  EXPECT_EQ(spec->env.at("OMP_NUM_THREADS"), "2");
  EXPECT_EQ(spec->env.at("YARD_JOB_ID"), "7");
  EXPECT_EQ(spec->env.at("CUDA_VISIBLE_DEVICES"), "1,3");
  // Fake GPUs: no device of the host's by index.
  EXPECT_EQ(spec->env.at("NVIDIA_VISIBLE_DEVICES"), "void");
  for (const char* host_only : {"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "LANG", "TZ"})
    EXPECT_EQ(spec->env.count(host_only), 0u) << host_only;

  EXPECT_EQ(spec->user, "1000:1000");
  EXPECT_EQ(spec->memory_bytes, int64_t{1} << 30);
  EXPECT_EQ(spec->nano_cpus, 1'500'000'000);
  EXPECT_EQ(spec->pids_limit, 256);
  EXPECT_FALSE(spec->real_gpus);
  EXPECT_EQ(spec->gpu_indices, (std::vector<int>{1, 3}));
}

TEST(MakeLaunchSpec, RealGpusCarryTheirUuids) {
  WorkerPaths paths{"/w"};
  auto spec = MakeLaunchSpec(MakeAssignment(), paths, Context(true, true));
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->real_gpus);
  EXPECT_EQ(spec->gpu_uuids, (std::vector<std::string>{"GPU-uuid-1", "GPU-uuid-3"}));

  Assignment stray = MakeAssignment();
  stray.gpus = {9};
  auto refused = MakeLaunchSpec(stray, paths, Context(true, true));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("GPU 9 is not on this worker"), std::string::npos);
}

TEST(MakeLaunchSpec, WithoutCodeTheImageKeepsItsWorkingDirectory) {
  Assignment a = MakeAssignment();
  a.spec.code.clear();
  auto spec = MakeLaunchSpec(a, WorkerPaths{"/w"}, Context(true, false));
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(MountAt(*spec, "/code"), nullptr);
  EXPECT_EQ(spec->container_work_dir, "");
  EXPECT_NE(MountAt(*spec, "/outputs"), nullptr);
}

TEST(MakeLaunchSpec, ProcessRuntimeUsesHostPathsAndNoMounts) {
  ::setenv("HOME", "/home/someone", 1);
  WorkerPaths paths{"/srv/w"};
  Assignment a = MakeAssignment();
  auto spec = MakeLaunchSpec(a, paths, Context(false, false));
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->mounts.empty());
  EXPECT_EQ(spec->work_dir, paths.CodeDir(std::string(64, 'a')));
  EXPECT_EQ(spec->env.at("YARD_OUTPUT_DIR"), paths.OutputDir(7).string());
  EXPECT_EQ(spec->env.at("YARD_CHECKPOINT_DIR"), paths.CheckpointDir(a).string());
  EXPECT_EQ(spec->env.at("YARD_DATA_DIR"), paths.DataDir(7, 2).string());
  EXPECT_EQ(spec->env.at("HOME"), "/home/someone");
  EXPECT_EQ(spec->env.at("NVIDIA_VISIBLE_DEVICES"), "1,3");
  EXPECT_TRUE(spec->user.empty());
  EXPECT_EQ(spec->memory_bytes, 0);
  EXPECT_EQ(ContainerOnlySettings(a.spec),
            "resources.memory, resources.cpus, resources.pids, run_as");
}

TEST(MakeLaunchSpec, RefusesCodeThatIsNotASnapshot) {
  Assignment a = MakeAssignment();
  a.spec.code = "./src";
  auto spec = MakeLaunchSpec(a, WorkerPaths{"/w"}, Context(true, false));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), Code::kInvalidArgument);
}

TEST(GiveWritableMounts, ChownsTheWritableFoldersOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving files to another user needs root";
  fs::path root = fs::temp_directory_path() / ("yard-give-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "out" / "sub");
  fs::create_directories(root / "ro");
  std::ofstream(root / "out" / "sub" / "ckpt.pt") << "x";
  LaunchSpec spec;
  spec.user = "1234:4321";
  spec.mounts = {{root / "out", "/outputs", false}, {root / "ro", "/data", true}};
  ASSERT_TRUE(GiveWritableMounts(spec).ok());
  struct stat st {};
  for (const fs::path& p : {root / "out", root / "out" / "sub", root / "out" / "sub" / "ckpt.pt"}) {
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1234u) << p;
    EXPECT_EQ(st.st_gid, 4321u) << p;
  }
  ASSERT_EQ(::stat((root / "ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  fs::remove_all(root);
}

TEST(JobEnvironment, AGangPartKnowsItsRankAndWhereRankZeroListens) {
  WorkerPaths paths{"/srv/yard/worker"};
  Assignment one = MakeAssignment();
  one.spec.env["MASTER_ADDR"] = "the user's own";
  auto env = JobEnvironment(one, paths, false);
  EXPECT_EQ(env["YARD_NUM_NODES"], "1");
  EXPECT_EQ(env["YARD_NODE_RANK"], "0");
  EXPECT_EQ(env["MASTER_ADDR"], "the user's own");  // not a gang: the spec's to set
  EXPECT_EQ(env.count("MASTER_PORT"), 0u);

  Assignment part = MakeAssignment();
  part.spec.env["MASTER_ADDR"] = "the user's own";
  part.num_nodes = 4;
  part.node_rank = 3;
  part.master_addr = "gpu-node-1";
  part.master_port = 29511;
  env = JobEnvironment(part, paths, true);
  EXPECT_EQ(env["YARD_NUM_NODES"], "4");
  EXPECT_EQ(env["YARD_NODE_RANK"], "3");
  EXPECT_EQ(env["MASTER_ADDR"], "gpu-node-1");
  EXPECT_EQ(env["MASTER_PORT"], "29511");
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "1,3");
}

}  // namespace
}  // namespace yard
