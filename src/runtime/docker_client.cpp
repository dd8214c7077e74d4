#include "runtime/docker_client.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cctype>
#include <thread>
#include <utility>

namespace yard {
namespace {

// Requests name the API version, so a newer dockerd keeps answering in 1.41's words.
constexpr std::string_view kApiPrefix = "/v1.41";

Code CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return Code::kInvalidArgument;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kConflict;
    default:
      return Code::kUnavailable;  // 401/403 (a registry refused us) and dockerd's own 5xx
  }
}

}  // namespace

void StreamCancel::Cancel() {
  std::unique_lock lock(mu_);
  cancelled_ = true;
  // Shutting the socket down is the one thing httplib allows from another thread: the
  // reading thread then sees its connection end. A stop() that comes before the request has
  // its socket misses it, so it is repeated until the Stream lets go (bounded, not to hang a
  // worker's shutdown on a bug).
  for (int tries = 0; active_ && tries < 500; ++tries) {
    active_->stop();
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    lock.lock();
  }
}

bool StreamCancel::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

DockerClient::DockerClient(std::filesystem::path socket) : socket_(std::move(socket)) {}

std::unique_ptr<httplib::Client> DockerClient::Connect(std::chrono::seconds read_timeout) const {
  auto client = std::make_unique<httplib::Client>(socket_.string());
  client->set_address_family(AF_UNIX);
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(std::chrono::seconds(60));
  return client;
}

std::string DockerClient::Describe(const std::string& method, const std::string& path) const {
  return method + " " + path.substr(0, path.find('?')) + " on " + socket_.string();
}

Status DockerClient::Ping() const {
  auto client = Connect(std::chrono::seconds(5));
  auto res = client->Get("/_ping", {{"Host", "localhost"}});
  if (!res) {
    return Unavailable("dockerd does not answer on " + socket_.string() + " (" +
                       httplib::to_string(res.error()) + ")");
  }
  if (res->status != 200) return DockerErrorStatus(res->status, res->body).Prefixed("ping");
  return Status::Ok();
}

Result<Json> DockerClient::Call(const std::string& method, const std::string& path,
                                const Json& body, std::chrono::seconds timeout) const {
  auto client = Connect(timeout);
  httplib::Request req;
  req.method = method;
  req.path = std::string(kApiPrefix) + path;
  // httplib would send the socket's path as the Host, which dockerd refuses.
  req.headers.emplace("Host", "localhost");
  if (!body.is_null()) {
    req.body = body.dump();
    req.headers.emplace("Content-Type", "application/json");
  } else if (method == "POST") {
    req.headers.emplace("Content-Length", "0");
  }
  auto res = client->send(req);
  if (!res) {
    return Unavailable(Describe(method, path) + ": " + httplib::to_string(res.error()));
  }
  if (res->status < 200 || res->status >= 300) return DockerErrorStatus(res->status, res->body);
  if (res->body.empty()) return Json(nullptr);
  Json answer = Json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) {
    return Internal(Describe(method, path) + ": dockerd answered with malformed JSON");
  }
  return answer;
}

Status DockerClient::Stream(const std::string& method, const std::string& path,
                            const std::function<bool(std::string_view)>& on_data,
                            std::chrono::seconds read_timeout, StreamCancel* cancel) const {
  auto client = Connect(read_timeout);
  if (cancel) {
    std::lock_guard lock(cancel->mu_);
    if (cancel->cancelled_) return Unavailable(Describe(method, path) + ": cancelled");
    cancel->active_ = client.get();
  }
  int status = 0;
  std::string error_body;
  bool stopped = false;
  httplib::Request req;
  req.method = method;
  req.path = std::string(kApiPrefix) + path;
  req.headers.emplace("Host", "localhost");
  if (method == "POST") req.headers.emplace("Content-Length", "0");
  req.response_handler = [&](const httplib::Response& response) {
    status = response.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    if (status < 200 || status >= 300) {
      // An error answer is a message to keep, not a stream to hand on.
      if (error_body.size() < 64 * 1024) error_body.append(data, size);
      return true;
    }
    if (!on_data(std::string_view(data, size))) {
      stopped = true;
      return false;
    }
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool sent = client->send(req, res, error);
  bool was_cancelled = false;
  if (cancel) {
    std::lock_guard lock(cancel->mu_);
    cancel->active_ = nullptr;
    was_cancelled = cancel->cancelled_;
  }
  if (stopped) return Status::Ok();
  if (was_cancelled) return Unavailable(Describe(method, path) + ": cancelled");
  if (!sent) return Unavailable(Describe(method, path) + ": " + httplib::to_string(error));
  if (status < 200 || status >= 300) {
    return DockerErrorStatus(status, error_body.empty() ? res.body : error_body);
  }
  return Status::Ok();
}

std::string QueryEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Status DockerErrorStatus(int http_status, std::string_view body) {
  std::string message;
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    message = parsed["message"].get<std::string>();
  } else {
    message = std::string(body.substr(0, 300));
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
      message.pop_back();
    }
  }
  if (message.empty()) message = "dockerd answered HTTP " + std::to_string(http_status);
  return Status(CodeForHttpStatus(http_status), message);
}

}  // namespace yard
