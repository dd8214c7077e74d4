#include "gpu/fake_gpu_spec.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace yard {
namespace {

TEST(ParseFakeGpuSpec, CountGivesDefaultModel) {
  auto gpus = ParseFakeGpuSpec("4", "worker-a");
  ASSERT_TRUE(gpus.ok()) << gpus.status().ToString();
  ASSERT_EQ(gpus->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const GpuInfo& gpu = (*gpus)[static_cast<size_t>(i)];
    EXPECT_EQ(gpu.index, i);
    EXPECT_EQ(gpu.model, "FakeGPU-16GB");
    EXPECT_EQ(gpu.memory_mb, 16 * 1024);
    EXPECT_EQ(gpu.compute_capability, "8.0");
  }
}

TEST(ParseFakeGpuSpec, ModelsInSpecOrder) {
  auto gpus = ParseFakeGpuSpec("2xA100-80GB,1xV100-16GB,1xH100-80GB", "w");
  ASSERT_TRUE(gpus.ok()) << gpus.status().ToString();
  ASSERT_EQ(gpus->size(), 4u);
  EXPECT_EQ((*gpus)[0].model, "A100-80GB");
  EXPECT_EQ((*gpus)[1].model, "A100-80GB");
  EXPECT_EQ((*gpus)[1].memory_mb, 80 * 1024);
  EXPECT_EQ((*gpus)[1].compute_capability, "8.0");
  EXPECT_EQ((*gpus)[2].model, "V100-16GB");
  EXPECT_EQ((*gpus)[2].memory_mb, 16 * 1024);
  EXPECT_EQ((*gpus)[2].compute_capability, "7.0");
  EXPECT_EQ((*gpus)[3].compute_capability, "9.0");
  for (int i = 0; i < 4; ++i) EXPECT_EQ((*gpus)[static_cast<size_t>(i)].index, i);
}

TEST(FakeComputeCapability, ByFamily) {
  EXPECT_EQ(FakeComputeCapability("T4-16GB"), "7.5");
  EXPECT_EQ(FakeComputeCapability("A10-24GB"), "8.6");
  EXPECT_EQ(FakeComputeCapability("A10G-24GB"), "8.6");
  EXPECT_EQ(FakeComputeCapability("A30-24GB"), "8.0");
  EXPECT_EQ(FakeComputeCapability("A40-48GB"), "8.6");
  EXPECT_EQ(FakeComputeCapability("A100-40GB"), "8.0");
  EXPECT_EQ(FakeComputeCapability("L4-24GB"), "8.9");
  EXPECT_EQ(FakeComputeCapability("L40S-48GB"), "8.9");
  EXPECT_EQ(FakeComputeCapability("H200-141GB"), "9.0");
  EXPECT_EQ(FakeComputeCapability("B200-192GB"), "10.0");
  EXPECT_EQ(FakeComputeCapability("h100-80GB"), "9.0");
  EXPECT_EQ(FakeComputeCapability("Mystery-8GB"), "8.0");
}

TEST(ParseFakeGpuSpec, UuidsLookLikeNvidiaAndAreUniqueAcrossSeeds) {
  std::set<std::string> uuids;
  for (const char* seed : {"worker-a", "worker-b", "gpu-box-1", ""}) {
    auto gpus = ParseFakeGpuSpec("8", seed);
    ASSERT_TRUE(gpus.ok());
    for (const GpuInfo& gpu : *gpus) {
      EXPECT_EQ(gpu.uuid.rfind("GPU-fake-", 0), 0u) << gpu.uuid;
      EXPECT_TRUE(uuids.insert(gpu.uuid).second) << "duplicate " << gpu.uuid;
    }
  }
  EXPECT_EQ(uuids.size(), 32u);
  // Stable: a restarted worker reports the same GPUs.
  EXPECT_EQ(FakeGpuUuid("worker-a", 3), FakeGpuUuid("worker-a", 3));
  EXPECT_EQ(FakeGpuUuid("worker-a", 3).size(), std::string("GPU-fake-12345678-3").size());
}

struct Malformed {
  const char* spec;
  const char* says;  // a part of the message
};

class MalformedSpec : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedSpec, IsInvalidArgumentSayingWhy) {
  auto gpus = ParseFakeGpuSpec(GetParam().spec, "w");
  ASSERT_FALSE(gpus.ok()) << GetParam().spec;
  EXPECT_EQ(gpus.status().code(), Code::kInvalidArgument);
  EXPECT_NE(gpus.status().message().find(GetParam().says), std::string::npos)
      << gpus.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, MalformedSpec,
    testing::Values(Malformed{"", "no GPUs given"}, Malformed{"0", "at least 1"},
                    Malformed{"-1", "'-1' is not COUNTxMODEL"}, Malformed{"2x", "model is missing"},
                    Malformed{"0x", "at least 1"}, Malformed{"0xA100-80GB", "at least 1"},
                    Malformed{"x2", "'x2' is not COUNTxMODEL"},
                    Malformed{"abc", "'abc' is not COUNTxMODEL"},
                    Malformed{"2xA100", "memory size"}, Malformed{"2xA100-0GB", "0 GB"},
                    Malformed{"2xA100-80GB,", "empty item"},
                    Malformed{"2xA100 80GB", "may hold only"}, Malformed{"1025", "too many"},
                    Malformed{"99999999999999999999", "too many"},
                    Malformed{"1000xA100-80GB,25xV100-16GB", "too many GPUs (1025)"}));

TEST(ParseFakeGpuSpec, ExactlyTheMaximumIsFine) {
  auto gpus = ParseFakeGpuSpec("1024", "w");
  ASSERT_TRUE(gpus.ok());
  EXPECT_EQ(gpus->size(), 1024u);
}

}  // namespace
}  // namespace yard
