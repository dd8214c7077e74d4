#include "runtime/docker_log_frames.h"

#include <algorithm>

namespace yard {

void LogFrameDecoder::Feed(std::string_view data, const PayloadFn& out) {
  constexpr size_t kHeaderSize = 8;
  while (!data.empty()) {
    if (remaining_ == 0) {
      size_t take = std::min(kHeaderSize - header_.size(), data.size());
      header_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (header_.size() < kHeaderSize) return;
      auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(header_[i])); };
      stream_ = static_cast<int>(byte(0));
      remaining_ = byte(4) << 24 | byte(5) << 16 | byte(6) << 8 | byte(7);
      header_.clear();
      continue;
    }
    size_t take = std::min<size_t>(remaining_, data.size());
    out(stream_, data.substr(0, take));
    remaining_ -= static_cast<uint32_t>(take);
    data.remove_prefix(take);
  }
}

}  // namespace yard
