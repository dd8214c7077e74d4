#include "api/resource_limits.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace yard {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> UnitFactor(std::string_view unit) {
  const std::string u = Lower(unit);
  if (u.empty() || u == "b") return 1.0;
  if (u == "k" || u == "kib") return 1024.0;
  if (u == "m" || u == "mib") return 1024.0 * 1024;
  if (u == "g" || u == "gib") return 1024.0 * 1024 * 1024;
  if (u == "t" || u == "tib") return 1024.0 * 1024 * 1024 * 1024;
  if (u == "kb") return 1e3;
  if (u == "mb") return 1e6;
  if (u == "gb") return 1e9;
  if (u == "tb") return 1e12;
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> ParseByteSize(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  std::string number(text.substr(0, i));
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      number.find('.') != number.rfind('.'))
    return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  auto factor = UnitFactor(text.substr(i));
  if (!factor) return std::nullopt;
  const double bytes = std::strtod(number.c_str(), nullptr) * *factor;
  // 2^63 is the first double past INT64_MAX.
  if (!std::isfinite(bytes) || bytes >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(std::llround(bytes));
}

std::string FormatByteSize(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 6) value /= 1024, ++unit;
  char buf[32];
  if (unit == 0 || value == std::floor(value))
    std::snprintf(buf, sizeof buf, "%.0f %s", value, units[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.4g %s", value, units[unit]);
  return buf;
}

std::optional<int64_t> CpusToNano(double cpus) {
  if (!std::isfinite(cpus) || cpus < 0.001 || cpus > 1e6) return std::nullopt;
  return static_cast<int64_t>(std::llround(cpus * 1e9));
}

}  // namespace yard
