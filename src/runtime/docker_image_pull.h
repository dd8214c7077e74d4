// Pulling a job's image before it starts, with progress lines for the job's log.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/types.h"
#include "common/status.h"
#include "runtime/docker_client.h"
#include "runtime/docker_image_ref.h"

namespace yard {

// Turns dockerd's pull messages into a few lines for people. Pure.
class PullProgress {
 public:
  // One message of the pull stream ({"status", "id", "progressDetail": {"current", "total"}}).
  // Returns the line to log, or "" for none: every change of status is told, but of a layer's
  // byte counts only each quarter, so a large image does not flood the log.
  std::string Line(const Json& message);

 private:
  std::map<std::string, int> quarter_;  // by layer and status: the last quarter told
};

// Pulls `ref` from the registry it names, through dockerd, giving progress lines to
// `progress`. When the pull fails but dockerd already has the image (the registry is down),
// the local copy is used and a line says so. Otherwise the error says, in dockerd's words, why
// the image could not be had: NotFound for an image the registry does not hold, Unavailable
// when the registry cannot be reached or refuses us.
Status PullImage(const DockerClient& docker, const ImageReference& ref,
                 const std::function<void(std::string_view)>& progress);

}  // namespace yard
