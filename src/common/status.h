// Status and Result<T>: the one error style of the project. Every function that can fail
// across a module boundary returns one of these; exceptions never cross a boundary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace yard {

enum class Code {
  kOk,
  kInvalidArgument,  // bad input from outside: HTTP 400
  kNotFound,         // unknown id: 404
  kConflict,         // wrong state for the request: 409
  kTooLarge,         // over a size limit: 413
  kUnavailable,      // a peer or service cannot be reached; worth retrying
  kIo,               // the operating system refused (files, processes, sockets)
  kInternal,         // a bug or a broken invariant
};

std::string_view CodeName(Code code);  // "invalid_argument", ...
int HttpStatusFor(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a status with `context: ` put before the message, so errors read outside-in.
  Status Prefixed(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIo, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
// An IoError carrying strerror(errno_value).
Status ErrnoError(std::string_view what, int errno_value);

// A value or the Status saying why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace yard

#define YARD_CONCAT_INNER(a, b) a##b
#define YARD_CONCAT(a, b) YARD_CONCAT_INNER(a, b)

#define YARD_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::yard::Status yard_status_ = (expr);        \
    if (!yard_status_.ok()) return yard_status_; \
  } while (0)

#define YARD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define YARD_ASSIGN_OR_RETURN(lhs, expr) \
  YARD_ASSIGN_OR_RETURN_IMPL(YARD_CONCAT(yard_result_, __LINE__), lhs, expr)
