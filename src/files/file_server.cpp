#include "files/file_server.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "files/file_routes.h"
#include "files/http_task_queue.h"

namespace yard {

Result<std::unique_ptr<FileServer>> FileServer::Start(FileServerOptions options) {
  std::unique_ptr<FileServer> fs(new FileServer());
  fs->options_ = options;
  YARD_ASSIGN_OR_RETURN(fs->store_, FileStore::Open({options.root, options.max_file_bytes}));
  fs->server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *fs->server_;
  ElasticThreadPoolOptions pool;
  pool.max_threads = options.max_threads;
  s.new_task_queue = [pool] { return new HttpTaskQueue(pool); };
  // Uploads stream to disk, so the request limit can be the file limit.
  s.set_payload_max_length(options.max_file_bytes);
  s.set_tcp_nodelay(true);
  s.set_keep_alive_timeout(5);  // also bounds how long Stop() waits on idle connections
  s.set_read_timeout(std::chrono::seconds(60));
  s.set_write_timeout(std::chrono::seconds(60));
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  RegisterFileRoutes(s, *fs->store_);
  FileStore* store = fs->store_.get();
  s.set_expect_100_continue_handler([store](const httplib::Request& req, httplib::Response& res) {
    return FilesExpectContinue(*store, req, res);
  });

  if (options.port == 0) {
    fs->port_ = s.bind_to_any_port(options.host);
    if (fs->port_ < 0) return Unavailable("cannot listen on " + options.host);
  } else {
    if (!s.bind_to_port(options.host, options.port))
      return Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                         " (is another server there?)");
    fs->port_ = options.port;
  }
  FileServer* raw = fs.get();
  fs->thread_ = std::thread([raw] { raw->server_->listen_after_bind(); });
  // httplib's stop() does nothing before the listening loop runs (it would then block in
  // accept for ever): return only once it runs, so Stop() always works.
  for (int i = 0; i < 5000 && !s.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!s.is_running()) return Internal("the file server did not start listening");
  return fs;
}

FileServer::~FileServer() { Stop(); }

std::string FileServer::url() const {
  return "http://" + options_.host + ":" + std::to_string(port_);
}

void FileServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace yard
