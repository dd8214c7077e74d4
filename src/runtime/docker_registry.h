// A client of a Docker Registry's HTTP API v2 (Debian's docker-registry), for listing what it
// holds: GET /v2/_catalog and GET /v2/NAME/tags/list, following their pages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace yard {

struct RegistryRepository {
  std::string name;               // "busybox", "team/pytorch"
  std::vector<std::string> tags;  // sorted; empty when every tag was deleted
};

// The registry's address for `yard images`: `flag` when given, else $YARD_REGISTRY, else
// 127.0.0.1:5000.
std::string RegistryAddress(const std::string& flag);

// Every repository of the registry at `address` ("HOST:PORT", or a URL "http://HOST:PORT"),
// sorted by name, with its tags. Unavailable when the registry cannot be reached or refuses.
Result<std::vector<RegistryRepository>> ListRegistry(const std::string& address);

// The path and query of the next page from a Link header (`</v2/_catalog?last=x&n=100>;
// rel="next"`), or "" when there is none.
std::string NextPageFromLink(std::string_view link);

}  // namespace yard
