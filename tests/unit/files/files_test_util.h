// Shared by the file server's tests: scratch folders that clean themselves up, small file
// helpers, and a real file server on 127.0.0.1 with a free port.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "files/file_server.h"
#include "files/fs_util.h"

namespace yard::testing {

class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/yard-files-test-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data())) path_ = buf.data();
  }
  ~ScratchDir() {
    if (!path_.empty()) (void)RemoveTree(path_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::string parent(ParentOf(path));
  if (!parent.empty()) {
    ASSERT_TRUE(MakeDirs(parent).ok());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

inline mode_t Mode(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Names of the entries of a folder (not recursive); empty when it does not exist.
std::vector<std::string> ListDir(const std::string& dir);

// Bytes that look random (so no compression or pattern hides a bug), the same for a seed.
std::string PseudoRandomBytes(size_t n, uint32_t seed);

// A file server on 127.0.0.1, port 0, with its store in a scratch folder.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(64ull << 20); }
  void StartServer(uint64_t max_file_bytes);
  std::string url() const { return server_->url(); }
  int port() const { return server_->port(); }
  FileStore& store() { return server_->store(); }

  ScratchDir dir_;
  std::unique_ptr<FileServer> server_;
};

}  // namespace yard::testing
