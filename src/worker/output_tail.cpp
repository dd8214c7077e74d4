#include "worker/output_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

namespace yard {
namespace {
constexpr size_t kChunk = 1 << 20;
}

Status OutputTail::ResumeAt(int64_t offset) {
  std::lock_guard lock(mu_);
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + path_.string(), errno);
  std::string buf(64 * 1024, '\0');
  Status result;
  while (sent_ < offset) {
    size_t want = static_cast<size_t>(std::min<int64_t>(offset - sent_, 64 * 1024));
    ssize_t n = ::pread(fd, buf.data(), want, sent_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result = n < 0 ? ErrnoError("read " + path_.string(), errno)
                     : IoError(path_.string() + " is shorter than the master's copy");
      break;
    }
    parser_.Feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    sent_ += n;
  }
  ::close(fd);
  known_ = true;
  return result;
}

Status OutputTail::Ship(HttpClient& master) {
  std::lock_guard lock(mu_);
  if (muted_) return Status::Ok();
  // Sending from 0 would overlap what the master has; the job's last output waits for this.
  if (!known_) return Unavailable("the master's offset of a reattached job is not known yet");
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : ErrnoError("open " + path_.string(), errno);
  Status result;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= sent_) {
    ::close(fd);
    return Status::Ok();  // nothing new: the common case, kept free of allocations
  }
  std::string buf(std::min<size_t>(kChunk, static_cast<size_t>(st.st_size - sent_)), '\0');
  while (true) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), sent_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = ErrnoError("read " + path_.string(), errno);
      break;
    }
    if (n == 0) break;
    std::string data = buf.substr(0, static_cast<size_t>(n));
    // Parsing happens once per byte: a failed send keeps the points for the retry.
    MetricParser attempt_parser = parser_;
    auto metrics = attempt_parser.Feed(data);
    result = SendChunk(master, data, metrics);
    if (!result.ok()) break;
    parser_ = attempt_parser;
    sent_ += n;
    if (static_cast<size_t>(n) < buf.size()) break;
  }
  ::close(fd);
  return result;
}

Status OutputTail::SendChunk(HttpClient& master, const std::string& data,
                             const std::vector<MetricPoint>& metrics) {
  Json points = Json::array();
  for (const auto& p : metrics) {
    points.push_back({{"step", p.step},
                      {"key", p.key},
                      {"value", std::isfinite(p.value) ? Json(p.value) : Json(nullptr)}});
  }
  Json meta = {{"attempt", attempt_}, {"offset", sent_}, {"metrics", points}};
  // Multipart keeps the raw bytes raw (logs need not be UTF-8) beside the JSON of the points.
  std::vector<FormPart> parts = {
      {"meta", meta.dump(), "", "application/json"},
      {"data", data, "output", "application/octet-stream"},
  };
  auto r = master.PostMultipart("/v1/jobs/" + std::to_string(job_id_) + "/output", parts);
  // Conflict: the attempt is no longer current (it was cancelled or moved on), so its output
  // has nowhere to go; dropping it stops the retries.
  if (!r.ok() && r.status().code() == Code::kConflict) return Status::Ok();
  return r.status();
}

}  // namespace yard
