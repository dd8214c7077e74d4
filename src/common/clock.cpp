#include "common/clock.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace yard {

Micros NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Micros MonotonicMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string FormatRfc3339(Micros t) {
  if (t <= 0) return "";
  time_t secs = static_cast<time_t>(t / 1000000);
  int millis = static_cast<int>((t % 1000000) / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::optional<int64_t> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  bool any_unit = false;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 100'000'000'000LL) return std::nullopt;
      ++i;
    }
    if (i == text.size()) {
      if (any_unit) return std::nullopt;  // "1h30" is ambiguous
      return n;
    }
    int64_t mult = 0;
    switch (text[i]) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      default:
        return std::nullopt;
    }
    total += n * mult;
    any_unit = true;
    ++i;
  }
  return total;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  std::string out;
  int64_t h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s || out.empty()) out += std::to_string(s) + "s";
  return out;
}

}  // namespace yard

namespace yard {

std::optional<Micros> ParseRfc3339(std::string_view text) {
  int y, mo, d, h, mi, s;
  char frac[16] = {};
  std::string t(text);
  int n = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  if (n != 6) return std::nullopt;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  time_t secs = timegm(&tm);
  Micros micros = 0;
  size_t dot = t.find('.');
  if (dot != std::string::npos) {
    size_t i = dot + 1, digits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])) && digits < 6) {
      frac[digits++] = t[i++];
    }
    while (digits < 6) frac[digits++] = '0';
    micros = std::atoll(frac);
  }
  return static_cast<Micros>(secs) * 1'000'000 + micros;
}

std::string FormatAge(Micros elapsed) {
  int64_t s = elapsed / 1'000'000;
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

}  // namespace yard
