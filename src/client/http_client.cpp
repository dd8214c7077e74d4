#include "client/http_client.h"

#include <httplib.h>

#include <cstdlib>

#include "api/error_body.h"

namespace yard {
namespace {

Status TransportError(const std::string& url, httplib::Error error) {
  return Unavailable("cannot reach the master at " + url + " (" + httplib::to_string(error) +
                     "); is it running? Client commands find it through YARD_MASTER");
}

// Reads an answer: 2xx bodies pass through, errors become a Status.
Result<std::string> Check(const httplib::Result& res, const std::string& url) {
  if (!res) return TransportError(url, res.error());
  if (res->status >= 200 && res->status < 300) return res->body;
  std::string message = "HTTP " + std::to_string(res->status);
  if (!res->body.empty()) message += ": " + res->body.substr(0, 200);
  return StatusFromErrorAnswer(res->status, res->body, std::move(message));
}

Result<Json> ParseJson(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("the master answered with malformed JSON");
  return j;
}

}  // namespace

HttpClient::HttpClient(std::string base_url) : base_url_(std::move(base_url)) {
  if (base_url_.find("://") == std::string::npos) base_url_ = "http://" + base_url_;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  client_ = std::make_unique<httplib::Client>(base_url_);
  client_->set_connection_timeout(std::chrono::seconds(3));
  client_->set_read_timeout(std::chrono::seconds(30));
  client_->set_write_timeout(std::chrono::seconds(30));
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);
}

HttpClient::~HttpClient() = default;

void HttpClient::set_read_timeout(std::chrono::milliseconds timeout) {
  client_->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
}

Result<Json> HttpClient::Get(const std::string& path) {
  YARD_ASSIGN_OR_RETURN(std::string body, Check(client_->Get(path), base_url_));
  return ParseJson(body);
}

Result<Json> HttpClient::Post(const std::string& path, const Json& body) {
  YARD_ASSIGN_OR_RETURN(std::string text,
                        Check(client_->Post(path, body.dump(), "application/json"), base_url_));
  return ParseJson(text);
}

Result<RawResponse> HttpClient::GetRaw(const std::string& path) {
  auto res = client_->Get(path);
  YARD_ASSIGN_OR_RETURN(std::string body, Check(res, base_url_));
  return RawResponse{std::move(body), res->get_header_value("X-Yard-Job-State")};
}

Result<Json> HttpClient::PostRaw(const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  YARD_ASSIGN_OR_RETURN(std::string text,
                        Check(client_->Post(path, body, content_type), base_url_));
  return ParseJson(text);
}

Result<Json> HttpClient::PostMultipart(const std::string& path,
                                       const std::vector<FormPart>& parts) {
  httplib::MultipartFormDataItems items;
  for (const auto& p : parts) items.push_back({p.name, p.content, p.filename, p.content_type});
  YARD_ASSIGN_OR_RETURN(std::string text, Check(client_->Post(path, items), base_url_));
  return ParseJson(text);
}

void HttpClient::CloseIdleConnection() { client_->stop(); }

std::string MasterUrlFromEnv() {
  const char* env = std::getenv("YARD_MASTER");
  return env && *env ? env : "http://127.0.0.1:7070";
}

std::string UrlEscape(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace yard
