// Store::Open: the accepted URLs and what each gives.
#include <fstream>

#include "store_test_util.h"

namespace yard::testing {
namespace {

using StoreOpenTest = StoreTest;

TEST_F(StoreOpenTest, SqliteCreatesTheFileAndItsFolder) {
  EXPECT_FALSE(std::filesystem::exists(DbPath()));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::exists(DbPath()));
}

TEST(StoreOpen, InMemoryDatabase) {
  Result<std::unique_ptr<Store>> store = Store::Open("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Job job = QueuedJob("in-memory");
  ASSERT_OK_AND_ASSIGN(auto tx, (*store)->Begin());
  ASSERT_OK(tx->InsertJob(job));
  ASSERT_OK(tx->Commit());
  ASSERT_OK_AND_ASSIGN(Job read, (*store)->GetJob(job.id));
  EXPECT_EQ(read.name, "in-memory");
}

TEST(StoreOpen, PostgresqlIsNotBuiltYet) {
  for (const char* url : {"postgresql://yard@db/yard", "postgres://db/yard"}) {
    Result<std::unique_ptr<Store>> store = Store::Open(url);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Code::kUnavailable);
    EXPECT_EQ(store.status().message(), "PostgreSQL support is not built yet; use sqlite:PATH");
  }
}

TEST(StoreOpen, OtherUrlsAreInvalid) {
  for (const char* url : {"", "sqlite:", "mysql://db", "/var/lib/yard.db"}) {
    Result<std::unique_ptr<Store>> store = Store::Open(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.status().code(), Code::kInvalidArgument) << url;
    EXPECT_NE(store.status().message().find("sqlite:PATH"), std::string::npos)
        << store.status().message();
  }
}

TEST_F(StoreOpenTest, AFileThatIsNotADatabaseIsAnError) {
  std::filesystem::create_directories(std::filesystem::path(DbPath()).parent_path());
  std::ofstream(DbPath()) << "these are not the pages you are looking for, "
                          << std::string(4096, 'x');
  Result<std::unique_ptr<Store>> store = Store::Open(Url());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("open sqlite:" + DbPath()), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().message();
}

}  // namespace
}  // namespace yard::testing
