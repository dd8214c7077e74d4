#include "gpu/gpu_inventory.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gpu/nvml_inventory.h"

namespace yard {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "yard-gpu-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  std::ofstream(tmp) << text;
  fs::rename(tmp, path);  // whole files only, as a test that plays a busy GPU would write them
}

std::unique_ptr<GpuInventory> Open(const GpuOptions& options) {
  auto inventory = OpenGpuInventory(options);
  EXPECT_TRUE(inventory.ok()) << inventory.status().ToString();
  return inventory.ok() ? std::move(inventory).value() : nullptr;
}

TEST(OpenGpuInventory, NoneHasNoGpus) {
  auto inventory = Open({.spec = "none"});
  ASSERT_NE(inventory, nullptr);
  EXPECT_TRUE(inventory->Gpus().empty());
  auto usage = inventory->Sample();
  ASSERT_TRUE(usage.ok());
  EXPECT_TRUE(usage->empty());
}

TEST(OpenGpuInventory, FakeGpusAreIdleWithoutUsageFile) {
  auto inventory = Open({.spec = "fake:2xA100-80GB", .fake_uuid_seed = "w1"});
  ASSERT_NE(inventory, nullptr);
  ASSERT_EQ(inventory->Gpus().size(), 2u);
  auto usage = inventory->Sample();
  ASSERT_TRUE(usage.ok());
  ASSERT_EQ(usage->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*usage)[i].index, static_cast<int>(i));
    EXPECT_EQ((*usage)[i].utilization_pct, 0);
    EXPECT_EQ((*usage)[i].memory_used_mb, 0);
    EXPECT_TRUE((*usage)[i].foreign_pids.empty());
  }
}

TEST(OpenGpuInventory, UuidSeedSeparatesWorkers) {
  auto a = Open({.spec = "fake:1", .fake_uuid_seed = "worker-a"});
  auto b = Open({.spec = "fake:1", .fake_uuid_seed = "worker-b"});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->Gpus()[0].uuid, b->Gpus()[0].uuid);
}

TEST(OpenGpuInventory, UsageFileIsReadOnEverySample) {
  TempDir dir;
  fs::path file = dir.path() / "usage.json";
  auto inventory = Open({.spec = "fake:2", .fake_usage_file = file.string()});
  ASSERT_NE(inventory, nullptr);

  auto idle = inventory->Sample();  // no file yet
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ((*idle)[1].utilization_pct, 0);

  WriteFile(file, R"({"1": {"utilization_pct": 90, "memory_used_mb": 1000, "pids": [4242, 7]}})");
  auto busy = inventory->Sample();
  ASSERT_TRUE(busy.ok());
  ASSERT_EQ(busy->size(), 2u);
  EXPECT_EQ((*busy)[0].utilization_pct, 0);
  EXPECT_TRUE((*busy)[0].foreign_pids.empty());
  EXPECT_EQ((*busy)[1].index, 1);
  EXPECT_EQ((*busy)[1].utilization_pct, 90);
  EXPECT_EQ((*busy)[1].memory_used_mb, 1000);
  EXPECT_EQ((*busy)[1].foreign_pids, (std::vector<int64_t>{4242, 7}));

  fs::remove(file);
  auto idle_again = inventory->Sample();
  ASSERT_TRUE(idle_again.ok());
  EXPECT_TRUE((*idle_again)[1].foreign_pids.empty());
}

TEST(OpenGpuInventory, MalformedUsageFileMeansIdleNotFailure) {
  TempDir dir;
  fs::path file = dir.path() / "usage.json";
  auto inventory = Open({.spec = "fake:2", .fake_usage_file = file.string()});
  ASSERT_NE(inventory, nullptr);
  for (const char* text : {"{not json", R"([1, 2])", R"({"7": {"utilization_pct": 5}})",
                           R"({"0": {"utilization_pct": "high"}})", R"({"0": {"pids": 5}})",
                           R"({"0": {"utilisation_pct": 5}})"}) {
    WriteFile(file, text);
    auto usage = inventory->Sample();
    ASSERT_TRUE(usage.ok()) << text;
    ASSERT_EQ(usage->size(), 2u);
    EXPECT_EQ((*usage)[0].utilization_pct, 0) << text;
    EXPECT_TRUE((*usage)[0].foreign_pids.empty()) << text;
  }
}

TEST(OpenGpuInventory, MalformedSpecNamesTheFlag) {
  for (const char* spec : {"fake:", "fake:0", "fake:-1", "fake:2x", "fake:0x", "fake:x2",
                           "fake:abc", "fake:2000", "bogus", ""}) {
    auto inventory = OpenGpuInventory({.spec = spec});
    ASSERT_FALSE(inventory.ok()) << spec;
    EXPECT_EQ(inventory.status().code(), Code::kInvalidArgument) << spec;
    EXPECT_NE(inventory.status().message().find(std::string("--gpus ") + spec), std::string::npos)
        << inventory.status().message();
  }
}

TEST(OpenGpuInventory, AutoWithoutNvmlIsAClearUnavailable) {
  if (void* nvml = ::dlopen("libnvidia-ml.so.1", RTLD_NOW)) {
    ::dlclose(nvml);
    GTEST_SKIP() << "this machine has NVML";
  }
  auto inventory = OpenGpuInventory({.spec = "auto"});
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), Code::kUnavailable);
  const std::string& message = inventory.status().message();
  EXPECT_NE(message.find("NVML (libnvidia-ml.so.1) was not found"), std::string::npos) << message;
  EXPECT_NE(message.find("--gpus fake:N"), std::string::npos) << message;
  EXPECT_NE(message.find("--gpus none"), std::string::npos) << message;
}

TEST(OpenNvmlInventory, MissingLibraryIsUnavailable) {
  auto inventory = OpenNvmlInventory("libyard-no-such-nvml.so.1");
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), Code::kUnavailable);
  EXPECT_NE(inventory.status().message().find("libyard-no-such-nvml.so.1"), std::string::npos);
}

TEST(OpenNvmlInventory, LibraryWithoutNvmlSymbolsIsUnavailable) {
  // libc is loaded in every process and certainly has no nvmlInit_v2.
  auto inventory = OpenNvmlInventory("libc.so.6");
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), Code::kUnavailable);
  EXPECT_NE(inventory.status().message().find("lacks nvmlInit_v2"), std::string::npos)
      << inventory.status().message();
}

}  // namespace
}  // namespace yard
