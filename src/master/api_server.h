// The master's HTTP/JSON API under /v1 (docs/architecture.md), plus /healthz and /metrics.
// Every error is {"error": {"code", "message"}} with the status its code maps to.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "master/master.h"

namespace httplib {
class Server;
}

namespace yard {

class FileStore;

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 7070;
  size_t max_spec_bytes = 1 << 20;   // a submitted spec
  size_t max_body_bytes = 16 << 20;  // any other body but file uploads (job output chunks)
  // Threads serving requests: each kept-alive connection holds one (a worker keeps up to
  // three), so the pool grows with the connections, up to this many.
  size_t max_threads = 4096;
  int max_page_jobs = 10'000;  // the most jobs one GET /v1/jobs answer lists
};

class ApiServer {
 public:
  // `files`, when given, is served under /v1/files; it must outlive the server.
  ApiServer(Master& master, ApiServerOptions options, FileStore* files = nullptr);
  ~ApiServer();

  // Binds and starts serving on a thread of its own. Port 0 picks a free port.
  Status Start();
  int port() const { return port_; }
  void Stop();

 private:
  void Routes();
  Master& master_;
  ApiServerOptions options_;
  FileStore* files_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;  // the listening socket, once bound
};

}  // namespace yard
