// The Range header of a download (RFC 9110 section 14), single ranges only: "bytes=a-b",
// "bytes=a-" and "bytes=-n". A server may ignore a Range it does not support, so malformed
// headers and lists of several ranges give the whole file rather than an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace yard {

struct RangeRequest {
  enum Kind {
    kWhole,          // no usable Range: send everything with 200
    kPartial,        // 206 with Content-Range
    kUnsatisfiable,  // 416 with "Content-Range: bytes */size"
  };
  Kind kind = kWhole;
  uint64_t start = 0;
  uint64_t length = 0;  // bytes to send (for kPartial)
};

// `header`: the Range header's value ("" when absent); `size`: the file's size.
RangeRequest ParseRange(std::string_view header, uint64_t size);

// "bytes 0-99/1000" for a partial answer; "bytes */1000" for a 416.
std::string ContentRange(const RangeRequest& range, uint64_t size);

}  // namespace yard
