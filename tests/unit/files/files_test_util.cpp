#include "files_test_util.h"

#include <dirent.h>

#include <algorithm>

namespace yard::testing {

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* de = ::readdir(d)) {
    std::string name = de->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string PseudoRandomBytes(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x & 0xFF);
  }
  return out;
}

void ServerFixture::StartServer(uint64_t max_file_bytes) {
  if (server_) server_->Stop();
  server_.reset();
  FileServerOptions options;
  options.root = dir_ / "store";
  options.port = 0;
  options.max_file_bytes = max_file_bytes;
  options.max_threads = 4;
  auto server = FileServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(*server);
}

}  // namespace yard::testing
