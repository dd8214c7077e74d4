// The API's error answers, {"error": {"code": "...", "message": "..."}}, in both directions:
// servers write them from a Status, clients read a Status back, so a code such as NOT_FOUND
// survives the trip over HTTP.
#pragma once

#include <string>
#include <string_view>

#include "api/json.h"
#include "common/status.h"

namespace yard {

// The body of an error answer for `status` (sent with HttpStatusFor(status.code())).
Json ErrorBody(const Status& status);

// The Status an error answer stands for: the code and message of its body when it has them;
// otherwise a code from the HTTP status and `fallback_message`.
Status StatusFromErrorAnswer(int http_status, std::string_view body, std::string fallback_message);

}  // namespace yard
