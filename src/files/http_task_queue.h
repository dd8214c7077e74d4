// httplib's task queue backed by an ElasticThreadPool: the master's API and the file server
// both serve kept-alive connections, each of which holds a thread while it stays open.
#pragma once

#include <httplib.h>

#include <functional>

#include "common/elastic_thread_pool.h"

namespace yard {

class HttpTaskQueue : public httplib::TaskQueue {
 public:
  explicit HttpTaskQueue(ElasticThreadPoolOptions options) : pool_(options) {}
  void enqueue(std::function<void()> fn) override { pool_.Enqueue(std::move(fn)); }
  void shutdown() override { pool_.Shutdown(); }

 private:
  ElasticThreadPool pool_;
};

}  // namespace yard
