// The routes over a real server on 127.0.0.1: status codes, headers, ranges, limits, and what a
// broken upload leaves behind.
#include "files/file_routes.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "api/types.h"
#include "files/file_api.h"
#include "files/sha256.h"
#include "files_test_util.h"

namespace yard {
namespace {

using testing::ListDir;
using testing::ScratchDir;

// Sends raw bytes on a fresh connection and reads until the server closes (send "Connection:
// close"); returns the answer.
std::string Raw(int port, const std::string& bytes) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  if (!WriteAll(fd.get(), bytes.data(), bytes.size()).ok()) return "";
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Sends the start of a request and goes away (half-closes), then waits until the server has
// closed the connection too: by then its handler has ended and cleaned up after the upload.
void SendAndGoAway(int port, const std::string& bytes) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  if (!WriteAll(fd.get(), bytes.data(), bytes.size()).ok()) return;
  ::shutdown(fd.get(), SHUT_WR);
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  while (::read(fd.get(), buf, sizeof buf) > 0) {
  }
}

int StatusOf(const std::string& answer) {
  return answer.size() > 12 ? std::atoi(answer.substr(9, 3).c_str()) : 0;
}

class FileRoutesTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port());
    client_->set_keep_alive(true);
    client_->set_url_encode(false);
  }
  httplib::Result Put(const std::string& path, const std::string& body) {
    return client_->Put(FilePathUrl(path).c_str(), body, "application/octet-stream");
  }
  httplib::Result Get(const std::string& path, const std::string& range = "") {
    httplib::Headers h;
    if (!range.empty()) h.emplace("Range", range);
    return client_->Get(FilePathUrl(path).c_str(), h);
  }
  static std::string ErrorCode(const httplib::Result& r) {
    Json j = Json::parse(r->body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
  static std::string ErrorMessage(const std::string& body) {
    Json j = Json::parse(body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("message", "") : "";
  }

  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FileRoutesTest, PutGetHead) {
  auto put = Put("datasets/x.bin", "0123456789");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  Json j = Json::parse(put->body);
  EXPECT_EQ(j["path"], "datasets/x.bin");
  EXPECT_EQ(j["sha256"], Sha256Hex("0123456789"));
  EXPECT_EQ(j["size"], 10);
  EXPECT_EQ(j["received_bytes"], 10);
  EXPECT_TRUE(j["mtime"].is_string());

  auto get = Get("datasets/x.bin");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "0123456789");
  EXPECT_EQ(get->get_header_value("ETag"), "\"" + Sha256Hex("0123456789") + "\"");
  EXPECT_EQ(get->get_header_value(kSha256Header), Sha256Hex("0123456789"));
  EXPECT_EQ(get->get_header_value("Accept-Ranges"), "bytes");

  auto head = client_->Head(FilePathUrl("datasets/x.bin").c_str());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "10");
  EXPECT_TRUE(head->body.empty());

  auto missing = Get("datasets/none");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");
}

TEST_F(FileRoutesTest, EmptyFile) {
  auto put = Put("empty", "");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  auto get = Get("empty");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "");
  EXPECT_EQ(Get("empty", "bytes=0-")->status, 416);
}

TEST_F(FileRoutesTest, Ranges) {
  ASSERT_EQ(Put("r", "0123456789")->status, 200);
  auto part = Get("r", "bytes=2-5");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "2345");
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 2-5/10");

  auto suffix = Get("r", "bytes=-3");
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->body, "789");
  EXPECT_EQ(suffix->get_header_value("Content-Range"), "bytes 7-9/10");

  auto open = Get("r", "bytes=6-");
  EXPECT_EQ(open->status, 206);
  EXPECT_EQ(open->body, "6789");

  auto clamped = Get("r", "bytes=8-1000");
  EXPECT_EQ(clamped->status, 206);
  EXPECT_EQ(clamped->body, "89");
  EXPECT_EQ(clamped->get_header_value("Content-Range"), "bytes 8-9/10");

  auto past = Get("r", "bytes=10-");
  EXPECT_EQ(past->status, 416);
  EXPECT_EQ(past->get_header_value("Content-Range"), "bytes */10");
  EXPECT_EQ(ErrorCode(past), "range_not_satisfiable");

  auto missing = Get("nothing", "bytes=0-5");  // an error's JSON is not cut by the range
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");

  auto several = Get("r", "bytes=0-1,4-5");  // not supported: the whole file
  EXPECT_EQ(several->status, 200);
  EXPECT_EQ(several->body, "0123456789");
}

TEST_F(FileRoutesTest, LargeRangeStreamsFromTheMiddle) {
  std::string data = testing::PseudoRandomBytes(3 << 20, 7);
  ASSERT_EQ(Put("big", data)->status, 200);
  auto part = Get("big", "bytes=1000000-2999999");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_TRUE(part->body == data.substr(1000000, 2000000));
}

TEST_F(FileRoutesTest, SizeLimitIs413AndTheConnectionStaysUsable) {
  StartServer(1000);
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port());
  client_->set_keep_alive(true);
  auto big = Put("too/big", std::string(2000, 'x'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(ErrorCode(big), "too_large");
  EXPECT_EQ(big->get_header_value(kMaxFileBytesHeader), "1000");
  auto fits = Put("fits", std::string(1000, 'x'));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200) << fits->body;
  EXPECT_EQ(store().Stat("too/big").status().code(), Code::kNotFound);
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());

  // Without a Content-Length (chunked), the limit is found while streaming.
  std::string chunked =
      "PUT /v1/files/paths/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "1f4\r\n" + std::string(500, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  std::string answer = Raw(port(), chunked);
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  EXPECT_EQ(store().Stat("chunked").status().code(), Code::kNotFound);

  // A client that asks first (Expect: 100-continue) is refused before it sends the body.
  std::string expect = Raw(port(),
                           "PUT /v1/files/paths/asked HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 5000\r\nExpect: 100-continue\r\n"
                           "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(expect), 413) << expect;
  EXPECT_NE(expect.find("too_large"), std::string::npos);
}

TEST_F(FileRoutesTest, BadPathsAre400WithTheReason) {
  struct Case {
    std::string url_path;
    std::string says;
  };
  std::vector<Case> cases = {
      {"/v1/files/paths/../etc/passwd", "'..'"},
      {"/v1/files/paths/a/%2e%2e/%2e%2e/etc", "'..'"},
      {"/v1/files/paths//etc/passwd", "absolute"},
      {"/v1/files/paths/a%00b", "NUL"},
      {"/v1/files/paths/a%5Cb", "backslash"},
      {"/v1/files/paths/a%0Ab", "control character"},
      {"/v1/files/paths/a//b", "empty component"},
      {"/v1/files/paths/" + std::string(300, 'x'), "longer than 255"},
  };
  for (const auto& c : cases) {
    for (const char* method : {"GET", "PUT", "DELETE"}) {
      std::string req = std::string(method) + " " + c.url_path +
                        " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
      std::string answer = Raw(port(), req);
      EXPECT_EQ(StatusOf(answer), 400) << method << " " << c.url_path << "\n" << answer;
      std::string body = answer.substr(answer.find("\r\n\r\n") + 4);
      EXPECT_NE(ErrorMessage(body).find(c.says), std::string::npos)
          << method << " " << c.url_path << ": " << body;
    }
  }
  auto listing = store().List("", true);
  ASSERT_TRUE(listing.ok());
  EXPECT_TRUE(listing->entries.empty());
  EXPECT_EQ(client_->Get("/v1/files/list?prefix=../x")->status, 400);
}

TEST_F(FileRoutesTest, SymlinkLeadingOutOfTheStoreIs400) {
  ScratchDir outside;
  testing::WriteFile(outside / "passwd", "root:x:0:0");
  ASSERT_EQ(Put("datasets/ok", "ok")->status, 200);
  ASSERT_EQ(::symlink(outside.path().c_str(), (dir_ / "store/index/datasets/escape").c_str()), 0);
  auto get = Get("datasets/escape/passwd");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 400);
  EXPECT_NE(ErrorMessage(get->body).find("symbolic link"), std::string::npos) << get->body;
  auto put = Put("datasets/escape/planted", "x");
  EXPECT_EQ(put->status, 400);
  EXPECT_FALSE(testing::Exists(outside / "planted"));
}

TEST_F(FileRoutesTest, ShaParameterVerifiesTheContent) {
  auto bad = client_->Put((FilePathUrl("v") + "?sha256=" + Sha256Hex("other")).c_str(), "mine",
                          "application/octet-stream");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(ErrorMessage(bad->body).find("not the expected"), std::string::npos);
  EXPECT_EQ(store().Stat("v").status().code(), Code::kNotFound);
  EXPECT_FALSE(store().StatBlob(Sha256Hex("mine")).ok());
  EXPECT_EQ(client_->Put((FilePathUrl("v") + "?sha256=XYZ").c_str(), "mine", "text/plain")->status,
            400);
  auto good = client_->Put((FilePathUrl("v") + "?sha256=" + Sha256Hex("mine")).c_str(), "mine",
                           "application/octet-stream");
  EXPECT_EQ(good->status, 200);
}

TEST_F(FileRoutesTest, PublishExistingContentWithoutSendingIt) {
  ASSERT_EQ(Put("first", "shared content")->status, 200);
  std::string sha = Sha256Hex("shared content");
  auto head = client_->Head(BlobUrl(sha).c_str());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value(kMaxFileBytesHeader), std::to_string(64ull << 20));
  auto pub = client_->Put((FilePathUrl("second") + "?sha256=" + sha).c_str(), "",
                          "application/octet-stream");
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->status, 200) << pub->body;
  EXPECT_EQ(Json::parse(pub->body)["received_bytes"], 0);
  EXPECT_EQ(Get("second")->body, "shared content");

  std::string unknown = Sha256Hex("never sent");
  EXPECT_EQ(client_->Head(BlobUrl(unknown).c_str())->status, 404);
  auto none = client_->Put((FilePathUrl("third") + "?sha256=" + unknown).c_str(), "",
                           "application/octet-stream");
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(client_->Head(BlobUrl("nothex").c_str())->status, 400);
}

TEST_F(FileRoutesTest, Blobs) {
  std::string sha = Sha256Hex("blob body");
  auto wrong = client_->Put(BlobUrl(sha).c_str(), "other body", "application/octet-stream");
  EXPECT_EQ(wrong->status, 400);
  auto put = client_->Put(BlobUrl(sha).c_str(), "blob body", "application/octet-stream");
  ASSERT_EQ(put->status, 200) << put->body;
  auto get = client_->Get(BlobUrl(sha).c_str());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "blob body");
  Json q = {{"sha256", {sha, Sha256Hex("absent")}}};
  auto missing = client_->Post("/v1/files/blobs/missing", q.dump(), "application/json");
  ASSERT_EQ(missing->status, 200);
  EXPECT_EQ(Json::parse(missing->body)["missing"], Json::array({Sha256Hex("absent")}));
  EXPECT_EQ(client_->Post("/v1/files/blobs/missing", "[]", "application/json")->status, 400);
}

TEST_F(FileRoutesTest, ListAndDelete) {
  for (const char* p : {"outputs/job-1/model.pt", "outputs/job-1/log.txt", "outputs/job-2/x"})
    ASSERT_EQ(Put(p, p)->status, 200);
  auto top = client_->Get("/v1/files/list?prefix=outputs");
  ASSERT_EQ(top->status, 200);
  Json j = Json::parse(top->body);
  EXPECT_EQ(j["dirs"], Json::array({"job-1", "job-2"}));
  EXPECT_TRUE(j["entries"].empty());
  auto rec = client_->Get("/v1/files/list?prefix=outputs/job-1&recursive=1");
  Json r = Json::parse(rec->body);
  ASSERT_EQ(r["entries"].size(), 2u);
  EXPECT_EQ(r["entries"][0]["path"], "outputs/job-1/log.txt");
  EXPECT_EQ(r["entries"][0]["kind"], "file");
  EXPECT_EQ(client_->Get("/v1/files/list?prefix=nowhere")->status, 404);

  auto del = client_->Delete(FilePathUrl("outputs/job-1/model.pt").c_str());
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(Get("outputs/job-1/model.pt")->status, 404);
  EXPECT_EQ(client_->Delete(FilePathUrl("outputs/job-1/model.pt").c_str())->status, 404);
  EXPECT_EQ(client_->Delete(FilePathUrl("outputs").c_str())->status, 409);
}

TEST_F(FileRoutesTest, InterruptedUploadLeavesNothingVisible) {
  ASSERT_EQ(Put("ckpt/model.pt", "old")->status, 200);
  // Half a body, then the sender goes away.
  std::string half = "PUT " + FilePathUrl("ckpt/model.pt") +
                     " HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" +
                     std::string(100000, 'n');
  SendAndGoAway(port(), half);
  std::string fresh = "PUT " + FilePathUrl("ckpt/new.pt") +
                      " HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" +
                      std::string(150000, 'n');
  SendAndGoAway(port(), fresh);
  // The server may remove a temporary file just after closing: allow it a moment.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!ListDir(dir_ / "store/tmp").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(ListDir(dir_ / "store/tmp").empty());
  EXPECT_EQ(Get("ckpt/model.pt")->body, "old");
  EXPECT_EQ(Get("ckpt/new.pt")->status, 404);
  auto listing = store().List("ckpt", true);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->entries.size(), 1u);
  EXPECT_EQ(store().counters().bytes_uploaded, 3u);  // only "old" ever completed
}

}  // namespace
}  // namespace yard
