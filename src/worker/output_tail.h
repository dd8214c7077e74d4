// Ships one job attempt's output file to the master as it grows: the new bytes and the metric
// points found in them, in one request, at the offset the master expects. Safe to call from
// the periodic shipper and from the job's own thread at its end.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "client/http_client.h"
#include "common/status.h"
#include "worker/metric_parser.h"

namespace yard {

class OutputTail {
 public:
  // `resumed`: the attempt began under an earlier run of this worker, so where the master's
  // copy ends is unknown until ResumeAt() says; Ship() sends nothing until then.
  OutputTail(int64_t job_id, int attempt, std::filesystem::path log_path, bool resumed = false)
      : job_id_(job_id), attempt_(attempt), path_(std::move(log_path)), known_(!resumed) {}

  // Sends what has been written since the last call (in chunks of at most 1 MiB).
  Status Ship(HttpClient& master);

  // The master holds the first `offset` bytes already: skips them, reading them only for the
  // metric parser's sake (their points were sent with them).
  Status ResumeAt(int64_t offset);

  // The output stays in the local file and Ship() sends nothing: a gang's log at the master is
  // its rank-0 part's output, so the other parts' would only collide with it.
  void Mute() {
    std::lock_guard lock(mu_);
    muted_ = true;
  }

 private:
  Status SendChunk(HttpClient& master, const std::string& data,
                   const std::vector<MetricPoint>& metrics);
  const int64_t job_id_;
  const int attempt_;
  const std::filesystem::path path_;
  std::mutex mu_;
  int64_t sent_ = 0;
  bool known_;
  bool muted_ = false;
  MetricParser parser_;
};

}  // namespace yard
