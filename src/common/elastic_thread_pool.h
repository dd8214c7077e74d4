// A pool of threads that grows with the work given to it, for servers whose tasks block.
//
// httplib serves each connection on one pool thread for as long as the connection is kept
// alive, and a worker keeps up to three open to the master (heartbeats, its news long poll,
// output). A fixed pool of N threads so served only about N/3 workers: the rest waited in the
// queue behind connections that were merely idle. This pool starts a thread whenever a task
// arrives and none is idle, up to `max_threads`, and lets a thread that has been idle for
// `idle_exit` end, down to `min_threads`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace yard {

struct ElasticThreadPoolOptions {
  size_t min_threads = 8;
  // Past this, tasks wait for a thread. A thread mostly blocked on a socket costs its stack's
  // touched pages (tens of KiB), so thousands are affordable.
  size_t max_threads = 4096;
  std::chrono::milliseconds idle_exit{30'000};
};

class ElasticThreadPool {
 public:
  explicit ElasticThreadPool(ElasticThreadPoolOptions options = {});
  ~ElasticThreadPool();  // Shutdown()
  ElasticThreadPool(const ElasticThreadPool&) = delete;
  ElasticThreadPool& operator=(const ElasticThreadPool&) = delete;

  // Runs `task` on a pool thread. After Shutdown() the task is dropped.
  void Enqueue(std::function<void()> task);
  // Runs the tasks already queued, then joins every thread. Idempotent.
  void Shutdown();

  size_t threads() const;       // live threads now
  size_t peak_threads() const;  // the most that were ever live at once

 private:
  void Loop();
  void StartThreadLocked();
  void JoinExitedLocked(std::unique_lock<std::mutex>& lock);

  const ElasticThreadPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> tasks_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread> exited_;  // ended threads, joined by the next Enqueue or Shutdown
  size_t idle_ = 0;
  size_t peak_ = 0;
  bool shutdown_ = false;
};

}  // namespace yard
