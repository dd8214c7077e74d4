#include "master/news_board.h"

namespace yard {

NewsBoard::Slot& NewsBoard::SlotOf(int64_t worker_id) {
  std::unique_ptr<Slot>& slot = slots_[worker_id];
  if (!slot) slot = std::make_unique<Slot>();
  return *slot;
}

void NewsBoard::Post(int64_t worker_id) {
  std::lock_guard lock(mu_);
  Slot& slot = SlotOf(worker_id);
  ++slot.news;
  slot.changed.notify_all();
}

uint64_t NewsBoard::Current(int64_t worker_id) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(worker_id);
  return it == slots_.end() ? 0 : it->second->news;
}

uint64_t NewsBoard::Wait(int64_t worker_id, uint64_t known, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  Slot& slot = SlotOf(worker_id);
  slot.changed.wait_for(lock, timeout, [&] { return slot.news != known; });
  return slot.news;
}

}  // namespace yard
