// Finds a running job of the Cluster by id in O(log n); built only by the passes that need it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "sched/cluster.h"

namespace yard::sched {

class RunningIndex {
 public:
  explicit RunningIndex(const Cluster& cluster) {
    by_id_.reserve(cluster.running.size());
    for (int i = 0; i < static_cast<int>(cluster.running.size()); ++i)
      by_id_.push_back({cluster.running[i].id, i});
    std::sort(by_id_.begin(), by_id_.end());
  }
  // Position in Cluster::running, or -1.
  int Find(int64_t id) const {
    auto it = std::lower_bound(by_id_.begin(), by_id_.end(), std::pair<int64_t, int>{id, -1});
    return it != by_id_.end() && it->first == id ? it->second : -1;
  }

 private:
  std::vector<std::pair<int64_t, int>> by_id_;
};

}  // namespace yard::sched
