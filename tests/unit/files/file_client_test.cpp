#include "files/file_client.h"

#include <gtest/gtest.h>

#include "files/sha256.h"
#include "files_test_util.h"

namespace yard {
namespace {

using testing::ReadFile;
using testing::WriteFile;

class FileClientTest : public testing::ServerFixture {};

TEST_F(FileClientTest, UploadDownloadRoundTripStreamsInChunks) {
  const std::string data = testing::PseudoRandomBytes(5 << 20, 1);  // 20 chunks each way
  WriteFile(dir_ / "local/model.pt", data);
  FileClient client(url());

  std::vector<std::pair<uint64_t, uint64_t>> calls;
  auto up = client.Upload(dir_ / "local/model.pt", "checkpoints/run-1/model.pt",
                          [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->sha256, Sha256Hex(data));
  EXPECT_EQ(up->size, data.size());
  EXPECT_EQ(up->bytes_moved, data.size());
  EXPECT_FALSE(up->already_there);
  ASSERT_GE(calls.size(), 10u);  // progress came chunk by chunk: the file was streamed
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{data.size()}, uint64_t{data.size()}));

  calls.clear();
  auto down =
      client.Download("checkpoints/run-1/model.pt", dir_ / "copy/model.pt",
                      [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->bytes_moved, data.size());
  EXPECT_GE(calls.size(), 2u);
  EXPECT_TRUE(ReadFile(dir_ / "copy/model.pt") == data);
  EXPECT_TRUE(testing::ListDir(dir_ / "copy") == std::vector<std::string>{"model.pt"});  // no .part
}

TEST_F(FileClientTest, SameContentAgainMovesNoBytes) {
  WriteFile(dir_ / "a.bin", testing::PseudoRandomBytes(300000, 2));
  FileClient client(url());
  ASSERT_TRUE(client.Upload(dir_ / "a.bin", "one/a.bin").ok());
  uint64_t before = store().counters().bytes_uploaded;
  bool progressed = false;
  auto again =
      client.Upload(dir_ / "a.bin", "two/a.bin", [&](uint64_t, uint64_t) { progressed = true; });
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_there);
  EXPECT_EQ(again->bytes_moved, 0u);
  EXPECT_FALSE(progressed);
  EXPECT_EQ(store().counters().bytes_uploaded, before);
  auto entry = client.Stat("two/a.bin");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->sha256, again->sha256);
}

TEST_F(FileClientTest, DownloadResumesAPartialFile) {
  const std::string data = testing::PseudoRandomBytes(2 << 20, 3);
  ASSERT_TRUE(store().PutBytes("datasets/d.bin", data).ok());
  std::string sha = Sha256Hex(data);
  // A download that died after 700000 bytes left this behind.
  WriteFile(dir_ / ("dl/.d.bin." + sha.substr(0, 16) + ".part"), data.substr(0, 700000));
  FileClient client(url());
  auto down = client.Download("datasets/d.bin", dir_ / "dl/d.bin");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->bytes_moved, data.size() - 700000);
  EXPECT_TRUE(ReadFile(dir_ / "dl/d.bin") == data);
  EXPECT_EQ(testing::ListDir(dir_ / "dl"), std::vector<std::string>{"d.bin"});
}

TEST_F(FileClientTest, ABadPartialFileIsDroppedAndTheNextTryWorks) {
  const std::string data = testing::PseudoRandomBytes(100000, 4);
  ASSERT_TRUE(store().PutBytes("d.bin", data).ok());
  std::string part = dir_ / (".d.bin." + Sha256Hex(data).substr(0, 16) + ".part");
  WriteFile(part, std::string(5000, 'z'));  // not a prefix of the content
  FileClient client(url());
  auto bad = client.Download("d.bin", dir_ / "d.bin");
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(testing::Exists(dir_ / "d.bin"));
  EXPECT_FALSE(testing::Exists(part));
  auto good = client.Download("d.bin", dir_ / "d.bin");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_TRUE(ReadFile(dir_ / "d.bin") == data);
}

TEST_F(FileClientTest, TooLargeIsRefusedBeforeSending) {
  StartServer(1000);
  WriteFile(dir_ / "big", std::string(2000, 'b'));
  FileClient client(url());
  auto up = client.Upload(dir_ / "big", "big");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.status().code(), Code::kTooLarge);
  EXPECT_NE(up.status().message().find("1000"), std::string::npos) << up.status().message();
  EXPECT_EQ(store().counters().bytes_uploaded, 0u);
}

TEST_F(FileClientTest, ListStatDeleteAndErrors) {
  FileClient client(url());
  for (const char* p : {"outputs/job-3/a", "outputs/job-3/sub/b", "outputs/job-4/c"})
    ASSERT_TRUE(client.PutBytes(p, p).ok());
  auto top = client.List("outputs");
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ(top->dirs, (std::vector<std::string>{"job-3", "job-4"}));
  auto all = ListFiles(url(), "outputs/job-3", /*recursive=*/true);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->entries.size(), 2u);
  EXPECT_EQ(all->entries[1].path, "outputs/job-3/sub/b");
  EXPECT_EQ(all->entries[1].size, 19u);
  EXPECT_GT(all->entries[1].mtime, 0);

  auto bytes = client.GetBytes("outputs/job-4/c", 1000);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "outputs/job-4/c");
  EXPECT_EQ(client.GetBytes("outputs/job-4/c", 3).status().code(), Code::kTooLarge);

  ASSERT_TRUE(client.Delete("outputs/job-4/c").ok());
  EXPECT_EQ(client.Stat("outputs/job-4/c").status().code(), Code::kNotFound);
  EXPECT_EQ(client.Delete("outputs/job-4/c").code(), Code::kNotFound);
  EXPECT_EQ(client.Stat("outputs/job-3").status().code(), Code::kNotFound);  // a folder

  auto missing = DownloadFile(url(), "no/such/file", dir_ / "x");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_FALSE(testing::Exists(dir_ / "x"));
  EXPECT_EQ(client.Download("../etc/passwd", dir_ / "x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(UploadFile(url(), dir_ / "nope", "x").status().code(), Code::kIo);
}

TEST_F(FileClientTest, UnreachableServer) {
  std::string dead = url();
  server_->Stop();
  auto r = ListFiles(dead, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find(dead), std::string::npos);
}

}  // namespace
}  // namespace yard
