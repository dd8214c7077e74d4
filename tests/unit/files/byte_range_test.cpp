#include "files/byte_range.h"

#include <gtest/gtest.h>

namespace yard {
namespace {

void ExpectPartial(std::string_view header, uint64_t size, uint64_t start, uint64_t length) {
  RangeRequest r = ParseRange(header, size);
  ASSERT_EQ(r.kind, RangeRequest::kPartial) << header;
  EXPECT_EQ(r.start, start) << header;
  EXPECT_EQ(r.length, length) << header;
}

TEST(ByteRange, FirstLast) {
  ExpectPartial("bytes=0-99", 1000, 0, 100);
  ExpectPartial("bytes=10-10", 1000, 10, 1);
  ExpectPartial("bytes=990-999", 1000, 990, 10);
  ExpectPartial("bytes=990-5000", 1000, 990, 10);  // an end past the file is clamped
  ExpectPartial(" bytes=1-2 ", 1000, 1, 2);
}

TEST(ByteRange, OpenEnded) {
  ExpectPartial("bytes=500-", 1000, 500, 500);
  ExpectPartial("bytes=0-", 1000, 0, 1000);
  ExpectPartial("bytes=999-", 1000, 999, 1);
}

TEST(ByteRange, Suffix) {
  ExpectPartial("bytes=-100", 1000, 900, 100);
  ExpectPartial("bytes=-1", 1000, 999, 1);
  ExpectPartial("bytes=-5000", 1000, 0, 1000);  // more than the file: all of it
}

TEST(ByteRange, Unsatisfiable) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=1000-2000", 1000).kind, RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-10", 0).kind, RangeRequest::kUnsatisfiable);
}

TEST(ByteRange, IgnoredForms) {
  for (const char* h : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "items=0-1", "bytes=5-2",
                        "bytes=0-1,5-6", "bytes=1-2-3", "bytes=99999999999999999999-"})
    EXPECT_EQ(ParseRange(h, 1000).kind, RangeRequest::kWhole) << h;
}

TEST(ByteRange, ContentRange) {
  EXPECT_EQ(ContentRange(ParseRange("bytes=0-99", 1000), 1000), "bytes 0-99/1000");
  EXPECT_EQ(ContentRange(ParseRange("bytes=-1", 1000), 1000), "bytes 999-999/1000");
  EXPECT_EQ(ContentRange(ParseRange("bytes=2000-", 1000), 1000), "bytes */1000");
}

}  // namespace
}  // namespace yard
