// Wall-clock time as microseconds since the Unix epoch, the unit of every stored time.
// Pure code (sched, hpo) never calls these: times reach it as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yard {

using Micros = int64_t;

Micros NowMicros();
// Monotonic microseconds for measuring intervals; unrelated to the wall clock.
Micros MonotonicMicros();

// "2026-11-21T09:45:32.123Z"; empty for 0 (a time that has not happened).
std::string FormatRfc3339(Micros t);

// "90s", "15m", "2h", "1d", "1h30m" or plain seconds ("45"); nullopt when malformed.
std::optional<int64_t> ParseDurationSeconds(std::string_view text);
// 3725 -> "1h2m5s"
std::string FormatDuration(int64_t seconds);

}  // namespace yard

namespace yard {
// Reads what FormatRfc3339 writes (UTC, optional fraction); nullopt when malformed.
std::optional<Micros> ParseRfc3339(std::string_view text);
// "5s", "3m", "2h", "4d": how long ago, roughly, for tables.
std::string FormatAge(Micros elapsed);
}  // namespace yard
