#include "files/file_api.h"

#include <cctype>

namespace yard {

std::string PercentEscape(std::string_view text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string FilePathUrl(std::string_view store_path) {
  return std::string(kFilesRoot) + "/paths/" + PercentEscape(store_path, /*keep_slash=*/true);
}

std::string BlobUrl(std::string_view sha256) {
  return std::string(kFilesRoot) + "/blobs/" + PercentEscape(sha256, /*keep_slash=*/false);
}

}  // namespace yard
