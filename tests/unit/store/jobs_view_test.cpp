// jobs_view: the queue as a person sees it with the sqlite3 shell alone.
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store_test_util.h"

namespace yard::testing {
namespace {

using JobsViewTest = StoreTest;

// Every row of `sql` as column name -> text ("<null>" for NULL).
std::vector<std::map<std::string, std::string>> Rows(sqlite3* db, const std::string& sql,
                                                     std::vector<std::string>* names = nullptr) {
  std::vector<std::map<std::string, std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return rows;
  }
  if (names != nullptr) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      names->push_back(sqlite3_column_name(stmt, i));
    }
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    auto& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row[sqlite3_column_name(stmt, i)] = text ? reinterpret_cast<const char*>(text) : "<null>";
    }
  }
  sqlite3_finalize(stmt);
  return rows;
}

TEST_F(JobsViewTest, IsQueryableWithPlainSql) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Sweep sweep = FullSweep();  // ranks by val_accuracy
  WorkerRecord worker = FullWorker();
  Job running, queued = QueuedJob("waiting");
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertSweep(sweep));
    ASSERT_OK(tx->UpsertWorker(worker));
    running = FullJob(sweep.id, worker.id);
    running.finished_at = 0;
    running.exit_code.reset();
    ASSERT_OK(tx->InsertJob(running));
    ASSERT_OK(tx->InsertJob(queued));
    ASSERT_OK(tx->AddMetrics({{running.id, 1, "val_accuracy", 0.5, 1},
                              {running.id, 2, "val_accuracy", 0.91, 2},
                              {running.id, 2, "loss", 0.3, 2}}));
    ASSERT_OK(tx->Commit());
  }

  RawDb raw(DbPath());
  std::vector<std::string> names;
  auto rows = Rows(raw.get(), "SELECT * FROM jobs_view ORDER BY id", &names);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "state", "user", "sweep", "trial",
                                             "worker", "gpus", "submitted", "started", "finished",
                                             "metric", "exit_code", "reason"}));
  ASSERT_EQ(rows.size(), 2u);

  const auto& r = rows[0];
  EXPECT_EQ(r.at("id"), std::to_string(running.id));
  EXPECT_EQ(r.at("name"), "mnist-lr-3");
  EXPECT_EQ(r.at("state"), "RUNNING");
  EXPECT_EQ(r.at("user"), "ada");
  EXPECT_EQ(r.at("sweep"), std::to_string(sweep.id));
  EXPECT_EQ(r.at("worker"), "gpu-node-1");
  EXPECT_EQ(r.at("gpus"), "gpu-node-1:0,gpu-node-1:3");
  EXPECT_EQ(r.at("submitted"), "2023-11-14T22:13:20.123Z");
  // The same text as the API's times, milliseconds cut rather than rounded.
  EXPECT_EQ(r.at("submitted"), FormatRfc3339(running.submitted_at));
  EXPECT_EQ(r.at("started"), FormatRfc3339(running.started_at));
  EXPECT_EQ(r.at("finished"), "<null>");
  EXPECT_EQ(r.at("metric"), "0.91");
  EXPECT_EQ(r.at("exit_code"), "<null>");
  EXPECT_EQ(r.at("reason"), "placed on gpu-node-1");

  const auto& q = rows[1];
  EXPECT_EQ(q.at("state"), "QUEUED");
  EXPECT_EQ(q.at("sweep"), "<null>");
  EXPECT_EQ(q.at("worker"), "<null>");
  EXPECT_EQ(q.at("gpus"), "<null>");
  EXPECT_EQ(q.at("started"), "<null>");
  EXPECT_EQ(q.at("metric"), "<null>");

  // Filters work like on any table.
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM jobs_view WHERE state = 'QUEUED'"), "1");
}

TEST_F(JobsViewTest, ReadersAreNotBlockedByAnOpenTransaction) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Job job = QueuedJob("first");
  {
    ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
    ASSERT_OK(tx->InsertJob(job));
    ASSERT_OK(tx->Commit());
  }
  ASSERT_OK_AND_ASSIGN(auto tx, store->Begin());
  Job second = QueuedJob("second");
  ASSERT_OK(tx->InsertJob(second));
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT group_concat(name) FROM jobs_view"), "first");
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
}

}  // namespace
}  // namespace yard::testing
