#include "worker/metric_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace yard {
namespace {

// key -> value of the points of one step, for easy comparison.
std::map<std::string, double> ByKey(const std::vector<MetricPoint>& points) {
  std::map<std::string, double> out;
  for (const auto& p : points) out[p.key] = p.value;
  return out;
}

TEST(MetricParser, OneLine) {
  MetricParser parser;
  auto points = parser.Feed("YARD_METRIC {\"step\": 3, \"val_accuracy\": 0.91, \"loss\": 0.2}\n");
  ASSERT_EQ(points.size(), 2u);
  for (const auto& p : points) EXPECT_EQ(p.step, 3);
  EXPECT_EQ(ByKey(points), (std::map<std::string, double>{{"loss", 0.2}, {"val_accuracy", 0.91}}));
}

TEST(MetricParser, LineSplitAcrossChunks) {
  MetricParser parser;
  EXPECT_TRUE(parser.Feed("YARD_MET").empty());
  EXPECT_TRUE(parser.Feed("RIC {\"step\": 1, \"lo").empty());
  EXPECT_TRUE(parser.Feed("ss\": 1.5}").empty());  // no newline yet: not complete
  auto points = parser.Feed("\nYARD_METRIC {\"loss\"");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "loss");
  EXPECT_EQ(points[0].value, 1.5);
  EXPECT_EQ(points[0].step, 1);
  points = parser.Feed(": 0.5}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].value, 0.5);
}

TEST(MetricParser, ByteByByte) {
  MetricParser parser;
  std::string text = "noise\nYARD_METRIC {\"step\": 7, \"acc\": 0.5}\r\nmore noise\n";
  std::vector<MetricPoint> all;
  for (char c : text) {
    auto points = parser.Feed(std::string_view(&c, 1));
    all.insert(all.end(), points.begin(), points.end());
  }
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key, "acc");
  EXPECT_EQ(all[0].value, 0.5);
  EXPECT_EQ(all[0].step, 7);
}

TEST(MetricParser, SeveralLinesInOneChunk) {
  MetricParser parser;
  auto points = parser.Feed(
      "epoch 1 done\n"
      "YARD_METRIC {\"step\": 1, \"loss\": 0.9}\n"
      "YARD_METRIC {\"step\": 2, \"loss\": 0.5}\n"
      "YARD_METRIC {\"step\": 3, \"loss\": 0.1}\n");
  ASSERT_EQ(points.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(points[i].step, static_cast<int64_t>(i + 1));
    EXPECT_EQ(points[i].key, "loss");
  }
  EXPECT_EQ(points[0].value, 0.9);
  EXPECT_EQ(points[2].value, 0.1);
}

TEST(MetricParser, CrLfLineEndings) {
  MetricParser parser;
  auto points = parser.Feed("YARD_METRIC {\"a\": 1}\r\nYARD_METRIC {\"b\": 2}\r\n");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].key, "a");
  EXPECT_EQ(points[0].value, 1);
  EXPECT_EQ(points[1].key, "b");
  EXPECT_EQ(points[1].value, 2);
}

TEST(MetricParser, MissingStepIsAutoNumbered) {
  MetricParser parser;
  auto points = parser.Feed(
      "YARD_METRIC {\"loss\": 3}\n"
      "not a metric\n"
      "YARD_METRIC {\"loss\": 2}\n");
  auto more = parser.Feed("YARD_METRIC {\"loss\": 1}\n");  // numbering goes on across chunks
  points.insert(points.end(), more.begin(), more.end());
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].step, 0);
  EXPECT_EQ(points[1].step, 1);
  EXPECT_EQ(points[2].step, 2);
  EXPECT_EQ(points[2].value, 1);
}

TEST(MetricParser, StepGivenKeepsItsValueAndIsNotAMetric) {
  MetricParser parser;
  auto points = parser.Feed("YARD_METRIC {\"step\": 100, \"acc\": 0.75}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].step, 100);
  EXPECT_EQ(points[0].key, "acc");
  // A non-numeric step is ignored: the line is numbered by its order instead.
  points = parser.Feed("YARD_METRIC {\"step\": \"ten\", \"acc\": 0.8}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].step, 1);
  // A fractional step is cut to a whole one.
  points = parser.Feed("YARD_METRIC {\"step\": 4.0, \"acc\": 0.85}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].step, 4);
}

TEST(MetricParser, NonNumericValuesSkipped) {
  MetricParser parser;
  auto points = parser.Feed(
      "YARD_METRIC {\"step\": 1, \"phase\": \"train\", \"acc\": 0.5, \"hist\": [1, 2], "
      "\"nested\": {\"x\": 1}}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "acc");
}

TEST(MetricParser, BooleansAndNull) {
  MetricParser parser;
  auto points = parser.Feed(
      "YARD_METRIC {\"step\": 2, \"converged\": true, \"diverged\": false, "
      "\"loss\": null, \"big\": 18446744073709551615, \"neg\": -3}\n");
  ASSERT_EQ(points.size(), 5u);
  std::map<std::string, double> got = ByKey(points);
  EXPECT_EQ(got["converged"], 1.0);
  EXPECT_EQ(got["diverged"], 0.0);
  EXPECT_TRUE(std::isnan(got["loss"]));
  EXPECT_EQ(got["big"], 18446744073709551615.0);
  EXPECT_EQ(got["neg"], -3.0);
}

TEST(MetricParser, MalformedLinesIgnored) {
  MetricParser parser;
  auto points = parser.Feed(
      "YARD_METRIC {\"loss\": 0.5\n"       // unterminated object
      "YARD_METRIC [1, 2, 3]\n"            // not an object
      "YARD_METRIC 42\n"                   // not an object
      "YARD_METRIC \n"                     // nothing
      "YARD_METRIC {\"a\": 1} trailing\n"  // junk after the JSON
      "YARD_METRIC {\"ok\": 1}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "ok");
  EXPECT_EQ(points[0].step, 0);  // malformed lines take no step number
}

TEST(MetricParser, OnlyLinesStartingWithThePrefix) {
  MetricParser parser;
  auto points = parser.Feed(
      " YARD_METRIC {\"a\": 1}\n"      // leading space
      "INFO YARD_METRIC {\"b\": 2}\n"  // prefix in the middle
      "YARD_METRIC{\"c\": 3}\n"        // no space after the prefix
      "yard_metric {\"d\": 4}\n"       // wrong case
      "YARD_METRICS {\"e\": 5}\n"      // another word
      "YARD_METRIC {\"f\": 6}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "f");
  EXPECT_EQ(points[0].value, 6);
}

TEST(MetricParser, OverLongLineDiscardedWithoutBreakingTheNext) {
  MetricParser parser;
  // A metric line of more than 64 KiB, fed in pieces, with the next line in the same chunk as
  // its end.
  std::string big = "YARD_METRIC {\"pad\": \"" + std::string(70 * 1024, 'x') + "\", \"a\": 1}";
  EXPECT_TRUE(parser.Feed(big.substr(0, 30'000)).empty());
  EXPECT_TRUE(parser.Feed(big.substr(30'000, 30'000)).empty());
  auto points = parser.Feed(big.substr(60'000) + "\nYARD_METRIC {\"b\": 2}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "b");
  EXPECT_EQ(points[0].value, 2);
  EXPECT_EQ(points[0].step, 0);

  // The same in one chunk.
  points = parser.Feed(big + "\nYARD_METRIC {\"c\": 3}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "c");
}

TEST(MetricParser, LongButNotOverLongLineIsKept) {
  MetricParser parser;
  std::string line = "YARD_METRIC {\"a\": 1, \"pad\": \"\"}";
  // Grow the padding until the line is exactly 64 KiB.
  line.insert(line.size() - 2, std::string(64 * 1024 - line.size(), 'y'));
  ASSERT_EQ(line.size(), 64u * 1024u);
  auto points = parser.Feed(line.substr(0, 1000));
  points = parser.Feed(line.substr(1000) + "\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].key, "a");
}

TEST(MetricParser, NoisyOutputNoMetrics) {
  MetricParser parser;
  EXPECT_TRUE(parser.Feed("").empty());
  EXPECT_TRUE(parser.Feed("\n\n\r\n").empty());
  EXPECT_TRUE(parser.Feed(std::string(200'000, 'z') + "\n").empty());
  EXPECT_TRUE(parser.Feed(std::string("bin\0ary\n", 8)).empty());
  auto points = parser.Feed("YARD_METRIC {\"x\": 1}\n");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].step, 0);
}

}  // namespace
}  // namespace yard
