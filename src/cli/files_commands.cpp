// yard files put/get/ls/serve: the file server from the command line.
#include <signal.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/table.h"
#include "client/http_client.h"
#include "files/file_client.h"
#include "files/file_server.h"

namespace yard {

int FilesPutCommand(const std::string& local, const std::string& remote) {
  ProgressBar bar("put " + remote);
  auto r = UploadFile(MasterUrlFromEnv(), local, remote,
                      [&](uint64_t done, uint64_t total) { bar.Update(done, total); });
  if (!r.ok()) return Fail(r.status().message());
  std::cout << remote << ": " << FormatBytes(r->size) << ", sha256 " << r->sha256.substr(0, 12)
            << (r->already_there ? " (already there: no bytes sent)" : "") << "\n";
  return 0;
}

int FilesGetCommand(const std::string& remote, const std::string& local) {
  ProgressBar bar("get " + remote);
  auto r = DownloadFile(MasterUrlFromEnv(), remote, local,
                        [&](uint64_t done, uint64_t total) { bar.Update(done, total); });
  if (!r.ok()) return Fail(r.status().message());
  std::cout << local << ": " << FormatBytes(r->size) << "\n";
  return 0;
}

int FilesLsCommand(const std::string& prefix, bool recursive, bool json) {
  auto r = ListFiles(MasterUrlFromEnv(), prefix, recursive);
  if (!r.ok()) return Fail(r.status().message());
  if (json) {
    Json entries = Json::array();
    for (const auto& e : r->entries) entries.push_back(FileEntryToJson(e));
    std::cout << Json{{"prefix", r->prefix}, {"dirs", r->dirs}, {"entries", entries}}.dump(2)
              << "\n";
    return 0;
  }
  Table t({"PATH", "SIZE", "SHA256", "MODIFIED"});
  for (const auto& d : r->dirs) t.Add({(r->prefix.empty() ? "" : r->prefix + "/") + d + "/"});
  for (const auto& e : r->entries)
    t.Add({e.path, FormatBytes(e.size), e.sha256.substr(0, 12), FormatRfc3339(e.mtime)});
  t.Print(std::cout);
  return 0;
}

int FilesServeCommand(const std::string& root, const std::string& host, int port) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  FileServerOptions options;
  options.root = root;
  options.host = host;
  options.port = port;
  auto server = FileServer::Start(options);
  if (!server.ok()) return Fail(server.status().message());
  std::cout << "yard files: serving " << root << " on " << (*server)->url() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->Stop();
  return 0;
}

}  // namespace yard
