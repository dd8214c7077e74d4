// A standalone file server (`yard files serve`): a FileStore on a root folder and the routes of
// file_routes.h on an HTTP server of their own, with /healthz. Inside the master the same
// routes go on the master's server instead (RegisterFileRoutes).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "files/file_store.h"

namespace httplib {
class Server;
}

namespace yard {

struct FileServerOptions {
  std::string root;  // the store's folder
  std::string host = "127.0.0.1";
  int port = 7071;  // 0 picks a free port
  uint64_t max_file_bytes = FileStoreOptions{}.max_file_bytes;
  size_t max_threads = 256;  // connections served at once (each kept-alive one holds a thread)
};

class FileServer {
 public:
  // Opens the store, binds and serves on a thread of its own.
  static Result<std::unique_ptr<FileServer>> Start(FileServerOptions options);
  ~FileServer();

  int port() const { return port_; }
  std::string url() const;  // "http://HOST:PORT"
  FileStore& store() { return *store_; }
  // Stops accepting, waits for the serving thread. Idempotent.
  void Stop();

 private:
  FileServer() = default;
  FileServerOptions options_;
  std::unique_ptr<FileStore> store_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace yard
