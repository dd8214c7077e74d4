#include "runtime/docker_log_frames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yard {
namespace {

std::string Frame(int stream, const std::string& payload) {
  std::string out(8, '\0');
  out[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  out[4] = static_cast<char>(n >> 24);
  out[5] = static_cast<char>(n >> 16);
  out[6] = static_cast<char>(n >> 8);
  out[7] = static_cast<char>(n);
  return out + payload;
}

struct Collected {
  std::string out, err, all;
  LogFrameDecoder::PayloadFn Fn() {
    return [this](int stream, std::string_view payload) {
      (stream == 2 ? err : out).append(payload);
      all.append(payload);
    };
  }
};

TEST(LogFrameDecoderTest, SplitsStreams) {
  Collected c;
  LogFrameDecoder decoder;
  decoder.Feed(Frame(1, "hello\n") + Frame(2, "oops\n") + Frame(1, "bye\n"), c.Fn());
  EXPECT_EQ(c.out, "hello\nbye\n");
  EXPECT_EQ(c.err, "oops\n");
  EXPECT_EQ(c.all, "hello\noops\nbye\n");
  EXPECT_FALSE(decoder.mid_frame());
}

TEST(LogFrameDecoderTest, BytesMayArriveOneAtATime) {
  std::string stream = Frame(1, "YARD_METRIC {\"step\": 1}\n") + Frame(2, "") +
                       Frame(2, std::string(300, 'x')) + Frame(1, "end\n");
  Collected c;
  LogFrameDecoder decoder;
  for (char byte : stream) decoder.Feed(std::string_view(&byte, 1), c.Fn());
  EXPECT_EQ(c.out, "YARD_METRIC {\"step\": 1}\nend\n");
  EXPECT_EQ(c.err, std::string(300, 'x'));
  EXPECT_FALSE(decoder.mid_frame());
}

TEST(LogFrameDecoderTest, LargeFramesAndBinaryPayloads) {
  std::string big(70000, 'a');
  big[1] = '\0';
  big[2] = '\x01';
  Collected c;
  LogFrameDecoder decoder;
  std::string stream = Frame(1, big);
  decoder.Feed(std::string_view(stream).substr(0, 5), c.Fn());
  EXPECT_TRUE(decoder.mid_frame());
  decoder.Feed(std::string_view(stream).substr(5, 40000), c.Fn());
  EXPECT_TRUE(decoder.mid_frame());
  decoder.Feed(std::string_view(stream).substr(40005), c.Fn());
  EXPECT_EQ(c.out, big);
  EXPECT_FALSE(decoder.mid_frame());
}

}  // namespace
}  // namespace yard
