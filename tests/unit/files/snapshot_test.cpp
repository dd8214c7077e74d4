#include "files/snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "files/sha256.h"
#include "files/snapshot_manifest.h"
#include "files/tree_transfer.h"
#include "files_test_util.h"

namespace yard {
namespace {

using testing::Exists;
using testing::Mode;
using testing::ReadFile;
using testing::WriteFile;

class SnapshotTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    code_ = dir_ / "code";
    WriteFile(code_ + "/train.py", "import model\nprint('train')\n");
    WriteFile(code_ + "/model/net.py", "class Net: pass\n");
    WriteFile(code_ + "/model/weights.bin", testing::PseudoRandomBytes(400000, 9));
    WriteFile(code_ + "/run.sh", "#!/bin/sh\npython3 train.py\n");
    ::chmod((code_ + "/run.sh").c_str(), 0755);
    WriteFile(code_ + "/model/__pycache__/net.cpython-311.pyc", "bytecode");
    WriteFile(code_ + "/data/raw.csv", std::string(100000, 'd'));
    WriteFile(code_ + "/notes.log", "log");
    WriteFile(code_ + "/.git/objects/ab/cdef", "git object");
    WriteFile(code_ + "/.gitignore", "__pycache__/\n*.log\n/data/\n");
  }

  std::string code_;
};

TEST_F(SnapshotTest, SnapshotExcludesAndSecondTimeMovesNothing) {
  uint64_t last_done = 0, last_total = 0;
  auto snap = SnapshotFolder(url(), code_, {}, 10 << 20, [&](uint64_t done, uint64_t total) {
    last_done = done;
    last_total = total;
  });
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_TRUE(IsSha256Hex(snap->id));
  EXPECT_EQ(snap->files, 5u);  // .gitignore, model/net.py, model/weights.bin, run.sh, train.py
  EXPECT_GE(snap->bytes_uploaded, 400000u);
  EXPECT_EQ(last_done, last_total);

  FileClient client(url());
  auto manifest_text = client.GetBytes(SnapshotPath(snap->id), 1 << 20);
  ASSERT_TRUE(manifest_text.ok());
  EXPECT_EQ(Sha256Hex(*manifest_text), snap->id);
  auto manifest = ParseManifest(*manifest_text);
  ASSERT_TRUE(manifest.ok());
  std::vector<std::string> paths;
  for (const auto& [p, f] : manifest->files) paths.push_back(p);
  EXPECT_EQ(paths, (std::vector<std::string>{".gitignore", "model/net.py", "model/weights.bin",
                                             "run.sh", "train.py"}));
  EXPECT_EQ(manifest->files["run.sh"].mode, 0755u);
  EXPECT_EQ(manifest->files["train.py"].mode, 0644u);

  uint64_t server_bytes = store().counters().bytes_uploaded;
  auto again = SnapshotFolder(url(), code_, {}, 10 << 20);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->id, snap->id);
  EXPECT_EQ(again->bytes_uploaded, 0u);
  EXPECT_EQ(store().counters().bytes_uploaded, server_bytes);

  // One changed file: a new id, and only that file's bytes (and the manifest) move.
  WriteFile(code_ + "/train.py", "import model\nprint('train v2')\n");
  auto changed = SnapshotFolder(url(), code_, {}, 10 << 20);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->id, snap->id);
  EXPECT_LT(changed->bytes_uploaded, 2000u);
  EXPECT_GT(changed->bytes_uploaded, 0u);
}

TEST_F(SnapshotTest, ExtraExcludesAndSizeLimit) {
  auto snap = SnapshotFolder(url(), code_, {"*.bin"}, 10 << 20);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->files, 4u);
  auto big = SnapshotFolder(url(), code_, {}, 100000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), Code::kTooLarge);
  EXPECT_NE(big.status().message().find("100000"), std::string::npos);
  EXPECT_NE(big.status().message().find(std::to_string(snap->total_bytes + 400000)),
            std::string::npos)
      << big.status().message();
}

TEST_F(SnapshotTest, MaterializeIsReadOnlyAndCached) {
  auto snap = SnapshotFolder(url(), code_, {}, 10 << 20);
  ASSERT_TRUE(snap.ok());
  std::string cache = dir_ / "worker/cache";
  std::string target = dir_ / "worker/jobs/1/code";
  auto m = MaterializeSnapshot(url(), snap->id, cache, target);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->files, 5u);
  EXPECT_GE(m->bytes_downloaded, 400000u);
  EXPECT_EQ(ReadFile(target + "/train.py"), ReadFile(code_ + "/train.py"));
  EXPECT_TRUE(ReadFile(target + "/model/weights.bin") == ReadFile(code_ + "/model/weights.bin"));
  EXPECT_FALSE(Exists(target + "/notes.log"));
  EXPECT_FALSE(Exists(target + "/data"));
  EXPECT_FALSE(Exists(target + "/.git"));
  EXPECT_FALSE(Exists(target + "/model/__pycache__"));
  EXPECT_EQ(Mode(target + "/train.py"), 0444u);
  EXPECT_EQ(Mode(target + "/run.sh"), 0555u);
  EXPECT_EQ(Mode(target + "/model"), 0555u);
  EXPECT_EQ(Mode(target), 0555u);
  std::string sha = Sha256Hex(ReadFile(code_ + "/train.py"));
  EXPECT_EQ(Mode(cache + "/" + sha.substr(0, 2) + "/" + sha.substr(2)), 0444u);
  struct stat st {};
  ASSERT_EQ(::stat((target + "/train.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);  // shared with the cache, not copied

  // A second job on the same machine: nothing downloaded.
  auto second = MaterializeSnapshot(url(), snap->id, cache, dir_ / "worker/jobs/2/code");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->bytes_downloaded, 0u);

  // An existing, non-empty target is refused and nothing is left beside it.
  auto again = MaterializeSnapshot(url(), snap->id, cache, target);
  EXPECT_EQ(again.status().code(), Code::kConflict);
  EXPECT_EQ(testing::ListDir(dir_ / "worker/jobs/1"), std::vector<std::string>{"code"});

  // Copies instead of links, when asked.
  FileClient client(url());
  TreeOptions copies;
  copies.hard_links = false;
  ASSERT_TRUE(
      MaterializeSnapshot(client, snap->id, cache, dir_ / "worker/jobs/3/code", copies).ok());
  ASSERT_EQ(::stat((dir_ / "worker/jobs/3/code/train.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(Mode(dir_ / "worker/jobs/3/code/train.py"), 0444u);
}

TEST_F(SnapshotTest, MaterializeErrors) {
  EXPECT_EQ(MaterializeSnapshot(url(), "nothex", dir_ / "c", dir_ / "t").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      MaterializeSnapshot(url(), Sha256Hex("no such"), dir_ / "c", dir_ / "t").status().code(),
      Code::kNotFound);
  EXPECT_FALSE(Exists(dir_ / "t"));
}

TEST(SnapshotManifest, ParseChecksWhatCameFromOutside) {
  std::string sha = Sha256Hex("x");
  auto entry = [&](const std::string& path) {
    return R"({"version":1,"files":{")" + path + R"(":{"sha256":")" + sha + R"(","size":1}}})";
  };
  EXPECT_TRUE(ParseManifest(entry("a/b.py")).ok());
  EXPECT_EQ(ParseManifest(entry("../escape")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseManifest(entry("/abs")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseManifest(entry("./a")).status().code(), Code::kInvalidArgument);  // not normal
  EXPECT_FALSE(ParseManifest(R"({"version":1,"files":{"a":{"sha256":"zz","size":1}}})").ok());
  EXPECT_FALSE(ParseManifest(R"({"version":2,"files":{}})").ok());
  EXPECT_FALSE(ParseManifest(R"({"version":"1","files":{}})").ok());
  EXPECT_FALSE(ParseManifest("not json").ok());
  std::string both = R"({"version":1,"files":{"a":{"sha256":")" + sha +
                     R"(","size":1},"a/b":{"sha256":")" + sha + R"(","size":1}}})";
  EXPECT_EQ(ParseManifest(both).status().code(), Code::kInvalidArgument);
  // The canonical form: the same manifest always gives the same text.
  SnapshotManifest m;
  m.files["b"] = {sha, 1, 0700};
  m.files["a"] = {sha, 1, 0600};
  EXPECT_EQ(ManifestToJson(m), R"({"files":{"a":{"mode":420,"sha256":")" + sha +
                                   R"(","size":1},"b":{"mode":493,"sha256":")" + sha +
                                   R"(","size":1}},"version":1})");
}

TEST_F(SnapshotTest, FetchDatasetFolderAndFile) {
  FileClient client(url());
  ASSERT_TRUE(client.PutBytes("datasets/mnist/train.bin", std::string(300000, 't')).ok());
  ASSERT_TRUE(client.PutBytes("datasets/mnist/labels/train.idx", "labels").ok());
  ASSERT_TRUE(client.PutBytes("datasets/mnistish/other", "not part of mnist").ok());
  std::string cache = dir_ / "cache";

  auto fetched = FetchPath(url(), "datasets/mnist", cache, dir_ / "job/data/mnist");
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->files, 2u);
  EXPECT_EQ(fetched->bytes_downloaded, 300006u);
  EXPECT_EQ(ReadFile(dir_ / "job/data/mnist/labels/train.idx"), "labels");
  EXPECT_EQ(Mode(dir_ / "job/data/mnist/train.bin"), 0444u);
  EXPECT_EQ(Mode(dir_ / "job/data/mnist/labels"), 0555u);
  EXPECT_FALSE(Exists(dir_ / "job/data/mnist/other"));

  auto file = FetchPath(url(), "datasets/mnist/train.bin", cache, dir_ / "job2/train.bin");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->bytes_downloaded, 0u);  // cached by the first fetch
  EXPECT_EQ(Mode(dir_ / "job2/train.bin"), 0444u);
  EXPECT_EQ(ReadFile(dir_ / "job2/train.bin").size(), 300000u);

  EXPECT_EQ(FetchPath(url(), "datasets/none", cache, dir_ / "x").status().code(), Code::kNotFound);
}

TEST_F(SnapshotTest, UploadOutputsFolder) {
  WriteFile(dir_ / "out/model.pt", testing::PseudoRandomBytes(200000, 5));
  WriteFile(dir_ / "out/metrics/final.json", "{\"acc\": 0.9}");
  auto up = UploadFolder(url(), dir_ / "out", "outputs/job-12");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->files, 2u);
  EXPECT_EQ(up->bytes_uploaded, 200000u + 12u);
  ASSERT_EQ(up->entries.size(), 2u);
  EXPECT_EQ(up->entries[0].path, "outputs/job-12/metrics/final.json");
  auto listing = ListFiles(url(), "outputs/job-12", true);
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->entries.size(), 2u);

  auto again = UploadFolder(url(), dir_ / "out", "outputs/job-13");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes_uploaded, 0u);
}

}  // namespace
}  // namespace yard
