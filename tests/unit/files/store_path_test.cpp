#include "files/store_path.h"

#include <gtest/gtest.h>

#include <string>

namespace yard {
namespace {

// The check's message must name the problem: each bad form below says which words to expect.
void ExpectBad(std::string_view path, const std::string& why) {
  auto r = NormalizeStorePath(path);
  ASSERT_FALSE(r.ok()) << "accepted '" << path << "' as '" << *r << "'";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(why), std::string::npos)
      << "message '" << r.status().message() << "' does not say '" << why << "'";
}

TEST(StorePath, GoodPathsPassUnchanged) {
  for (const char* p : {"a", "datasets/mnist/train.bin", "code/abc123", "outputs/job-12/model.pt",
                        "with space/and-dash_underscore.tar.gz", "...", "a..b/c..", ".hidden/x",
                        "ünïcödé/日本語.txt", "checkpoints/sweep-3-trial-7/step=100"}) {
    auto r = NormalizeStorePath(p);
    ASSERT_TRUE(r.ok()) << p << ": " << r.status().ToString();
    EXPECT_EQ(*r, p);
  }
}

TEST(StorePath, DotComponentsAreDropped) {
  EXPECT_EQ(*NormalizeStorePath("./a/./b/."), "a/b");
  EXPECT_EQ(*NormalizeStorePath("./x"), "x");
}

TEST(StorePath, Empty) {
  ExpectBad("", "empty");
  ExpectBad(".", "root");
  ExpectBad("./.", "root");
}

TEST(StorePath, DotDot) {
  ExpectBad("..", "'..'");
  ExpectBad("../etc/passwd", "'..'");
  ExpectBad("a/../../b", "'..'");
  ExpectBad("a/..", "'..'");
  ExpectBad("a/b/../c", "'..'");  // even when it would stay inside: paths are not resolved
}

TEST(StorePath, Absolute) {
  ExpectBad("/etc/passwd", "absolute");
  ExpectBad("/", "absolute");
}

TEST(StorePath, EmptyComponents) {
  ExpectBad("a//b", "empty component");
  ExpectBad("a/b/", "ends with '/'");
}

TEST(StorePath, NulByte) {
  ExpectBad(std::string_view("a\0b", 3), "NUL");
  ExpectBad(std::string_view("ok.txt\0../../etc", 16), "NUL");
}

TEST(StorePath, Backslash) {
  ExpectBad("a\\b", "backslash");
  ExpectBad("..\\..\\windows", "backslash");
}

TEST(StorePath, ControlCharacters) {
  ExpectBad("a\nb", "control character (0x0a)");
  ExpectBad("a\rb", "control character (0x0d)");
  ExpectBad("tab\there", "control character (0x09)");
  ExpectBad("del\x7f", "control character (0x7f)");
  ExpectBad("esc\x1b[31m", "control character (0x1b)");
}

TEST(StorePath, InvalidUtf8) {
  ExpectBad("bad\xff", "UTF-8");
  ExpectBad("overlong\xc0\xaf", "UTF-8");       // an overlong '/'
  ExpectBad("surrogate\xed\xa0\x80", "UTF-8");  // U+D800
  ExpectBad("cut\xe6\x97", "UTF-8");
}

TEST(StorePath, TooLong) {
  std::string component(kMaxStoreComponentBytes, 'x');
  EXPECT_TRUE(NormalizeStorePath(component).ok());
  ExpectBad(component + "x", "component is longer than 255");
  std::string path;
  while (path.size() + 100 <= kMaxStorePathBytes) path += std::string(99, 'p') + "/";
  path += std::string(kMaxStorePathBytes - path.size(), 'q');
  EXPECT_TRUE(NormalizeStorePath(path).ok());
  ExpectBad(path + "q", "longer than 1024 bytes");
}

TEST(StorePath, MessageEscapesWhatItQuotes) {
  auto r = NormalizeStorePath("a\nb");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  EXPECT_NE(r.status().message().find("a\\x0ab"), std::string::npos);
}

TEST(StorePath, Prefixes) {
  EXPECT_EQ(*NormalizeStorePrefix(""), "");
  EXPECT_EQ(*NormalizeStorePrefix("."), "");
  EXPECT_EQ(*NormalizeStorePrefix("./"), "");
  EXPECT_EQ(*NormalizeStorePrefix("datasets/"), "datasets");
  EXPECT_EQ(*NormalizeStorePrefix("datasets/mnist"), "datasets/mnist");
  EXPECT_FALSE(NormalizeStorePrefix("/").ok());
  EXPECT_FALSE(NormalizeStorePrefix("../").ok());
  EXPECT_FALSE(NormalizeStorePrefix("a//").ok());
}

}  // namespace
}  // namespace yard
