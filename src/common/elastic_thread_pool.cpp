#include "common/elastic_thread_pool.h"

#include <algorithm>

namespace yard {

ElasticThreadPool::ElasticThreadPool(ElasticThreadPoolOptions options)
    : options_([&] {
        options.max_threads = std::max<size_t>(1, options.max_threads);
        options.min_threads = std::min(options.min_threads, options.max_threads);
        return options;
      }()) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < options_.min_threads; ++i) StartThreadLocked();
}

ElasticThreadPool::~ElasticThreadPool() { Shutdown(); }

void ElasticThreadPool::StartThreadLocked() {
  std::thread thread([this] { Loop(); });
  std::thread::id id = thread.get_id();
  threads_.emplace(id, std::move(thread));
  peak_ = std::max(peak_, threads_.size());
}

void ElasticThreadPool::Enqueue(std::function<void()> task) {
  std::vector<std::thread> ended;
  {
    std::lock_guard lock(mu_);
    if (shutdown_) return;
    tasks_.push_back(std::move(task));
    // Every idle thread will take one queued task; a task beyond them needs a new thread, or
    // it would wait behind tasks that may hold their threads for a long time.
    if (tasks_.size() > idle_ && threads_.size() < options_.max_threads) StartThreadLocked();
    ended.swap(exited_);
  }
  work_cv_.notify_one();
  for (auto& t : ended) t.join();
}

void ElasticThreadPool::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    ++idle_;
    bool woken =
        work_cv_.wait_for(lock, options_.idle_exit, [&] { return shutdown_ || !tasks_.empty(); });
    --idle_;
    if (tasks_.empty()) {
      if (shutdown_) break;
      if (!woken && threads_.size() > options_.min_threads) break;
      continue;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // whatever it captured goes before the lock is taken again
    lock.lock();
  }
  // The thread's own std::thread moves to exited_, to be joined by whoever comes next; it
  // touches nothing of the pool once the lock is released.
  auto self = threads_.find(std::this_thread::get_id());
  exited_.push_back(std::move(self->second));
  threads_.erase(self);
  if (shutdown_) work_cv_.notify_all();  // Shutdown() waits for threads_ to empty
}

void ElasticThreadPool::Shutdown() {
  std::vector<std::thread> ended;
  {
    std::unique_lock lock(mu_);
    shutdown_ = true;
    work_cv_.notify_all();
    work_cv_.wait(lock, [&] { return threads_.empty(); });
    ended.swap(exited_);
  }
  for (auto& t : ended) t.join();
}

size_t ElasticThreadPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

size_t ElasticThreadPool::peak_threads() const {
  std::lock_guard lock(mu_);
  return peak_;
}

}  // namespace yard
