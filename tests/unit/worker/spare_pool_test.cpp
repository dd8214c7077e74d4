// Job folders and logs: each exists when its job starts, what a job leaves stays, and an
// emptied one becomes a later job's instead of being deleted.
#include "worker/spare_pool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace yard {
namespace {
namespace fs = std::filesystem;

class SparePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "spare-pool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }
  ino_t Inode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_ino;
  }

  fs::path root_;
};

TEST_F(SparePoolTest, AnEmptiedFolderIsTheNextJobsFolder) {
  SparePool pool(root_ / "spare");
  const fs::path first = root_ / "outputs" / "1";
  ASSERT_TRUE(pool.Acquire(first, SpareKind::kFolder).ok());
  EXPECT_TRUE(fs::is_directory(first));
  const ino_t inode = Inode(first);
  pool.Release(first);
  EXPECT_FALSE(fs::exists(first));
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 1u);

  const fs::path second = root_ / "checkpoints" / "job-2";  // a parent not made yet
  ASSERT_TRUE(pool.Acquire(second, SpareKind::kFolder).ok());
  EXPECT_TRUE(fs::is_directory(second));
  EXPECT_TRUE(fs::is_empty(second));
  EXPECT_EQ(Inode(second), inode);  // renamed, not made anew
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 0u);
}

TEST_F(SparePoolTest, WhatAJobLeftStaysWhereItIs) {
  SparePool pool(root_ / "spare");
  const fs::path dir = root_ / "outputs" / "1";
  ASSERT_TRUE(pool.Acquire(dir, SpareKind::kFolder).ok());
  std::ofstream(dir / "model.pt") << "weights";
  pool.Release(dir);
  EXPECT_TRUE(fs::exists(dir / "model.pt"));
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 0u);
  // A later attempt finds it as it was.
  ASSERT_TRUE(pool.Acquire(dir, SpareKind::kFolder).ok());
  EXPECT_TRUE(fs::exists(dir / "model.pt"));
}

TEST_F(SparePoolTest, ASharedFolderMovesOnlyWhenTheLastHolderLetsGo) {
  SparePool pool(root_ / "spare");
  const fs::path shared = root_ / "checkpoints" / "sweep-1-trial-3";
  ASSERT_TRUE(pool.Acquire(shared, SpareKind::kFolder).ok());
  ASSERT_TRUE(pool.Acquire(shared, SpareKind::kFolder).ok());
  pool.Release(shared);
  EXPECT_TRUE(fs::is_directory(shared));  // still held
  pool.Release(shared);
  EXPECT_FALSE(fs::exists(shared));
  pool.Release(shared);  // one too many: nothing happens
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 1u);
}

TEST_F(SparePoolTest, ASpareIsGivenBackTheModeOfANewFolder) {
  SparePool pool(root_ / "spare");
  const fs::path dir = root_ / "outputs" / "1";
  ASSERT_TRUE(pool.Acquire(dir, SpareKind::kFolder).ok());
  struct stat fresh {};
  ASSERT_EQ(::stat(dir.c_str(), &fresh), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);  // the job changed it
  pool.Release(dir);
  ASSERT_TRUE(pool.Acquire(root_ / "outputs" / "2", SpareKind::kFolder).ok());
  struct stat reused {};
  ASSERT_EQ(::stat((root_ / "outputs" / "2").c_str(), &reused), 0);
  EXPECT_EQ(reused.st_mode & 07777, fresh.st_mode & 07777);
}

TEST_F(SparePoolTest, ALinkLeftInPlaceOfTheFolderIsNotASpare) {
  SparePool pool(root_ / "spare");
  const fs::path dir = root_ / "outputs" / "1";
  ASSERT_TRUE(pool.Acquire(dir, SpareKind::kFolder).ok());
  fs::create_directories(root_ / "elsewhere");
  fs::remove(dir);
  fs::create_directory_symlink(root_ / "elsewhere", dir);
  pool.Release(dir);
  EXPECT_TRUE(fs::is_symlink(dir));
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 0u);
}

TEST_F(SparePoolTest, AFileInTheWayIsAnErrorNamingThePath) {
  SparePool pool(root_ / "spare");
  fs::create_directories(root_ / "outputs");
  std::ofstream(root_ / "outputs" / "1") << "not a folder";
  Status s = pool.Acquire(root_ / "outputs" / "1", SpareKind::kFolder);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find((root_ / "outputs" / "1").string()), std::string::npos);
}

TEST_F(SparePoolTest, ARestartedWorkerUsesTheSparesItFinds) {
  {
    SparePool pool(root_ / "spare");
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(pool.Acquire(root_ / "jobs" / std::to_string(i), SpareKind::kFolder).ok());
    for (int i = 0; i < 3; ++i) pool.Release(root_ / "jobs" / std::to_string(i));
    EXPECT_EQ(pool.spares(SpareKind::kFolder), 3u);
  }
  // Something that is not a spare, left there somehow, goes.
  fs::create_directories(root_ / "spare" / "3" / "inside");
  SparePool pool(root_ / "spare");
  ASSERT_TRUE(pool.Acquire(root_ / "jobs" / "9", SpareKind::kFolder).ok());
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 2u);
  EXPECT_FALSE(fs::exists(root_ / "spare" / "3"));
  // New spare names do not collide with the ones found.
  pool.Release(root_ / "jobs" / "9");
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 3u);
}

TEST_F(SparePoolTest, ALeaseReleasesWhatItHolds) {
  SparePool pool(root_ / "spare");
  {
    SpareLease lease(pool);
    ASSERT_TRUE(lease.Acquire(root_ / "outputs" / "1", SpareKind::kFolder).ok());
    ASSERT_TRUE(lease.Acquire(root_ / "data" / "1-1", SpareKind::kFolder).ok());
  }
  EXPECT_FALSE(fs::exists(root_ / "outputs" / "1"));
  EXPECT_FALSE(fs::exists(root_ / "data" / "1-1"));
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 2u);
}

TEST_F(SparePoolTest, AnEmptyLogIsTheNextJobsLog) {
  SparePool pool(root_ / "spare");
  const fs::path log = root_ / "logs" / "1-1.log";
  ASSERT_TRUE(pool.Acquire(log, SpareKind::kFile).ok());
  EXPECT_TRUE(fs::is_regular_file(log));
  const ino_t inode = Inode(log);
  pool.Release(log);
  EXPECT_FALSE(fs::exists(log));
  EXPECT_EQ(pool.spares(SpareKind::kFile), 1u);
  EXPECT_EQ(pool.spares(SpareKind::kFolder), 0u);  // kinds are never mixed up

  ASSERT_TRUE(pool.Acquire(root_ / "data" / "2-1", SpareKind::kFolder).ok());
  EXPECT_TRUE(fs::is_directory(root_ / "data" / "2-1"));
  const fs::path next = root_ / "logs" / "2-1.log";
  ASSERT_TRUE(pool.Acquire(next, SpareKind::kFile).ok());
  EXPECT_EQ(Inode(next), inode);
  EXPECT_EQ(fs::file_size(next), 0u);
}

TEST_F(SparePoolTest, ALogWithOutputOrAnotherNameStays) {
  SparePool pool(root_ / "spare");
  const fs::path written = root_ / "logs" / "1-1.log";
  ASSERT_TRUE(pool.Acquire(written, SpareKind::kFile).ok());
  std::ofstream(written) << "hello\n";
  pool.Release(written);
  EXPECT_TRUE(fs::exists(written));

  // A hard link made by the job would show it the next job's log.
  const fs::path linked = root_ / "logs" / "2-1.log";
  ASSERT_TRUE(pool.Acquire(linked, SpareKind::kFile).ok());
  fs::create_hard_link(linked, root_ / "stolen");
  pool.Release(linked);
  EXPECT_TRUE(fs::exists(linked));
  EXPECT_EQ(pool.spares(SpareKind::kFile), 0u);
}

}  // namespace
}  // namespace yard
