#include "runtime/docker_image_pull.h"

#include <algorithm>

namespace yard {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// dockerd answers an unknown image with 404, or with 500 and the registry's words in it.
bool MeansNotFound(const Status& s) {
  const std::string& m = s.message();
  return s.code() == Code::kNotFound || Contains(m, "not found") ||
         Contains(m, "manifest unknown") || Contains(m, "name unknown");
}

Status Explain(const ImageReference& ref, const Status& why) {
  std::string where = ref.registry.empty() ? "Docker Hub (no registry in the reference)"
                                           : "registry " + ref.registry;
  if (MeansNotFound(why)) {
    return NotFound("image " + ref.ToString() + " is not in " + where + ": " + why.message());
  }
  if (Contains(why.message(), "unauthorized") || Contains(why.message(), "denied")) {
    return Unavailable("image " + ref.ToString() + ": " + where +
                       " refused access: " + why.message());
  }
  return Unavailable("cannot pull image " + ref.ToString() + " from " + where + ": " +
                     why.message());
}

}  // namespace

std::string PullProgress::Line(const Json& message) {
  if (!message.is_object()) return "";
  std::string status = message.value("status", "");
  std::string id = message.value("id", "");
  if (status.empty()) return "";
  std::string prefix = "pull: " + (id.empty() ? "" : id + ": ");
  const Json& detail = message.contains("progressDetail") ? message["progressDetail"] : Json();
  if (detail.is_object() && detail.contains("current") && detail.contains("total")) {
    double current = detail.value("current", 0.0);
    double total = detail.value("total", 0.0);
    if (total <= 0) return "";
    int quarter = std::clamp(static_cast<int>(4 * current / total), 0, 4);
    int& told = quarter_.try_emplace(id + "\n" + status, -1).first->second;
    if (quarter <= told) return "";
    told = quarter;
    return prefix + status + " " + std::to_string(quarter * 25) + "% of " +
           std::to_string(static_cast<int64_t>(total)) + " bytes";
  }
  return prefix + status;
}

Status PullImage(const DockerClient& docker, const ImageReference& ref,
                 const std::function<void(std::string_view)>& progress) {
  std::string query = "/images/create?fromImage=" + QueryEscape(ref.Name()) +
                      "&tag=" + QueryEscape(ref.digest.empty() ? ref.tag : ref.digest);
  progress("pull: " + ref.ToString());
  PullProgress lines;
  std::string pending;
  Status failure;  // an {"error": ...} message inside a 200 answer
  Status streamed = docker.Stream(
      "POST", query,
      [&](std::string_view data) {
        pending.append(data);
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
          Json message = Json::parse(pending.substr(0, newline), nullptr, false);
          pending.erase(0, newline + 1);
          if (message.is_discarded()) continue;
          if (message.is_object() && message.contains("error")) {
            std::string text = message["error"].is_string() ? message["error"].get<std::string>()
                                                            : message["error"].dump();
            failure = Status(Code::kUnavailable, text);
            return false;
          }
          if (std::string line = lines.Line(message); !line.empty()) progress(line);
        }
        return true;
      },
      std::chrono::seconds(300));
  Status result = !failure.ok() ? failure : streamed;
  if (result.ok()) return Status::Ok();

  // The registry may be down while dockerd still holds the image from an earlier pull.
  auto local = docker.Call("GET", "/images/" + ref.ToString() + "/json");
  if (local.ok()) {
    progress("pull: failed (" + result.message() + "); using the copy dockerd already has");
    return Status::Ok();
  }
  return Explain(ref, result);
}

}  // namespace yard
