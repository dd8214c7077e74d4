#include "api/error_body.h"

namespace yard {
namespace {

Code CodeFromHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
    case 416:  // a Range outside the file
      return Code::kInvalidArgument;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kConflict;
    case 413:
      return Code::kTooLarge;
    case 503:
      return Code::kUnavailable;
    default:
      return Code::kInternal;
  }
}

}  // namespace

Json ErrorBody(const Status& status) {
  return {
      {"error", {{"code", std::string(CodeName(status.code()))}, {"message", status.message()}}}};
}

Status StatusFromErrorAnswer(int http_status, std::string_view body, std::string fallback_message) {
  Code code = CodeFromHttpStatus(http_status);
  std::string message = std::move(fallback_message);
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"];
    if (e.contains("code") && e["code"].is_string()) {
      const std::string name = e["code"];
      for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kConflict, Code::kTooLarge,
                     Code::kUnavailable, Code::kIo, Code::kInternal}) {
        if (CodeName(c) == name) code = c;
      }
    }
  }
  return Status(code, message);
}

}  // namespace yard
