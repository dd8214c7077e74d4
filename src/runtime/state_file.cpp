#include "runtime/state_file.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "common/file_io.h"

namespace yard {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::string_view kPrefix = "execution-";
constexpr std::string_view kSuffix = ".json";
constexpr size_t kMaxStateFileBytes = 64 * 1024;

Result<ExecutionRecord> ParseRecord(const std::string& text) {
  Json doc = Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  auto is_int = [&](const char* key) { return doc.contains(key) && doc[key].is_number_integer(); };
  if (!doc.is_object() || !is_int("job_id") || !is_int("attempt") || !is_int("pid") ||
      !doc.contains("start_time") || !doc["start_time"].is_number_unsigned()) {
    return InvalidArgument("malformed state file");
  }
  ExecutionRecord record;
  record.job_id = doc["job_id"].get<int64_t>();
  record.attempt = doc["attempt"].get<int>();
  record.pid = doc["pid"].get<pid_t>();
  record.start_time = doc["start_time"].get<uint64_t>();
  if (record.pid <= 1) return InvalidArgument("state file names pid " + std::to_string(record.pid));
  return record;
}

}  // namespace

std::vector<StateFile> ListStateFiles(const fs::path& dir) {
  std::vector<StateFile> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
        !name.ends_with(kSuffix)) {
      continue;  // a leftover .tmp, or not ours
    }
    Result<std::string> text = ReadSmallFile(it->path().string(), kMaxStateFileBytes);
    if (!text.ok()) {
      files.push_back({it->path(), text.status()});
      continue;
    }
    files.push_back({it->path(), ParseRecord(*text)});
  }
  return files;
}

}  // namespace yard
