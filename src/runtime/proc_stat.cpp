#include "runtime/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace yard {
namespace {

// Fields after "pid (comm) ", counted from `state`, the 3rd field of proc(5).
constexpr int kStateField = 0;
constexpr int kPgrpField = 2;        // field 5
constexpr int kStartTimeField = 19;  // field 22

template <class T>
bool ParseNumber(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return std::nullopt;
  std::string_view text(buf, static_cast<size_t>(n));

  // The command name may hold spaces and parentheses; it ends at the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 > text.size()) return std::nullopt;
  text.remove_prefix(close + 2);

  ProcStat stat;
  stat.pid = pid;
  int field = 0;
  while (!text.empty() && field <= kStartTimeField) {
    size_t space = text.find(' ');
    std::string_view value = text.substr(0, space);
    if (field == kStateField) {
      if (value.size() != 1) return std::nullopt;
      stat.state = value[0];
    } else if (field == kPgrpField) {
      if (!ParseNumber(value, &stat.pgrp)) return std::nullopt;
    } else if (field == kStartTimeField) {
      if (!ParseNumber(value, &stat.start_time)) return std::nullopt;
      return stat;
    }
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
    ++field;
  }
  return std::nullopt;
}

std::vector<ProcStat> LiveProcessesInGroup(pid_t pgid) {
  std::vector<ProcStat> found;
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc", ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    pid_t pid = 0;
    if (!ParseNumber(it->path().filename().native(), &pid)) continue;  // not a process
    std::optional<ProcStat> stat = ReadProcStat(pid);
    if (stat && stat->pgrp == pgid && stat->state != 'Z') found.push_back(*stat);
  }
  return found;
}

}  // namespace yard
