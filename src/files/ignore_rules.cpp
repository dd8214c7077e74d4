#include "files/ignore_rules.h"

#include "files/fs_util.h"

namespace yard {
namespace {

// Matches a "[...]" class at p[0] against c; sets *len to the class's length in the pattern,
// or 0 when the '[' does not open a well-formed class (it is then a literal '[').
bool MatchClass(std::string_view p, char c, size_t* len) {
  size_t i = 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      if (hi == '\\' && i + 3 < p.size()) hi = p[++i + 2];
      i += 2;
    }
    if (lo <= c && c <= hi) matched = true;
    ++i;
  }
  if (i >= p.size()) {
    *len = 0;
    return false;
  }
  *len = i + 1;
  return matched != negate && c != '/';
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view t) {
  size_t pi = 0, ti = 0;
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '*') {
      bool whole_component = (pi == 0 || p[pi - 1] == '/') && pi + 1 < p.size() &&
                             p[pi + 1] == '*' && (pi + 2 == p.size() || p[pi + 2] == '/');
      if (whole_component) {
        if (pi + 2 == p.size()) return true;  // "x/**" (or "**"): everything that is left
        // "**/": zero or more whole folders, then the rest of the pattern.
        std::string_view rest = p.substr(pi + 3);
        for (size_t k = ti;;) {
          if (GlobMatch(rest, t.substr(k))) return true;
          size_t slash = t.find('/', k);
          if (slash == std::string_view::npos) return false;
          k = slash + 1;
        }
      }
      while (pi < p.size() && p[pi] == '*') ++pi;  // other runs of '*' are one '*'
      std::string_view rest = p.substr(pi);
      for (size_t k = ti; k <= t.size(); ++k) {
        if (GlobMatch(rest, t.substr(k))) return true;
        if (k < t.size() && t[k] == '/') break;
      }
      return false;
    }
    if (ti >= t.size()) return false;
    if (c == '?') {
      if (t[ti] == '/') return false;
      ++pi;
      ++ti;
      continue;
    }
    if (c == '[') {
      size_t len = 0;
      bool m = MatchClass(p.substr(pi), t[ti], &len);
      if (len > 0) {
        if (!m) return false;
        pi += len;
        ++ti;
        continue;
      }
    }
    if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
    if (c != t[ti]) return false;
    ++pi;
    ++ti;
  }
  return ti == t.size();
}

void IgnoreRules::Add(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Trailing spaces go, unless the last one is escaped.
  while (!line.empty() && line.back() == ' ' &&
         !(line.size() >= 2 && line[line.size() - 2] == '\\'))
    line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return;
  Rule rule;
  if (line.front() == '!') {
    rule.negate = true;
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    rule.dir_only = true;
    while (!line.empty() && line.back() == '/') line.remove_suffix(1);
  }
  if (line.empty()) return;
  // A '/' at the start or in the middle anchors the pattern at the root.
  rule.anchored = line.find('/') != std::string_view::npos;
  while (!line.empty() && line.front() == '/') line.remove_prefix(1);
  if (line.empty()) return;
  rule.pattern = std::string(line);
  rules_.push_back(std::move(rule));
}

void IgnoreRules::AddLines(std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    Add(text.substr(start, end - start));
    start = end + 1;
  }
}

bool IgnoreRules::Excluded(std::string_view rel_path, bool is_dir) const {
  std::string_view name = BaseName(rel_path);
  bool excluded = false;
  for (const auto& rule : rules_) {
    if (rule.dir_only && !is_dir) continue;
    if (rule.negate == excluded) {
      // Only a rule that would change the answer needs matching.
      if (GlobMatch(rule.pattern, rule.anchored ? rel_path : name)) excluded = !rule.negate;
    }
  }
  return excluded;
}

Result<IgnoreRules> IgnoreRules::ForFolder(const std::string& dir,
                                           const std::vector<std::string>& extra) {
  IgnoreRules rules;
  for (const char* name : {"/.gitignore", "/.yardignore"}) {
    auto text = ReadSmallFile(dir + name, 1 << 20);
    if (text.ok()) {
      rules.AddLines(*text);
    } else if (text.status().code() != Code::kNotFound) {
      return text.status().Prefixed("cannot read the excludes in " + dir + name);
    }
  }
  for (const auto& e : extra) rules.Add(e);
  return rules;
}

}  // namespace yard
