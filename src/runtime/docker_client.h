// DockerClient: the Docker Engine API (version 1.41, Debian's docker.io 20.10 and newer) over
// dockerd's unix socket. It only moves requests and answers; what to ask for is the docker
// runtime's business (runtime/docker_runtime.h).
//
// Every call opens a connection of its own, so one client may be used from many threads at
// once. Answers outside 2xx become a Status carrying dockerd's own words ({"message": ...}):
// 400 InvalidArgument, 404 NotFound, 409 Conflict, 401/403 and 5xx Unavailable; a socket
// that does not answer is Unavailable and says so.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/types.h"
#include "common/status.h"

namespace httplib {
class Client;
}

namespace yard {

// Lets another thread end a Stream that is waiting for data (a silent container's log, say).
// One token serves one Stream at a time; once cancelled it stays cancelled.
class StreamCancel {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class DockerClient;
  mutable std::mutex mu_;
  bool cancelled_ = false;
  httplib::Client* active_ = nullptr;  // the connection a Stream is reading, if any
};

class DockerClient {
 public:
  // How long a plain call may wait for dockerd's answer.
  static constexpr std::chrono::seconds kCallTimeout{60};

  explicit DockerClient(std::filesystem::path socket = "/var/run/docker.sock");

  const std::filesystem::path& socket() const { return socket_; }

  // GET /_ping: Ok when dockerd answers.
  Status Ping() const;

  // `method` ("GET", "POST", "DELETE") on `path` ("/containers/json?all=1", without the API
  // version, which is added here), with `body` as JSON unless it is null. The answer's JSON,
  // or null for an empty answer.
  Result<Json> Call(const std::string& method, const std::string& path, const Json& body = nullptr,
                    std::chrono::seconds timeout = kCallTimeout) const;

  // A request whose answer is a stream (logs, pull progress): `on_data` gets the body piece by
  // piece as it arrives and returns false to stop reading, which is not an error. Ends Ok when
  // dockerd ends the answer. A read that waits longer than `read_timeout` for data, or a
  // `cancel` from another thread, ends it Unavailable.
  Status Stream(const std::string& method, const std::string& path,
                const std::function<bool(std::string_view)>& on_data,
                std::chrono::seconds read_timeout, StreamCancel* cancel = nullptr) const;

 private:
  std::unique_ptr<httplib::Client> Connect(std::chrono::seconds read_timeout) const;
  std::string Describe(const std::string& method, const std::string& path) const;

  std::filesystem::path socket_;
};

// Escapes everything but RFC 3986's unreserved characters, for a value in a query string.
std::string QueryEscape(std::string_view text);

// The Status for a non-2xx answer of dockerd: its {"message": ...} when there is one, else the
// start of the body.
Status DockerErrorStatus(int http_status, std::string_view body);

}  // namespace yard
