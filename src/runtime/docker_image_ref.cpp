#include "runtime/docker_image_ref.h"

#include <cctype>

namespace yard {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component of a repository: lower-case letters and digits, separated by single
// '.', '_', '__' or runs of '-' (Docker's grammar, a little more lenient).
bool ValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (char ch : c) {
    if (!IsLowerAlnum(ch) && ch != '.' && ch != '_' && ch != '-') return false;
  }
  return true;
}

bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
  for (char ch : tag) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '.' && ch != '-') {
      return false;
    }
  }
  return true;
}

bool ValidDigest(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view hex = digest.substr(colon + 1);
  if (hex.size() < 32) return false;
  for (char ch : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(ch)) ||
        std::isupper(static_cast<unsigned char>(ch))) {
      return false;
    }
  }
  return true;
}

bool ValidRegistry(std::string_view host) {
  if (host.empty()) return false;
  for (char ch : host) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != ':' &&
        ch != '[' && ch != ']') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string ImageReference::Name() const {
  return registry.empty() ? repository : registry + "/" + repository;
}

std::string ImageReference::ToString() const {
  std::string out = Name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> ParseImageReference(std::string_view text) {
  const std::string quoted = "image reference '" + std::string(text) + "'";
  if (text.empty()) return InvalidArgument("the image reference is empty");
  ImageReference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!ValidDigest(ref.digest)) {
      return InvalidArgument(quoted + ": '" + ref.digest + "' is not a digest (sha256:<hex>)");
    }
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost") {
      if (!ValidRegistry(first)) return InvalidArgument(quoted + ": bad registry address");
      ref.registry = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!ValidTag(ref.tag)) {
      return InvalidArgument(quoted + ": bad tag '" + ref.tag +
                             "' (letters, digits, '_', '.', '-'; at most 128)");
    }
  }
  if (rest.empty()) return InvalidArgument(quoted + " names no repository");
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    if (!ValidComponent(rest.substr(start, end - start))) {
      return InvalidArgument(quoted + ": '" + std::string(rest) +
                             "' is not a repository name (lower-case letters, digits and "
                             "'.', '_', '-' between them, components joined by '/')");
    }
    start = end + 1;
  }
  ref.repository = std::string(rest);
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace yard
