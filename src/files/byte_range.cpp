#include "files/byte_range.h"

#include <charconv>

namespace yard {
namespace {

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
  RangeRequest whole;
  header = Trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (!header.starts_with(kUnit)) return whole;
  std::string_view spec = Trim(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: not supported
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view first = Trim(spec.substr(0, dash));
  std::string_view last = Trim(spec.substr(dash + 1));

  RangeRequest out;
  out.kind = RangeRequest::kPartial;
  if (first.empty()) {  // "-n": the last n bytes
    uint64_t n = 0;
    if (!ParseNumber(last, &n)) return whole;
    if (n == 0 || size == 0) return {RangeRequest::kUnsatisfiable, 0, 0};
    if (n > size) n = size;
    out.start = size - n;
    out.length = n;
    return out;
  }
  uint64_t a = 0;
  if (!ParseNumber(first, &a)) return whole;
  uint64_t b = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    uint64_t requested_end = 0;
    if (!ParseNumber(last, &requested_end) || requested_end < a) return whole;
    if (requested_end < b) b = requested_end;
  }
  if (a >= size) return {RangeRequest::kUnsatisfiable, 0, 0};
  out.start = a;
  out.length = b - a + 1;
  return out;
}

std::string ContentRange(const RangeRequest& range, uint64_t size) {
  if (range.kind != RangeRequest::kPartial) return "bytes */" + std::to_string(size);
  return "bytes " + std::to_string(range.start) + "-" +
         std::to_string(range.start + range.length - 1) + "/" + std::to_string(size);
}

}  // namespace yard
