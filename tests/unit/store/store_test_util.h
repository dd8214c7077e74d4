// Helpers shared by the store tests: a temporary folder per test, records with every field
// set, field-by-field comparisons, and a raw sqlite3 connection for looking under the Store.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

#define ASSERT_OK(expr)                                                  \
  do {                                                                   \
    ::yard::Status assert_ok_status_ = (expr);                           \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)   \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(YARD_CONCAT(assert_result_, __LINE__), lhs, expr)

namespace yard::testing {

// A fresh folder under the system's temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "yard-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A fixture with a database file in a folder that does not exist yet.
class StoreTest : public ::testing::Test {
 protected:
  std::string Url() const { return "sqlite:" + DbPath(); }
  std::string DbPath() const { return (dir_.path() / "data" / "yard.db").string(); }

  // Opens the fixture's database; a failure fails the test and gives nullptr.
  std::unique_ptr<Store> OpenStore() {
    Result<std::unique_ptr<Store>> store = Store::Open(Url());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  TempDir dir_;
};

// A plain sqlite3 connection to a file, as a person with the sqlite3 shell would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    }
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error ? error : "?");
    }
    sqlite3_free(error);
  }

  // The first column of the first row as text; "<null>" for NULL, "<none>" without rows.
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return "<error>";
    }
    std::string text = "<none>";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* value = sqlite3_column_text(stmt, 0);
      text = value ? reinterpret_cast<const char*>(value) : "<null>";
    }
    sqlite3_finalize(stmt);
    return text;
  }

  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

inline Sweep FullSweep() {
  Sweep sweep;
  sweep.name = "mnist-search";
  sweep.user = "ada";
  sweep.spec = Json::parse(R"({"name": "mnist", "search": {"algorithm": "asha",
      "metric": "val_accuracy", "goal": "maximize"}, "hyperparameters": {"lr": [0.1, 0.01]}})");
  sweep.algorithm = "asha";
  sweep.metric = "val_accuracy";
  sweep.maximize = false;
  sweep.state = "ACTIVE";
  sweep.created_at = 1'700'000'000'000'001;
  sweep.finished_at = 1'700'000'999'000'002;
  sweep.searcher_state = Json{{"rng", {1, 2}}, {"trials", Json::array()}};
  return sweep;
}

inline WorkerRecord FullWorker(const std::string& name = "gpu-node-1") {
  WorkerRecord worker;
  worker.name = name;
  worker.host = "10.0.0.7";
  worker.runtime = "docker";
  worker.cpu_slots = 6;
  worker.gpus = {{0, "GPU-aaaa", "A100-80GB", 81920, "8.0"},
                 {3, "GPU-bbbb", "NVIDIA H100 80GB HBM3", 81559, "9.0"}};
  worker.state = WorkerState::kLost;
  worker.registered_at = 1'700'000'000'000'003;
  worker.last_seen_at = 1'700'000'050'000'004;
  return worker;
}

// Every field set to something other than its default.
inline Job FullJob(int64_t sweep_id, int64_t worker_id) {
  Job job;
  job.name = "mnist-lr-3";
  job.user = "ada";
  job.sweep_id = sweep_id;
  job.state = JobState::kRunning;
  job.spec.name = "mnist-lr";
  job.spec.image = "127.0.0.1:5000/pytorch:1.13";
  job.spec.command = {"python3", "train.py", "--lr", "0.01", "it's \"quoted\""};
  job.spec.code = "code/3f2a";
  job.spec.data = {"datasets/mnist", "datasets/extra"};
  job.spec.resources.gpus = 2;
  job.spec.priority = 77;
  job.spec.max_retries = 4;
  job.spec.timeout_s = 7200;
  job.spec.env = {{"OMP_NUM_THREADS", "4"}, {"GREETING", "hé llo"}};
  job.spec.hyperparameters = Json::parse(
      R"({"lr": {"type": "log", "min": 0.0001, "max": 0.1}, "epochs": 27, "opt": ["sgd", "adam"]})");
  job.spec.search = Json::parse(R"({"algorithm": "asha", "metric": "val_accuracy"})");
  job.hparams = Json::parse(R"({"lr": 0.01, "epochs": 27, "opt": "adam"})");
  job.attempt = 3;
  job.retries = 2;
  job.worker_id = worker_id;
  job.worker_name = "gpu-node-1";
  job.gpus = {{"gpu-node-1", 0, "GPU-aaaa", "A100-80GB"},
              {"gpu-node-1", 3, "GPU-bbbb", "NVIDIA H100 80GB HBM3"}};
  job.exit_code = 137;
  job.reason = "placed on gpu-node-1";
  job.cancel_requested = true;
  job.submitted_at = 1'700'000'000'123'456;
  job.started_at = 1'700'000'100'000'999;
  job.finished_at = 1'700'000'200'999'999;
  job.log_offset = 123'456'789'012;
  job.trial = 17;
  job.stop_early = true;
  return job;
}

// A queued job with only the fields a submission sets.
inline Job QueuedJob(const std::string& name, int64_t sweep_id = 0) {
  Job job;
  job.name = name;
  job.user = "bob";
  job.sweep_id = sweep_id;
  job.spec.name = name;
  job.spec.command = {"true"};
  job.reason = "submitted";
  job.submitted_at = 1'700'000'000'000'000;
  return job;
}

inline void ExpectSameSpec(const JobSpec& a, const JobSpec& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.resources.gpus, b.resources.gpus);
  EXPECT_EQ(a.priority, b.priority);
  EXPECT_EQ(a.max_retries, b.max_retries);
  EXPECT_EQ(a.timeout_s, b.timeout_s);
  EXPECT_EQ(a.env, b.env);
  EXPECT_EQ(a.hyperparameters, b.hyperparameters);
  EXPECT_EQ(a.search, b.search);
}

inline void ExpectSameJob(const Job& a, const Job& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.sweep_id, b.sweep_id);
  EXPECT_EQ(a.state, b.state);
  ExpectSameSpec(a.spec, b.spec);
  EXPECT_EQ(a.hparams, b.hparams);
  EXPECT_EQ(a.attempt, b.attempt);
  EXPECT_EQ(a.retries, b.retries);
  EXPECT_EQ(a.worker_id, b.worker_id);
  EXPECT_EQ(a.worker_name, b.worker_name);
  ASSERT_EQ(a.gpus.size(), b.gpus.size());
  for (size_t i = 0; i < a.gpus.size(); ++i) {
    EXPECT_EQ(a.gpus[i].worker, b.gpus[i].worker);
    EXPECT_EQ(a.gpus[i].index, b.gpus[i].index);
    EXPECT_EQ(a.gpus[i].uuid, b.gpus[i].uuid);
    EXPECT_EQ(a.gpus[i].model, b.gpus[i].model);
  }
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.cancel_requested, b.cancel_requested);
  EXPECT_EQ(a.submitted_at, b.submitted_at);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.log_offset, b.log_offset);
  EXPECT_EQ(a.trial, b.trial);
  EXPECT_EQ(a.stop_early, b.stop_early);
  EXPECT_EQ(a.metrics, b.metrics);
}

inline void ExpectSameSweep(const Sweep& a, const Sweep& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.spec, b.spec);
  EXPECT_EQ(a.algorithm, b.algorithm);
  EXPECT_EQ(a.metric, b.metric);
  EXPECT_EQ(a.maximize, b.maximize);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.searcher_state, b.searcher_state);
}

inline void ExpectSameWorker(const WorkerRecord& a, const WorkerRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.runtime, b.runtime);
  EXPECT_EQ(a.cpu_slots, b.cpu_slots);
  ASSERT_EQ(a.gpus.size(), b.gpus.size());
  for (size_t i = 0; i < a.gpus.size(); ++i) {
    EXPECT_EQ(a.gpus[i].index, b.gpus[i].index);
    EXPECT_EQ(a.gpus[i].uuid, b.gpus[i].uuid);
    EXPECT_EQ(a.gpus[i].model, b.gpus[i].model);
    EXPECT_EQ(a.gpus[i].memory_mb, b.gpus[i].memory_mb);
    EXPECT_EQ(a.gpus[i].compute_capability, b.gpus[i].compute_capability);
  }
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.registered_at, b.registered_at);
  EXPECT_EQ(a.last_seen_at, b.last_seen_at);
}

}  // namespace yard::testing
