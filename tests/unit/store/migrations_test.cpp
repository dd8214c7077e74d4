// Schema versions: numbering, idempotent reopening, refusal of newer databases, and the
// all-or-nothing application of each migration.
#include "store/migrations.h"

#include <array>

#include "store/sqlite_db.h"
#include "store_test_util.h"

namespace yard::testing {
namespace {

using MigrationsTest = StoreTest;

using store_internal::Db;
using store_internal::Migrate;
using store_internal::ReadSchemaVersion;
using store_internal::SqliteMigrations;

TEST_F(MigrationsTest, SchemaVersionIsTheNumberOfMigrations) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_OK_AND_ASSIGN(int version, store->SchemaVersion());
  EXPECT_EQ(version, static_cast<int>(SqliteMigrations().size()));
  EXPECT_GE(version, 1);
}

TEST_F(MigrationsTest, ReopeningChangesNothing) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    Job job = QueuedJob("kept");
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->Commit());
  }
  std::string schema;
  {
    RawDb raw(DbPath());
    schema = raw.QueryText("SELECT group_concat(sql, ';') FROM sqlite_master");
  }
  for (int i = 0; i < 2; ++i) {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_OK_AND_ASSIGN(int version, store->SchemaVersion());
    EXPECT_EQ(version, static_cast<int>(SqliteMigrations().size()));
    ASSERT_OK_AND_ASSIGN(auto jobs, store->ListJobs({}));
    EXPECT_EQ(jobs.size(), 1u);
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT group_concat(sql, ';') FROM sqlite_master"), schema);
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM schema_version"), "1");
}

TEST_F(MigrationsTest, NewerSchemaIsRefusedWithAClearError) {
  ASSERT_NE(OpenStore(), nullptr);
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE schema_version SET version = 99");
  }
  Result<std::unique_ptr<Store>> store = Store::Open(Url());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kInvalidArgument);
  const std::string& message = store.status().message();
  EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  EXPECT_NE(message.find(DbPath()), std::string::npos) << message;
}

TEST(MigrateTest, AppliesOnlyWhatIsMissing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Db> db, Db::Open(":memory:"));
  ASSERT_OK_AND_ASSIGN(int version, ReadSchemaVersion(*db));
  EXPECT_EQ(version, 0);
  // CREATE TABLE fails when run twice, so a second application would show.
  std::array<std::string_view, 2> migrations = {"CREATE TABLE a (x INTEGER)",
                                                "CREATE TABLE b (y INTEGER)"};
  ASSERT_OK(Migrate(*db, std::span(migrations).first(1)));
  ASSERT_OK_AND_ASSIGN(version, ReadSchemaVersion(*db));
  EXPECT_EQ(version, 1);
  ASSERT_OK(Migrate(*db, migrations));
  ASSERT_OK(Migrate(*db, migrations));
  ASSERT_OK_AND_ASSIGN(version, ReadSchemaVersion(*db));
  EXPECT_EQ(version, 2);
  // Fewer migrations than the database has: written by a newer build.
  Status status = Migrate(*db, std::span(migrations).first(1));
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
}

TEST(MigrateTest, AFailedMigrationChangesNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Db> db, Db::Open(":memory:"));
  std::array<std::string_view, 2> migrations = {
      "CREATE TABLE a (x INTEGER)",
      "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1); INSERT INTO nowhere VALUES (2)"};
  Status status = Migrate(*db, migrations);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("schema migration 2"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("nowhere"), std::string::npos) << status.message();
  EXPECT_FALSE(db->InTransaction());
  ASSERT_OK_AND_ASSIGN(int version, ReadSchemaVersion(*db));
  EXPECT_EQ(version, 1);
  ASSERT_OK_AND_ASSIGN(std::string tables,
                       db->QueryText("SELECT group_concat(name) FROM sqlite_master "
                                     "WHERE name IN ('a', 'b')"));
  EXPECT_EQ(tables, "a");
  ASSERT_OK_AND_ASSIGN(std::string rows, db->QueryText("SELECT count(*) FROM a"));
  EXPECT_EQ(rows, "0");
}

}  // namespace
}  // namespace yard::testing
