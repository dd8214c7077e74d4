// yard images: what the image registry holds, for choosing a job's `image:`.
#include <iostream>

#include "api/types.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "runtime/docker_registry.h"

namespace yard {

int ImagesCommand(const std::string& registry, bool json) {
  const std::string address = RegistryAddress(registry);
  auto repositories = ListRegistry(address);
  if (!repositories.ok()) return Fail(repositories.status().message());
  // A job's image: names the registry too, so the listing gives whole references.
  std::string host = address;
  if (size_t scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (json) {
    Json out = Json::array();
    for (const auto& repo : *repositories) {
      Json images = Json::array();
      for (const auto& tag : repo.tags) images.push_back(host + "/" + repo.name + ":" + tag);
      out.push_back({{"repository", repo.name}, {"tags", repo.tags}, {"images", images}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  Table table({"REPOSITORY", "TAG", "IMAGE"});
  for (const auto& repo : *repositories) {
    if (repo.tags.empty()) table.Add({repo.name, "-", "-"});
    for (const auto& tag : repo.tags)
      table.Add({repo.name, tag, host + "/" + repo.name + ":" + tag});
  }
  if (table.empty()) {
    std::cout << "no images in the registry at " << address
              << " (scripts/build-images builds and pushes the base images)\n";
    return 0;
  }
  table.Print(std::cout);
  return 0;
}

}  // namespace yard
