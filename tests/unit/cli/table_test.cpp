#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace yard {
namespace {

std::string Render(const Table& t) {
  std::ostringstream out;
  t.Print(out);
  return out.str();
}

TEST(Table, PadsColumnsToTheWidestCell) {
  Table t({"ID", "NAME", "STATE"});
  t.Add({"1", "mnist-lr", "RUNNING"});
  t.Add({"1234", "a", "QUEUED"});
  EXPECT_EQ(Render(t),
            "ID    NAME      STATE\n"
            "1     mnist-lr  RUNNING\n"
            "1234  a         QUEUED\n");
}

TEST(Table, HeaderOnlyAndEmpty) {
  Table t({"ID", "NAME"});
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(Render(t), "ID  NAME\n");
  t.Add({"7", "x"});
  EXPECT_FALSE(t.empty());
}

TEST(Table, NoTrailingSpacesAndShortRows) {
  Table t({"A", "B", "C"});
  t.Add({"long-value", "", ""});
  t.Add({"x"});  // missing cells print as empty
  std::string text = Render(t);
  EXPECT_EQ(text,
            "A           B  C\n"
            "long-value\n"
            "x\n");
  EXPECT_EQ(text.find(" \n"), std::string::npos);
}

TEST(Table, ExtraCellsIgnored) {
  Table t({"A"});
  t.Add({"1", "surplus"});
  EXPECT_EQ(Render(t), "A\n1\n");
}

TEST(Table, Utf8CountsColumnsNotBytes) {
  Table t({"NAME", "X"});
  t.Add({"héllo", "1"});  // 5 columns, 6 bytes
  t.Add({"ab", "2"});
  EXPECT_EQ(Render(t),
            "NAME   X\n"
            "héllo  1\n"
            "ab     2\n");
}

TEST(Ellipsize, ShortTextUnchanged) {
  EXPECT_EQ(Ellipsize("abc", 10), "abc");
  EXPECT_EQ(Ellipsize("abcdefghij", 10), "abcdefghij");
  EXPECT_EQ(Ellipsize("", 5), "");
}

TEST(Ellipsize, CutsToWidthWithDots) {
  EXPECT_EQ(Ellipsize("abcdefghijk", 10), "abcdefg...");
  EXPECT_EQ(Ellipsize("abcdefghijk", 10).size(), 10u);
  EXPECT_EQ(Ellipsize("abcdef", 4), "a...");
  EXPECT_EQ(Ellipsize("abcde", 4), "a...");
}

TEST(Ellipsize, Utf8CharactersAreNotSplit) {
  // Each "é" is two bytes but one column.
  EXPECT_EQ(Ellipsize("éééééé", 5), "éé...");
  EXPECT_EQ(Ellipsize("ééééé", 5), "ééééé");
}

TEST(Ellipsize, TooNarrowToCutIsLeftAlone) {
  EXPECT_EQ(Ellipsize("abcdef", 3), "abcdef");
  EXPECT_EQ(Ellipsize("abcdef", 0), "abcdef");
}

}  // namespace
}  // namespace yard
