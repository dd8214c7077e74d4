#include "runtime/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "common/unique_fd.h"

namespace yard {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::string_view kPrefix = "execution-";
constexpr std::string_view kSuffix = ".json";

fs::path StatePath(const fs::path& dir, int64_t job_id, int attempt) {
  return dir / (std::string(kPrefix) + std::to_string(job_id) + "-" + std::to_string(attempt) +
                std::string(kSuffix));
}

Status WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> ReadAll(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path.string(), errno);
  std::string text;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + path.string(), errno);
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 64 * 1024) return TooLarge(path.string() + " is not a state file");
  }
}

Result<ExecutionRecord> ParseRecord(const std::string& text) {
  Json doc = Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  auto is_int = [&](const char* key) { return doc.contains(key) && doc[key].is_number_integer(); };
  if (!doc.is_object() || !is_int("job_id") || !is_int("attempt") || !is_int("pid") ||
      !doc.contains("start_time") || !doc["start_time"].is_number_unsigned()) {
    return InvalidArgument("malformed state file");
  }
  ExecutionRecord record;
  record.job_id = doc["job_id"].get<int64_t>();
  record.attempt = doc["attempt"].get<int>();
  record.pid = doc["pid"].get<pid_t>();
  record.start_time = doc["start_time"].get<uint64_t>();
  if (record.pid <= 1) return InvalidArgument("state file names pid " + std::to_string(record.pid));
  return record;
}

}  // namespace

Status WriteStateFile(const fs::path& dir, const ExecutionRecord& record) {
  const fs::path path = StatePath(dir, record.job_id, record.attempt);
  fs::path tmp = path;
  tmp += ".tmp";
  const std::string text = Json{{"job_id", record.job_id},
                                {"attempt", record.attempt},
                                {"pid", record.pid},
                                {"start_time", record.start_time}}
                               .dump() +
                           "\n";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoError("cannot create " + tmp.string(), errno);
    YARD_RETURN_IF_ERROR(WriteAll(fd.get(), text).Prefixed(tmp.string()));
    // No fsync: the file only has to outlive the worker process. After a machine crash the
    // processes it names are gone too.
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("cannot rename " + tmp.string() + " to " + path.string(), err);
  }
  return Status::Ok();
}

Status RemoveStateFile(const fs::path& dir, int64_t job_id, int attempt) {
  const fs::path path = StatePath(dir, job_id, attempt);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("cannot remove " + path.string(), errno);
  }
  return Status::Ok();
}

std::vector<StateFile> ListStateFiles(const fs::path& dir) {
  std::vector<StateFile> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
        !name.ends_with(kSuffix)) {
      continue;  // a leftover .tmp, or not ours
    }
    Result<std::string> text = ReadAll(it->path());
    if (!text.ok()) {
      files.push_back({it->path(), text.status()});
      continue;
    }
    files.push_back({it->path(), ParseRecord(*text)});
  }
  return files;
}

}  // namespace yard
