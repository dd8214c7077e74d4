#include "api/error_body.h"

#include <gtest/gtest.h>

namespace yard {
namespace {

TEST(ErrorBody, CodeAndMessageSurviveTheTrip) {
  for (const Status& sent : {NotFound("job 7 is not known"), Conflict("job 7 has ended"),
                             TooLarge("the body is over 16 MiB"), InvalidArgument("bad 'x'")}) {
    Status back = StatusFromErrorAnswer(HttpStatusFor(sent.code()), ErrorBody(sent).dump(), "?");
    EXPECT_EQ(back.code(), sent.code());
    EXPECT_EQ(back.message(), sent.message());
  }
}

TEST(ErrorBody, WithoutABodyTheHttpStatusAndFallbackSpeak) {
  Status s = StatusFromErrorAnswer(404, "", "not found on the file server");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "not found on the file server");
  EXPECT_EQ(StatusFromErrorAnswer(416, "<html>", "range").code(), Code::kInvalidArgument);
  EXPECT_EQ(StatusFromErrorAnswer(502, "bad gateway", "HTTP 502").code(), Code::kInternal);
}

TEST(ErrorBody, AMalformedErrorFieldFallsBack) {
  Status s = StatusFromErrorAnswer(409, R"({"error": {"code": 3, "message": ["x"]}})", "HTTP 409");
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(s.message(), "HTTP 409");
  Status unknown = StatusFromErrorAnswer(400, R"({"error": {"code": "teapot"}})", "HTTP 400");
  EXPECT_EQ(unknown.code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace yard
