#include "files/store_path.h"

#include <cstdio>
#include <vector>

namespace yard {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is malformed (overlong forms,
// surrogates and code points past U+10FFFF included).
size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

Status Bad(std::string_view path, const std::string& why) {
  return InvalidArgument("bad path '" + EscapeForMessage(path) + "': " + why);
}

}  // namespace

std::string EscapeForMessage(std::string_view text) {
  constexpr size_t kMaxShown = 200;  // a 1 MB path must not make a 1 MB message
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (text.size() > kMaxShown) out += "...";
  return out;
}

Result<std::string> NormalizeStorePath(std::string_view path) {
  if (path.empty()) return InvalidArgument("bad path: it is empty");
  if (path.size() > kMaxStorePathBytes)
    return Bad(path, "longer than " + std::to_string(kMaxStorePathBytes) + " bytes");
  for (size_t i = 0; i < path.size();) {
    auto c = static_cast<unsigned char>(path[i]);
    if (c == 0) return Bad(path, "it contains a NUL byte");
    if (c == '\\') return Bad(path, "it contains a backslash (separate folders with '/')");
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", c);
      return Bad(path, std::string("it contains a control character (") + buf + ")");
    }
    size_t n = Utf8Length(path, i);
    if (n == 0) return Bad(path, "it is not valid UTF-8");
    i += n;
  }
  if (path.front() == '/') return Bad(path, "it is absolute (paths are relative to the store)");
  if (path.back() == '/') return Bad(path, "it ends with '/' (a file path names a file)");

  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return Bad(path, "it has an empty component ('//')");
    if (part == "..") return Bad(path, "it has a '..' component");
    if (part.size() > kMaxStoreComponentBytes)
      return Bad(
          path, "a component is longer than " + std::to_string(kMaxStoreComponentBytes) + " bytes");
    if (part != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(part);
    }
    start = end + 1;
  }
  if (out.empty()) return Bad(path, "it names the store's root, not a file");
  return out;
}

Result<std::string> NormalizeStorePrefix(std::string_view prefix) {
  if (prefix.empty()) return std::string();
  if (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix == ".") return std::string();
  return NormalizeStorePath(prefix);
}

}  // namespace yard
