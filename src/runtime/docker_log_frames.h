// LogFrameDecoder: reads the stream of a container's logs that dockerd sends for a container
// without a TTY, where stdout and stderr are multiplexed in frames: an 8-byte header (the
// stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload's size, big-endian 32
// bits) followed by the payload. Pure: bytes in, payloads out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace yard {

class LogFrameDecoder {
 public:
  using PayloadFn = std::function<void(int stream, std::string_view payload)>;

  // Feeds the next bytes of the stream, cut anywhere (a header or a payload may arrive in
  // pieces). `out` gets each piece of payload as soon as it has arrived, in order, so the
  // pieces of one frame may come in several calls; empty frames give nothing.
  void Feed(std::string_view data, const PayloadFn& out);

  // Whether the bytes so far stop inside a frame (a stream cut short).
  bool mid_frame() const { return !header_.empty() || remaining_ > 0; }

 private:
  std::string header_;      // the part of a header read so far
  uint32_t remaining_ = 0;  // payload bytes still to come of the current frame
  int stream_ = 0;
};

}  // namespace yard
