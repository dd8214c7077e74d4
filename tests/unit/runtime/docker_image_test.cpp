// Image references, pull progress lines, registry pages and dockerd's error answers: the pure
// parts of the docker runtime and of `yard images`.
#include <gtest/gtest.h>

#include "runtime/docker_client.h"
#include "runtime/docker_image_pull.h"
#include "runtime/docker_image_ref.h"
#include "runtime/docker_registry.h"

namespace yard {
namespace {

TEST(ImageReferenceTest, RegistryRepositoryTag) {
  auto ref = ParseImageReference("127.0.0.1:5000/busybox:latest");
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  EXPECT_EQ(ref->registry, "127.0.0.1:5000");
  EXPECT_EQ(ref->repository, "busybox");
  EXPECT_EQ(ref->tag, "latest");
  EXPECT_EQ(ref->digest, "");
  EXPECT_EQ(ref->Name(), "127.0.0.1:5000/busybox");
  EXPECT_EQ(ref->ToString(), "127.0.0.1:5000/busybox:latest");
}

TEST(ImageReferenceTest, DefaultsToLatest) {
  auto ref = ParseImageReference("127.0.0.1:5000/team/pytorch");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->repository, "team/pytorch");
  EXPECT_EQ(ref->tag, "latest");
}

TEST(ImageReferenceTest, NoRegistryMeansNone) {
  auto ref = ParseImageReference("busybox:1.35");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->registry, "");
  EXPECT_EQ(ref->repository, "busybox");
  EXPECT_EQ(ref->tag, "1.35");
  auto nested = ParseImageReference("library/busybox");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->registry, "");  // no '.', ':' or localhost: a path, not a host
  EXPECT_EQ(nested->repository, "library/busybox");
  auto local = ParseImageReference("localhost/x");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->registry, "localhost");
}

TEST(ImageReferenceTest, PortIsNotATag) {
  auto ref = ParseImageReference("registry.lan:5000/pytorch");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->registry, "registry.lan:5000");
  EXPECT_EQ(ref->repository, "pytorch");
  EXPECT_EQ(ref->tag, "latest");
}

TEST(ImageReferenceTest, Digest) {
  std::string digest = "sha256:" + std::string(64, 'a');
  auto ref = ParseImageReference("127.0.0.1:5000/busybox@" + digest);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  EXPECT_EQ(ref->digest, digest);
  EXPECT_EQ(ref->tag, "");
  EXPECT_EQ(ref->ToString(), "127.0.0.1:5000/busybox@" + digest);
  auto both = ParseImageReference("127.0.0.1:5000/busybox:1@" + digest);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->tag, "1");
}

TEST(ImageReferenceTest, RefusesMalformed) {
  for (const char* bad :
       {"", "Busybox", "127.0.0.1:5000/", "127.0.0.1:5000/busybox:", "a//b", "busybox:bad tag",
        "busybox@sha256:xyz", "-lead", "127.0.0.1:5000/busybox:.x", "a b"}) {
    auto ref = ParseImageReference(bad);
    EXPECT_FALSE(ref.ok()) << bad;
    if (!ref.ok()) {
      EXPECT_EQ(ref.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

TEST(PullProgressTest, StatusChangesAndQuarters) {
  PullProgress p;
  EXPECT_EQ(p.Line({{"status", "Pulling from busybox"}, {"id", "latest"}}),
            "pull: latest: Pulling from busybox");
  EXPECT_EQ(p.Line({{"status", "Pulling fs layer"}, {"id", "abc"}}), "pull: abc: Pulling fs layer");
  auto progress = [&](int current) {
    return p.Line({{"status", "Downloading"},
                   {"id", "abc"},
                   {"progressDetail", {{"current", current}, {"total", 1000}}}});
  };
  EXPECT_EQ(progress(10), "pull: abc: Downloading 0% of 1000 bytes");
  EXPECT_EQ(progress(100), "");
  EXPECT_EQ(progress(260), "pull: abc: Downloading 25% of 1000 bytes");
  EXPECT_EQ(progress(300), "");
  EXPECT_EQ(progress(1000), "pull: abc: Downloading 100% of 1000 bytes");
  EXPECT_EQ(
      p.Line({{"status", "Pull complete"}, {"id", "abc"}, {"progressDetail", Json::object()}}),
      "pull: abc: Pull complete");
  EXPECT_EQ(
      p.Line({{"status", "Status: Downloaded newer image for 127.0.0.1:5000/busybox:latest"}}),
      "pull: Status: Downloaded newer image for 127.0.0.1:5000/busybox:latest");
  EXPECT_EQ(p.Line(Json::array()), "");
}

TEST(DockerClientTest, QueryEscape) {
  EXPECT_EQ(QueryEscape("127.0.0.1:5000/busybox"), "127.0.0.1%3A5000%2Fbusybox");
  EXPECT_EQ(QueryEscape("{\"label\":[\"a=b\"]}"), "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
  EXPECT_EQ(QueryEscape("a-b_c.d~"), "a-b_c.d~");
}

TEST(DockerClientTest, ErrorsCarryDockerdsWords) {
  Status s = DockerErrorStatus(404, R"({"message":"No such container: abc"})");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "No such container: abc");
  EXPECT_EQ(DockerErrorStatus(409, "{\"message\":\"in use\"}").code(), Code::kConflict);
  EXPECT_EQ(DockerErrorStatus(400, "{\"message\":\"bad\"}").code(), Code::kInvalidArgument);
  Status plain = DockerErrorStatus(500, "page not found\n");
  EXPECT_EQ(plain.code(), Code::kUnavailable);
  EXPECT_EQ(plain.message(), "page not found");
  EXPECT_EQ(DockerErrorStatus(502, "").message(), "dockerd answered HTTP 502");
}

TEST(RegistryTest, NextPageFromLink) {
  EXPECT_EQ(NextPageFromLink("</v2/_catalog?last=b&n=2>; rel=\"next\""), "/v2/_catalog?last=b&n=2");
  EXPECT_EQ(NextPageFromLink("<http://127.0.0.1:5000/v2/x/tags/list?last=1&n=1>; rel=\"next\""),
            "/v2/x/tags/list?last=1&n=1");
  EXPECT_EQ(NextPageFromLink(""), "");
  EXPECT_EQ(NextPageFromLink("</v2/_catalog?last=b>; rel=\"prev\""), "");
}

TEST(RegistryTest, Address) {
  EXPECT_EQ(RegistryAddress("10.1.2.3:5000"), "10.1.2.3:5000");
  ::unsetenv("YARD_REGISTRY");
  EXPECT_EQ(RegistryAddress(""), "127.0.0.1:5000");
  ::setenv("YARD_REGISTRY", "127.0.0.1:6000", 1);
  EXPECT_EQ(RegistryAddress(""), "127.0.0.1:6000");
  ::unsetenv("YARD_REGISTRY");
}

}  // namespace
}  // namespace yard
