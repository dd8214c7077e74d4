// .gitignore-style excludes for code snapshots. Supported (a subset of gitignore(5)):
//   - blank lines and lines starting with '#' are skipped; "\#" and "\!" start a literal;
//     trailing spaces are dropped unless escaped ("\ ")
//   - '*' matches within one path component, '?' one character (never '/'), "[a-z]" and
//     "[!a-z]" character classes, '\' escapes the next character
//   - "**/x" matches x in any folder, "x/**" everything inside x, "a/**/b" zero or more
//     folders between a and b
//   - a pattern with a '/' before its end is anchored at the folder root (a leading '/' only
//     anchors); one without matches a name at any depth
//   - a trailing '/' matches folders only
//   - '!' re-includes what an earlier pattern excluded; the last matching pattern wins. As in
//     git, a file inside an excluded folder cannot be re-included (the folder is not walked).
// Not supported: .gitignore files in subfolders, global excludes, git's "info/exclude".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace yard {

// One glob against a '/'-separated relative path, with the wildcard rules above.
bool GlobMatch(std::string_view pattern, std::string_view path);

class IgnoreRules {
 public:
  // One pattern line; comments and blank lines are ignored.
  void Add(std::string_view line);
  // Every line of a .gitignore-style file's text.
  void AddLines(std::string_view text);

  // Whether `rel_path` (relative to the folder root, no leading '/') is excluded; `is_dir`
  // says it is a folder. Folders' contents are the walker's business: it does not descend
  // into an excluded folder.
  bool Excluded(std::string_view rel_path, bool is_dir) const;

  // `dir`/.gitignore and `dir`/.yardignore when present, then `extra` (later patterns win,
  // so `extra` can re-include with '!'). (.git folders are skipped by the walker, always.)
  static Result<IgnoreRules> ForFolder(const std::string& dir,
                                       const std::vector<std::string>& extra);

 private:
  struct Rule {
    std::string pattern;
    bool negate = false;
    bool dir_only = false;
    bool anchored = false;  // matched against the whole path, else against the last component
  };
  std::vector<Rule> rules_;
};

}  // namespace yard
