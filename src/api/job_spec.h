// The job spec: what a user asks for. ParseJobSpec is the one gate every spec passes, from the
// CLI or straight from the HTTP API, so its errors name the field and say what is wrong.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// Checks every field of a spec given as JSON (YAML is turned into JSON by the CLI). Unknown
// fields, wrong types and out-of-range values are InvalidArgument naming the field.
Result<JobSpec> ParseJobSpec(const Json& spec);

// The spec in the JSON form ParseJobSpec reads back.
Json JobSpecToJson(const JobSpec& spec);

// Splits a command line into words the way a POSIX shell would quote them ('single',
// "double", backslash), without expanding anything: no variables, globs or pipes, since the
// command is never run by a shell.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// A `{name}` placeholder in a text: where it starts and ends (one past the '}'), and the name.
// Names are letters, digits and '_', not starting with a digit; other braces are plain text.
struct Placeholder {
  size_t begin = 0;
  size_t end = 0;
  std::string name;
};
std::vector<Placeholder> FindPlaceholders(std::string_view text);

// The names of the {name} placeholders in `text`, in order of appearance.
std::vector<std::string> PlaceholderNames(std::string_view text);

}  // namespace yard
