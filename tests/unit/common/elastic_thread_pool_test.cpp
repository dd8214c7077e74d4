#include "common/elastic_thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace yard {
namespace {

using namespace std::chrono_literals;

// A latch the tasks block on, as httplib's tasks block on idle kept-alive connections.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Waits up to `limit` for `done` to hold.
template <typename Pred>
bool Eventually(Pred done, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(ElasticThreadPool, BlockedTasksDoNotHoldBackLaterOnes) {
  ElasticThreadPool pool({.min_threads = 2, .max_threads = 64});
  Gate gate;
  std::atomic<int> blocked{0};
  for (int i = 0; i < 20; ++i) {
    pool.Enqueue([&] {
      ++blocked;
      gate.Wait();
    });
  }
  // With a fixed pool of 2 the 21st task would wait for the gate; here it gets a thread.
  std::atomic<bool> ran{false};
  pool.Enqueue([&] { ran = true; });
  EXPECT_TRUE(Eventually([&] { return ran.load(); }));
  EXPECT_TRUE(Eventually([&] { return blocked.load() == 20; }));
  EXPECT_GE(pool.peak_threads(), 21u);
  gate.Open();
}

TEST(ElasticThreadPool, StopsGrowingAtTheMaximumAndQueuesTheRest) {
  ElasticThreadPool pool({.min_threads = 0, .max_threads = 3});
  Gate gate;
  std::atomic<int> started{0}, finished{0};
  for (int i = 0; i < 10; ++i) {
    pool.Enqueue([&] {
      ++started;
      gate.Wait();
      ++finished;
    });
  }
  EXPECT_TRUE(Eventually([&] { return started.load() == 3; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(started.load(), 3) << "more tasks ran at once than the maximum";
  EXPECT_EQ(pool.threads(), 3u);
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return finished.load() == 10; }));
  EXPECT_EQ(pool.peak_threads(), 3u);
}

TEST(ElasticThreadPool, IdleThreadsEndDownToTheMinimum) {
  ElasticThreadPool pool({.min_threads = 1, .max_threads = 16, .idle_exit = 20ms});
  Gate gate;
  std::atomic<int> finished{0};
  for (int i = 0; i < 8; ++i) {
    pool.Enqueue([&] {
      gate.Wait();
      ++finished;
    });
  }
  EXPECT_TRUE(Eventually([&] { return pool.threads() == 8; }));
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return finished.load() == 8; }));
  EXPECT_TRUE(Eventually([&] { return pool.threads() == 1; }));
  // The pool still works after shrinking.
  std::atomic<bool> ran{false};
  pool.Enqueue([&] { ran = true; });
  EXPECT_TRUE(Eventually([&] { return ran.load(); }));
}

TEST(ElasticThreadPool, ShutdownRunsWhatIsQueuedAndDropsLaterTasks) {
  std::atomic<int> ran{0};
  {
    ElasticThreadPool pool({.min_threads = 1, .max_threads = 1});
    Gate gate;
    pool.Enqueue([&] {
      gate.Wait();
      ++ran;
    });
    for (int i = 0; i < 5; ++i) pool.Enqueue([&] { ++ran; });
    gate.Open();
    pool.Shutdown();
    EXPECT_EQ(ran.load(), 6);
    EXPECT_EQ(pool.threads(), 0u);
    pool.Enqueue([&] { ++ran; });
    pool.Shutdown();  // idempotent
  }
  EXPECT_EQ(ran.load(), 6);
}

}  // namespace
}  // namespace yard
