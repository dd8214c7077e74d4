#include "runtime/execution_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>

#include "common/file_io.h"

namespace yard {
namespace fs = std::filesystem;

namespace {

// A rewrite when the file holds this many lines and four times as many as there are live
// executions: rare (one per ~100 short jobs), and the file stays a few kilobytes.
constexpr size_t kRewriteAtLines = 256;
constexpr size_t kMaxJournalBytes = 64 << 20;

std::string StartLine(const ExecutionRecord& r) {
  return "start " + std::to_string(r.job_id) + " " + std::to_string(r.attempt) + " " +
         std::to_string(r.pid) + " " + std::to_string(r.start_time) + "\n";
}

std::string EndLine(int64_t job_id, int attempt) {
  return "end " + std::to_string(job_id) + " " + std::to_string(attempt) + "\n";
}

// The space-separated fields of `line`.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    size_t space = line.find(' ');
    std::string_view field = line.substr(0, space);
    if (!field.empty()) out.push_back(field);
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return out;
}

template <typename T>
bool Number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The journal's text; empty when there is none yet.
Result<std::string> ReadWhole(const fs::path& path) {
  Result<std::string> text = ReadSmallFile(path.string(), kMaxJournalBytes);
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::string();
  return text;
}

// Replays `text` into `live`; returns the number of lines, counting unreadable ones in `bad`.
size_t Replay(std::string_view text, std::map<std::pair<int64_t, int>, ExecutionRecord>& live,
              std::vector<std::pair<int64_t, int>>* order, int& bad) {
  size_t lines = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {  // a torn last write
      ++bad;
      ++lines;
      break;
    }
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    ++lines;
    std::vector<std::string_view> f = Fields(line);
    ExecutionRecord r;
    if (f.size() == 5 && f[0] == "start" && Number(f[1], r.job_id) && Number(f[2], r.attempt) &&
        Number(f[3], r.pid) && Number(f[4], r.start_time) && r.pid > 1) {
      auto key = std::make_pair(r.job_id, r.attempt);
      if (order && !live.count(key)) order->push_back(key);
      live[key] = r;
    } else if (f.size() == 3 && f[0] == "end" && Number(f[1], r.job_id) &&
               Number(f[2], r.attempt)) {
      live.erase({r.job_id, r.attempt});
    } else {
      ++bad;
    }
  }
  return lines;
}

}  // namespace

ExecutionJournal::ExecutionJournal(fs::path path) : path_(std::move(path)) {}

Result<JournalContents> ExecutionJournal::Read() const {
  YARD_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  std::map<std::pair<int64_t, int>, ExecutionRecord> live;
  std::vector<std::pair<int64_t, int>> order;
  JournalContents out;
  Replay(text, live, &order, out.bad_lines);
  for (const auto& key : order) {
    auto it = live.find(key);
    if (it != live.end()) out.live.push_back(it->second);
  }
  return out;
}

Status ExecutionJournal::LoadLocked() {
  if (loaded_) return Status::Ok();
  YARD_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  int bad = 0;
  live_.clear();
  lines_ = Replay(text, live_, nullptr, bad);
  // A torn last line would glue itself to the next one written: start that on a line of its own.
  if (!text.empty() && text.back() != '\n') YARD_RETURN_IF_ERROR(AppendLocked("\n"));
  loaded_ = true;
  return Status::Ok();
}

Status ExecutionJournal::AppendLocked(const std::string& line) {
  if (!fd_.valid()) {
    fd_.Reset(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_.valid()) return ErrnoError("cannot open " + path_.string(), errno);
  }
  // One write of a whole line: with O_APPEND it lands whole at the end, whoever else appends.
  return WriteAll(fd_.get(), line).Prefixed(path_.string());
}

Status ExecutionJournal::Started(const ExecutionRecord& record) {
  std::lock_guard lock(mu_);
  YARD_RETURN_IF_ERROR(LoadLocked());
  YARD_RETURN_IF_ERROR(AppendLocked(StartLine(record)));
  live_[{record.job_id, record.attempt}] = record;
  ++lines_;
  return Status::Ok();
}

Status ExecutionJournal::Ended(int64_t job_id, int attempt) {
  std::lock_guard lock(mu_);
  YARD_RETURN_IF_ERROR(LoadLocked());
  if (live_.erase({job_id, attempt}) == 0) return Status::Ok();  // never recorded, or cleared
  YARD_RETURN_IF_ERROR(AppendLocked(EndLine(job_id, attempt)));
  ++lines_;
  if (lines_ >= kRewriteAtLines && lines_ >= 4 * live_.size()) return RewriteLocked();
  return Status::Ok();
}

Status ExecutionJournal::RewriteLocked() {
  std::string text;
  for (const auto& [key, record] : live_) text += StartLine(record);
  fs::path tmp = path_;
  tmp += ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoError("cannot create " + tmp.string(), errno);
    YARD_RETURN_IF_ERROR(WriteAll(fd.get(), text).Prefixed(tmp.string()));
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("cannot rename " + tmp.string() + " to " + path_.string(), err);
  }
  fd_.Reset();  // the old file is gone from the folder; appends go to the new one
  lines_ = live_.size();
  return Status::Ok();
}

Status ExecutionJournal::Clear() {
  std::lock_guard lock(mu_);
  live_.clear();
  lines_ = 0;
  loaded_ = true;
  fd_.Reset();
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("cannot empty " + path_.string(), errno);
  return Status::Ok();
}

}  // namespace yard
