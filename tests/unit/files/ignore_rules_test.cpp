#include "files/ignore_rules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "files/folder_walk.h"
#include "files_test_util.h"

namespace yard {
namespace {

using testing::ScratchDir;
using testing::WriteFile;

TEST(GlobMatch, Star) {
  EXPECT_TRUE(GlobMatch("*.pyc", "a.pyc"));
  EXPECT_TRUE(GlobMatch("*.pyc", ".pyc"));
  EXPECT_FALSE(GlobMatch("*.pyc", "a.py"));
  EXPECT_FALSE(GlobMatch("*.pyc", "dir/a.pyc"));  // '*' stays within a component
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_FALSE(GlobMatch("*", "a/b"));
}

TEST(GlobMatch, QuestionAndClasses) {
  EXPECT_TRUE(GlobMatch("file?.txt", "file1.txt"));
  EXPECT_FALSE(GlobMatch("file?.txt", "file10.txt"));
  EXPECT_FALSE(GlobMatch("a?b", "a/b"));
  EXPECT_TRUE(GlobMatch("log[0-9]", "log7"));
  EXPECT_FALSE(GlobMatch("log[0-9]", "logx"));
  EXPECT_TRUE(GlobMatch("log[!0-9]", "logx"));
  EXPECT_TRUE(GlobMatch("[]]x", "]x"));
  EXPECT_TRUE(GlobMatch("[abc", "[abc"));  // an unclosed '[' is a literal
}

TEST(GlobMatch, DoubleStar) {
  EXPECT_TRUE(GlobMatch("**/foo", "foo"));
  EXPECT_TRUE(GlobMatch("**/foo", "a/b/foo"));
  EXPECT_FALSE(GlobMatch("**/foo", "a/foobar"));
  EXPECT_TRUE(GlobMatch("a/**", "a/x"));
  EXPECT_TRUE(GlobMatch("a/**", "a/x/y/z"));
  EXPECT_FALSE(GlobMatch("a/**", "a"));
  EXPECT_FALSE(GlobMatch("a/**", "b/x"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/b"));
  EXPECT_TRUE(GlobMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(GlobMatch("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(GlobMatch("**/*.log", "deep/er/x.log"));
  EXPECT_TRUE(GlobMatch("a**b", "aXb"));  // not a whole component: one '*'
  EXPECT_FALSE(GlobMatch("a**b", "a/b"));
}

TEST(GlobMatch, Escapes) {
  EXPECT_TRUE(GlobMatch("\\*.txt", "*.txt"));
  EXPECT_FALSE(GlobMatch("\\*.txt", "a.txt"));
  EXPECT_TRUE(GlobMatch("\\#x", "#x"));
}

TEST(IgnoreRules, UnanchoredMatchesAtAnyDepth) {
  IgnoreRules r;
  r.AddLines("# comment\n\n*.pyc\n__pycache__/\n");
  EXPECT_TRUE(r.Excluded("a.pyc", false));
  EXPECT_TRUE(r.Excluded("pkg/sub/a.pyc", false));
  EXPECT_FALSE(r.Excluded("a.py", false));
  EXPECT_TRUE(r.Excluded("pkg/__pycache__", true));
  EXPECT_FALSE(r.Excluded("pkg/__pycache__", false));  // trailing '/': folders only
  EXPECT_FALSE(r.Excluded("# comment", false));
}

TEST(IgnoreRules, Anchored) {
  IgnoreRules r;
  r.AddLines("/build\ndocs/*.html\n");
  EXPECT_TRUE(r.Excluded("build", true));
  EXPECT_FALSE(r.Excluded("src/build", true));
  EXPECT_TRUE(r.Excluded("docs/index.html", false));
  EXPECT_FALSE(r.Excluded("other/docs/index.html", false));
  EXPECT_FALSE(r.Excluded("docs/sub/index.html", false));
}

TEST(IgnoreRules, NegationLastMatchWins) {
  IgnoreRules r;
  r.AddLines("*.log\n!keep.log\n");
  EXPECT_TRUE(r.Excluded("a.log", false));
  EXPECT_FALSE(r.Excluded("keep.log", false));
  EXPECT_FALSE(r.Excluded("sub/keep.log", false));
  r.Add("sub/keep.log");
  EXPECT_TRUE(r.Excluded("sub/keep.log", false));
  EXPECT_FALSE(r.Excluded("keep.log", false));
}

TEST(IgnoreRules, TrailingSpacesAndEscapes) {
  IgnoreRules r;
  r.Add("spaced   ");
  r.Add("\\#hash");
  r.Add("\\!bang");
  r.Add("crlf\r");
  EXPECT_TRUE(r.Excluded("spaced", false));
  EXPECT_TRUE(r.Excluded("#hash", false));
  EXPECT_TRUE(r.Excluded("!bang", false));
  EXPECT_TRUE(r.Excluded("crlf", false));
}

TEST(FolderWalk, ExcludesAndGitAndSymlinks) {
  ScratchDir dir;
  std::string root = dir / "code";
  WriteFile(root + "/train.py", "print(1)\n");
  WriteFile(root + "/lib/util.py", "x = 1\n");
  WriteFile(root + "/lib/util.pyc", "junk");
  WriteFile(root + "/data/big.bin", "big");
  WriteFile(root + "/data/keep.txt", "keep");  // inside an excluded folder: stays out
  WriteFile(root + "/logs/a.log", "log");
  WriteFile(root + "/logs/important.log", "important");
  WriteFile(root + "/.git/HEAD", "ref: refs/heads/main\n");
  WriteFile(root + "/sub/.git/config", "[core]\n");  // a submodule's .git too
  WriteFile(root + "/.gitignore", "*.pyc\n/data/\n!data/keep.txt\n*.log\n");
  WriteFile(root + "/.yardignore", "!important.log\n");
  WriteFile(dir / "outside.txt", "secret");
  ASSERT_EQ(::symlink((dir / "outside.txt").c_str(), (root + "/escape.txt").c_str()), 0);
  ASSERT_EQ(::symlink("train.py", (root + "/alias.py").c_str()), 0);
  ASSERT_EQ(::symlink("lib", (root + "/liblink").c_str()), 0);

  auto rules = IgnoreRules::ForFolder(root, {"extra/"});
  ASSERT_TRUE(rules.ok());
  auto content = WalkFolder(root, &*rules, 1 << 20);
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  std::vector<std::string> rels;
  for (const auto& f : content->files) rels.push_back(f.rel);
  EXPECT_EQ(rels, (std::vector<std::string>{".gitignore", ".yardignore", "alias.py", "lib/util.py",
                                            "logs/important.log", "train.py"}));
  ASSERT_EQ(content->skipped.size(), 2u);
  EXPECT_NE(content->skipped[0].find("escape.txt"), std::string::npos);
  EXPECT_NE(content->skipped[0].find("outside"), std::string::npos);
  EXPECT_NE(content->skipped[1].find("liblink"), std::string::npos);
}

TEST(FolderWalk, SizeLimitNamesTheSize) {
  ScratchDir dir;
  WriteFile(dir / "a", std::string(600, 'a'));
  WriteFile(dir / "b", std::string(500, 'b'));
  auto content = WalkFolder(dir.path(), nullptr, 1000);
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.status().code(), Code::kTooLarge);
  EXPECT_NE(content.status().message().find("1100 bytes"), std::string::npos)
      << content.status().message();
  EXPECT_NE(content.status().message().find("1000"), std::string::npos);
  EXPECT_TRUE(WalkFolder(dir.path(), nullptr, 1100).ok());
}

TEST(FolderWalk, UnstorableNameIsNamed) {
  ScratchDir dir;
  WriteFile(dir / "bad\\name", "x");
  auto content = WalkFolder(dir.path(), nullptr, 1000);
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("backslash"), std::string::npos);
}

}  // namespace
}  // namespace yard
