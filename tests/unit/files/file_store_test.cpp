#include "files/file_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "files/sha256.h"
#include "files/snapshot_manifest.h"
#include "files_test_util.h"

namespace yard {
namespace {

using testing::Exists;
using testing::ListDir;
using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(uint64_t max_file_bytes = 1 << 20) {
    store_.reset();
    auto s = FileStore::Open({dir_ / "store", max_file_bytes});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  std::string Content(const std::string& path) {
    auto f = store_->OpenPath(path);
    if (!f.ok()) return "<" + f.status().ToString() + ">";
    std::string out(f->entry.size, '\0');
    auto n = PreadFull(f->fd.get(), out.data(), out.size(), 0);
    return n.ok() ? out : "<read error>";
  }
  std::string BlobFile(const std::string& sha) {
    return dir_ / ("store/blobs/" + sha.substr(0, 2) + "/" + sha.substr(2));
  }

  ScratchDir dir_;
  std::unique_ptr<FileStore> store_;
};

TEST_F(FileStoreTest, PutAndRead) {
  auto e = store_->PutBytes("datasets/mnist/train.bin", "hello");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->path, "datasets/mnist/train.bin");
  EXPECT_EQ(e->sha256, Sha256Hex("hello"));
  EXPECT_EQ(e->size, 5u);
  EXPECT_GT(e->mtime, 0);
  EXPECT_EQ(Content("datasets/mnist/train.bin"), "hello");
  EXPECT_EQ(ReadFile(BlobFile(e->sha256)), "hello");
  EXPECT_EQ(testing::Mode(BlobFile(e->sha256)), 0444u);
  auto stat = store_->Stat("./datasets/mnist/train.bin");
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->sha256, e->sha256);
}

TEST_F(FileStoreTest, SameContentTwiceIsOneBlob) {
  ASSERT_TRUE(store_->PutBytes("a/one", "same bytes").ok());
  ASSERT_TRUE(store_->PutBytes("b/two", "same bytes").ok());
  ASSERT_TRUE(store_->PutBytes("a/one", "same bytes").ok());
  size_t blobs = 0;
  for (const auto& shard : ListDir(dir_ / "store/blobs"))
    blobs += ListDir(dir_ / ("store/blobs/" + shard)).size();
  EXPECT_EQ(blobs, 1u);
  auto c = store_->counters();
  EXPECT_EQ(c.blobs_stored, 1u);
  EXPECT_EQ(c.blobs_deduplicated, 2u);
}

TEST_F(FileStoreTest, ReplacingAPathKeepsTheOtherVersionsBlobUntilCollected) {
  ASSERT_TRUE(store_->PutBytes("f", "v1").ok());
  ASSERT_TRUE(store_->PutBytes("f", "v2").ok());
  EXPECT_EQ(Content("f"), "v2");
  EXPECT_TRUE(Exists(BlobFile(Sha256Hex("v1"))));
  auto gc = store_->CollectGarbage(std::chrono::seconds(0));
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->blobs_removed, 1u);
  EXPECT_EQ(gc->bytes_freed, 2u);
  EXPECT_FALSE(Exists(BlobFile(Sha256Hex("v1"))));
  EXPECT_EQ(Content("f"), "v2");
}

TEST_F(FileStoreTest, CollectionSparesRecentBlobs) {
  auto upload = store_->NewUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(upload->Write("pending").ok());
  ASSERT_TRUE(store_->CommitBlob(*upload).ok());  // not yet published
  auto gc = store_->CollectGarbage(std::chrono::hours(1));
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->blobs_removed, 0u);
  EXPECT_TRUE(store_->Publish("now/published", Sha256Hex("pending")).ok());
}

TEST_F(FileStoreTest, InterruptedWriteIsInvisibleAndCleanedAtStart) {
  ASSERT_TRUE(store_->PutBytes("model.pt", "old version").ok());
  {
    auto upload = store_->NewUpload();
    ASSERT_TRUE(upload.ok());
    ASSERT_TRUE(upload->Write("half of the new ver").ok());
    // Dropped without commit: what an aborted request does.
  }
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());
  // A crash cannot run destructors: leave a temporary file as a killed server would.
  WriteFile(dir_ / "store/tmp/upload-crashed", "half of the new ver");
  EXPECT_EQ(Content("model.pt"), "old version");
  auto listing = store_->List("", true);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->entries.size(), 1u);
  Reopen();
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());
  EXPECT_EQ(Content("model.pt"), "old version");
}

TEST_F(FileStoreTest, CrashBetweenBlobAndPublishLeavesTheOldVersion) {
  ASSERT_TRUE(store_->PutBytes("model.pt", "old version").ok());
  auto upload = store_->NewUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(upload->Write("new version").ok());
  auto blob = store_->CommitBlob(*upload);
  ASSERT_TRUE(blob.ok());
  // The process dies here: the blob is stored, the path not yet switched.
  Reopen();
  EXPECT_EQ(Content("model.pt"), "old version");
  EXPECT_TRUE(store_->StatBlob(blob->sha256).ok());
  auto gc = store_->CollectGarbage(std::chrono::seconds(0));
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->blobs_removed, 1u);  // the orphan goes; the old version stays
  EXPECT_EQ(Content("model.pt"), "old version");
}

TEST_F(FileStoreTest, ExpectedHashMismatchStoresNothing) {
  auto upload = store_->NewUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(upload->Write("actual").ok());
  auto blob = store_->CommitBlob(*upload, Sha256Hex("expected"));
  ASSERT_FALSE(blob.ok());
  EXPECT_EQ(blob.status().code(), Code::kInvalidArgument);
  EXPECT_NE(blob.status().message().find(Sha256Hex("actual")), std::string::npos);
  EXPECT_FALSE(store_->StatBlob(Sha256Hex("actual")).ok());
  upload = Result<BlobWriter>(Internal("drop"));  // destroy the writer: its file goes
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());
}

TEST_F(FileStoreTest, SizeLimit) {
  Reopen(10);
  auto upload = store_->NewUpload();
  ASSERT_TRUE(upload.ok());
  ASSERT_TRUE(upload->Write("0123456789").ok());
  Status s = upload->Write("x");
  EXPECT_EQ(s.code(), Code::kTooLarge);
  EXPECT_NE(s.message().find("10 bytes"), std::string::npos);
  EXPECT_FALSE(store_->CommitBlob(*upload).ok());
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());  // freed at once
}

TEST_F(FileStoreTest, PublishNeedsTheBlob) {
  auto e = store_->Publish("x", Sha256Hex("never stored"));
  EXPECT_EQ(e.status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Publish("x", "not-a-hash").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->Publish("../x", Sha256Hex("")).status().code(), Code::kInvalidArgument);
}

TEST_F(FileStoreTest, FileAndFolderConflicts) {
  ASSERT_TRUE(store_->PutBytes("a/b", "x").ok());
  EXPECT_EQ(store_->PutBytes("a", "y").status().code(), Code::kConflict);      // a is a folder
  EXPECT_EQ(store_->PutBytes("a/b/c", "y").status().code(), Code::kConflict);  // a/b is a file
  EXPECT_EQ(store_->Stat("a").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Delete("a").code(), Code::kConflict);
  EXPECT_EQ(store_->Stat("a/b/c").status().code(), Code::kNotFound);
}

TEST_F(FileStoreTest, ListDirectChildrenAndRecursive) {
  for (const char* p : {"datasets/mnist/train.bin", "datasets/mnist/test.bin",
                        "datasets/cifar/data.bin", "datasets/README", "code/abc"})
    ASSERT_TRUE(store_->PutBytes(p, p).ok());
  auto top = store_->List("datasets", false);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->entries.size(), 1u);
  EXPECT_EQ(top->entries[0].path, "datasets/README");
  EXPECT_EQ(top->dirs, (std::vector<std::string>{"cifar", "mnist"}));

  auto all = store_->List("datasets/", true);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> paths;
  for (const auto& e : all->entries) paths.push_back(e.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"datasets/README", "datasets/cifar/data.bin",
                                      "datasets/mnist/test.bin", "datasets/mnist/train.bin"}));
  EXPECT_TRUE(all->dirs.empty());

  auto root = store_->List("", false);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->dirs, (std::vector<std::string>{"code", "datasets"}));

  auto file = store_->List("code/abc", false);
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->entries.size(), 1u);
  EXPECT_EQ(file->entries[0].size, 8u);

  EXPECT_EQ(store_->List("nothing/here", false).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->List("../x", false).status().code(), Code::kInvalidArgument);
}

TEST_F(FileStoreTest, DeleteRemovesEmptyFolders) {
  ASSERT_TRUE(store_->PutBytes("outputs/job-1/a/b/model.pt", "m").ok());
  ASSERT_TRUE(store_->PutBytes("outputs/job-2/log", "l").ok());
  ASSERT_TRUE(store_->Delete("outputs/job-1/a/b/model.pt").ok());
  EXPECT_EQ(store_->Delete("outputs/job-1/a/b/model.pt").code(), Code::kNotFound);
  EXPECT_FALSE(Exists(dir_ / "store/index/outputs/job-1"));
  EXPECT_TRUE(Exists(dir_ / "store/index/outputs/job-2/log"));
  auto root = store_->List("outputs", false);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->dirs, (std::vector<std::string>{"job-2"}));
}

TEST_F(FileStoreTest, HoldsAnythingSaysWhetherAFolderHoldsFiles) {
  auto holds = [&](const char* path) {
    auto r = store_->HoldsAnything(path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_FALSE(holds("checkpoints/job-1"));
  ASSERT_TRUE(store_->PutBytes("checkpoints/job-1/step/ckpt.pt", "c").ok());
  EXPECT_TRUE(holds("checkpoints/job-1"));
  EXPECT_TRUE(holds("checkpoints/job-1/step/ckpt.pt"));
  EXPECT_FALSE(holds("checkpoints/job-10"));
  EXPECT_FALSE(holds("checkpoints/job-1/step/ckpt.pt/below"));  // under a file
  EXPECT_FALSE(holds("../outside"));                            // not a store path
  ASSERT_TRUE(store_->Delete("checkpoints/job-1/step/ckpt.pt").ok());
  EXPECT_FALSE(holds("checkpoints/job-1"));  // the emptied folders went with it
}

TEST_F(FileStoreTest, SymlinkInTheStoreIsNotFollowed) {
  ScratchDir outside;
  WriteFile(outside / "secret/entry",
            R"({"sha256":")" + Sha256Hex("") + R"(","size":0,"mtime_us":1,"kind":"file"})");
  ASSERT_TRUE(store_->PutBytes("datasets/ok", "fine").ok());
  // Someone with access to the store's folder plants links leading out of it.
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir_ / "store/index/evil").c_str()), 0);
  ASSERT_EQ(
      ::symlink((outside / "secret/entry").c_str(), (dir_ / "store/index/datasets/link").c_str()),
      0);
  for (const char* p : {"evil/secret/entry", "datasets/link"}) {
    auto r = store_->Stat(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << p;
    EXPECT_NE(r.status().message().find("symbolic link"), std::string::npos);
  }
  EXPECT_EQ(store_->PutBytes("evil/secret/new", "x").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(Exists(outside / "secret/new"));
  EXPECT_EQ(store_->List("evil", true).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->HoldsAnything("datasets/link").status().code(), Code::kInvalidArgument);
  auto all = store_->List("", true);  // a listing skips links
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->entries.size(), 1u);
  EXPECT_EQ(all->entries[0].path, "datasets/ok");
}

TEST_F(FileStoreTest, SnapshotEntriesKeepTheirFilesAlive) {
  ASSERT_TRUE(store_->PutBytes("scratch/train.py", "print(1)").ok());
  SnapshotManifest m;
  m.files["train.py"] = {Sha256Hex("print(1)"), 8, 0644};
  std::string manifest = ManifestToJson(m);
  auto e = store_->PutBytes(SnapshotPath(Sha256Hex(manifest)), manifest, EntryKind::kSnapshot);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->kind, EntryKind::kSnapshot);
  ASSERT_TRUE(store_->Delete("scratch/train.py").ok());
  auto gc = store_->CollectGarbage(std::chrono::seconds(0));
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->blobs_removed, 0u);
  EXPECT_TRUE(store_->StatBlob(Sha256Hex("print(1)")).ok());

  // A manifest naming content that is not there is refused, and so is a non-manifest.
  m.files["other.py"] = {Sha256Hex("missing"), 7, 0644};
  std::string bad = ManifestToJson(m);
  EXPECT_EQ(store_->PutBytes("code/bad", bad, EntryKind::kSnapshot).status().code(),
            Code::kConflict);
  EXPECT_EQ(store_->PutBytes("code/junk", "not json", EntryKind::kSnapshot).status().code(),
            Code::kInvalidArgument);
}

TEST_F(FileStoreTest, MissingBlobs) {
  ASSERT_TRUE(store_->PutBytes("x", "present").ok());
  auto missing = store_->MissingBlobs({Sha256Hex("present"), Sha256Hex("absent")});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, (std::vector<std::string>{Sha256Hex("absent")}));
  EXPECT_FALSE(store_->MissingBlobs({"zz"}).ok());
}

}  // namespace
}  // namespace yard
