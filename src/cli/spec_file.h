// Reading job specs from YAML files (JSON is YAML too) into the JSON the API takes.
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

inline constexpr size_t kMaxSpecFileBytes = 1 << 20;

// YAML text to JSON, with YAML's types: unquoted 32 is a number, "32" a string. Errors name
// the line.
Result<Json> YamlToJson(const std::string& text);

// Reads and converts a spec file; the error names the file.
Result<Json> ReadSpecFile(const std::string& path);

// Applies `--set key=value` overrides: dotted keys reach into mappings
// (resources.gpus=2), and the value is read as YAML (lr=[0.1,0.01] makes a list).
Status ApplyOverrides(Json& spec, const std::vector<std::string>& overrides);

}  // namespace yard
