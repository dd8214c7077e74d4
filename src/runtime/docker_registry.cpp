#include "runtime/docker_registry.h"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>

#include "api/types.h"

namespace yard {
namespace {

// Pages of this many names; the registry's own limit is 1000 and it sends a Link to the next.
constexpr char kPageSize[] = "1000";

std::string BaseUrl(const std::string& address) {
  if (address.rfind("http://", 0) == 0 || address.rfind("https://", 0) == 0) return address;
  return "http://" + address;
}

// GETs every page of a list starting at `path`, handing each page's JSON to `page`.
Status GetPages(httplib::Client& client, const std::string& url, std::string path,
                const std::function<Status(const Json&)>& page) {
  for (int pages = 0; !path.empty(); ++pages) {
    if (pages > 10000) return Internal("the registry at " + url + " keeps sending pages");
    auto res = client.Get(path);
    if (!res) {
      return Unavailable("cannot reach the registry at " + url + " (" +
                         httplib::to_string(res.error()) +
                         "); is it running? scripts/registry starts one");
    }
    if (res->status == 404 && path.find("/tags/list") != std::string::npos) {
      return Status::Ok();  // a repository whose last tag went away meanwhile
    }
    if (res->status != 200) {
      return Unavailable("the registry at " + url + " answered " + path.substr(0, path.find('?')) +
                         " with HTTP " + std::to_string(res->status) + ": " +
                         res->body.substr(0, 200));
    }
    Json body = Json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) return Internal("the registry at " + url + " sent malformed JSON");
    YARD_RETURN_IF_ERROR(page(body));
    path = NextPageFromLink(res->get_header_value("Link"));
  }
  return Status::Ok();
}

std::vector<std::string> Strings(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const Json& item : list) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

std::string RegistryAddress(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("YARD_REGISTRY"); env && *env) return env;
  return "127.0.0.1:5000";
}

std::string NextPageFromLink(std::string_view link) {
  size_t open = link.find('<');
  size_t close = link.find('>', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return "";
  if (link.find("rel=\"next\"", close) == std::string_view::npos) return "";
  std::string target(link.substr(open + 1, close - open - 1));
  // The target may be a whole URL; only its path and query are wanted.
  if (size_t scheme = target.find("://"); scheme != std::string::npos) {
    size_t path = target.find('/', scheme + 3);
    target = path == std::string::npos ? "" : target.substr(path);
  }
  return target;
}

Result<std::vector<RegistryRepository>> ListRegistry(const std::string& address) {
  const std::string url = BaseUrl(address);
  httplib::Client client(url);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(30));

  std::vector<RegistryRepository> repositories;
  YARD_RETURN_IF_ERROR(
      GetPages(client, url, std::string("/v2/_catalog?n=") + kPageSize, [&](const Json& page) {
        for (auto& name : Strings(page.value("repositories", Json()))) {
          repositories.push_back({name, {}});
        }
        return Status::Ok();
      }));
  for (RegistryRepository& repo : repositories) {
    YARD_RETURN_IF_ERROR(GetPages(client, url, "/v2/" + repo.name + "/tags/list?n=" + kPageSize,
                                  [&](const Json& page) {
                                    for (auto& tag : Strings(page.value("tags", Json()))) {
                                      repo.tags.push_back(tag);
                                    }
                                    return Status::Ok();
                                  }));
    std::sort(repo.tags.begin(), repo.tags.end());
  }
  std::sort(repositories.begin(), repositories.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return repositories;
}

}  // namespace yard
