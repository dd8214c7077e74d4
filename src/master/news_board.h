// Per-worker news counters that workers' long polls wait on (GET /v1/workers/ID/news).
//
// Kept apart from the master's lock, with a condition per worker: a dispatch that has news
// for one worker wakes that worker's poll only. (One condition for all, under the master's
// lock, woke every poll on every dispatch, and each took the master's lock to look: with a
// thousand workers, a thousand wake-ups per dispatch, and heartbeats waiting behind them.)
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace yard {

class NewsBoard {
 public:
  // Something new for the worker: its counter goes up and its waiting polls return.
  void Post(int64_t worker_id);
  // The worker's counter now (0 before its first news).
  uint64_t Current(int64_t worker_id) const;
  // Returns once the counter differs from `known` or after `timeout`; the counter then.
  uint64_t Wait(int64_t worker_id, uint64_t known, std::chrono::milliseconds timeout);

 private:
  struct Slot {
    uint64_t news = 0;
    std::condition_variable changed;
  };
  Slot& SlotOf(int64_t worker_id);  // with mu_ held

  mutable std::mutex mu_;
  // unique_ptr: a waiter holds on to its Slot's condition while the map grows.
  std::map<int64_t, std::unique_ptr<Slot>> slots_;
};

}  // namespace yard
