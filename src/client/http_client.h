// A client of the master's HTTP API. Turns transport failures and {"error": ...} answers into
// Status values, so callers handle one error style. Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace httplib {
class Client;
}

namespace yard {

// One part of a multipart/form-data body.
struct FormPart {
  std::string name;
  std::string content;
  std::string filename;
  std::string content_type;
};

struct RawResponse {
  std::string body;
  std::string job_state;  // the X-Yard-Job-State header, when the answer has one
};

class HttpClient {
 public:
  // base_url: "http://HOST:PORT" (or "HOST:PORT").
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const std::string& base_url() const { return base_url_; }
  void set_read_timeout(std::chrono::milliseconds timeout);

  Result<Json> Get(const std::string& path);
  Result<Json> Post(const std::string& path, const Json& body);
  Result<RawResponse> GetRaw(const std::string& path);
  Result<Json> PostRaw(const std::string& path, const std::string& body,
                       const std::string& content_type);
  Result<Json> PostMultipart(const std::string& path, const std::vector<FormPart>& parts);

  // Closes the kept-alive connection (the next request opens another). For a caller about to
  // be idle for a while: the master's HTTP server (httplib 0.11) wakes every 10 ms to look at
  // each idle kept-alive connection until its keep-alive timeout, so a thousand idle workers
  // holding theirs open would cost it about 100,000 wake-ups a second.
  void CloseIdleConnection();

 private:
  std::string base_url_;
  std::unique_ptr<httplib::Client> client_;
};

// The master's address for client commands: $YARD_MASTER, else http://127.0.0.1:7070.
std::string MasterUrlFromEnv();

// "?a=1&b=x%20y" from pairs, escaping values.
std::string UrlEscape(const std::string& text);

}  // namespace yard
