#include "api/job_spec.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "api/resource_limits.h"
#include "common/clock.h"

namespace yard {
namespace {

constexpr int kMaxGpusPerJob = 1024;
constexpr size_t kMaxNameLength = 128;
constexpr size_t kMaxArgs = 4096;
// Docker refuses a memory limit under 6 MiB; a pids limit this low cannot start a runtime.
constexpr int64_t kMinMemoryBytes = int64_t{6} << 20;
constexpr int64_t kMinPids = 16;
constexpr int64_t kMaxPids = int64_t{1} << 22;  // the kernel's pid_max ceiling
constexpr int64_t kMaxId = 2147483647;          // uids and gids are 31-bit in practice

Status FieldError(std::string_view field, std::string_view why) {
  return InvalidArgument("spec field '" + std::string(field) + "': " + std::string(why));
}

const char* TypeName(const Json& v) { return v.type_name(); }

Result<std::string> GetString(const Json& v, std::string_view field) {
  if (!v.is_string()) return FieldError(field, std::string("must be a string, not ") + TypeName(v));
  return v.get<std::string>();
}

Result<int64_t> GetInt(const Json& v, std::string_view field, int64_t min, int64_t max) {
  if (!v.is_number_integer())
    return FieldError(field, std::string("must be a whole number, not ") + TypeName(v));
  int64_t n =
      v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX ? INT64_MAX : v.get<int64_t>();
  if (n < min || n > max)
    return FieldError(field, "must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + std::to_string(n));
  return n;
}

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

bool IsEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

Result<std::vector<std::string>> ParseCommand(const Json& v) {
  std::vector<std::string> argv;
  if (v.is_string()) {
    auto words = SplitCommandLine(v.get<std::string>());
    if (!words.ok()) return FieldError("command", words.status().message());
    argv = std::move(words).value();
  } else if (v.is_array()) {
    for (const auto& word : v) {
      if (!IsScalar(word)) return FieldError("command", "list items must be strings");
      argv.push_back(ScalarText(word));
    }
  } else {
    return FieldError("command",
                      std::string("must be a string or a list of strings, not ") + TypeName(v));
  }
  if (argv.empty() || argv[0].empty()) return FieldError("command", "is empty");
  if (argv.size() > kMaxArgs) return FieldError("command", "has too many words");
  for (const auto& a : argv)
    if (a.find('\0') != std::string::npos) return FieldError("command", "contains a NUL byte");
  return argv;
}

Result<int64_t> ParseMemory(const Json& v) {
  std::optional<int64_t> bytes;
  if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX))
    bytes = v.get<int64_t>();
  else if (v.is_string())
    bytes = ParseByteSize(v.get_ref<const std::string&>());
  else if (!v.is_number())
    return FieldError("resources.memory",
                      std::string("must be a size such as 8GiB or 512MiB, not ") + TypeName(v));
  if (!bytes)
    return FieldError("resources.memory",
                      "must be a size such as 8GiB, 512MiB or 1.5GB, not " +
                          (v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump()));
  if (*bytes < kMinMemoryBytes)
    return FieldError("resources.memory",
                      "must be at least 6 MiB (Docker's minimum), not " + FormatByteSize(*bytes));
  return *bytes;
}

Result<int64_t> ParseId(std::string_view text, std::string_view what) {
  int64_t id = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id < 0 ||
      id > kMaxId)
    return FieldError("run_as", std::string(what) +
                                    " must be a number from 0 to 2147483647, not '" +
                                    std::string(text) + "'");
  return id;
}

// "UID" or "UID:GID", numbers only: the worker must know the uid to give the job its writable
// folders, and a name would mean whatever the image's /etc/passwd says.
Result<std::string> ParseRunAs(const Json& v) {
  std::string text;
  if (v.is_number_integer())
    text = v.dump();
  else if (v.is_string())
    text = v.get<std::string>();
  else
    return FieldError("run_as", std::string("must be \"UID\" or \"UID:GID\", not ") + TypeName(v));
  size_t colon = text.find(':');
  YARD_ASSIGN_OR_RETURN(int64_t uid, ParseId(text.substr(0, colon), "the user id"));
  if (colon != std::string::npos)
    YARD_RETURN_IF_ERROR(ParseId(text.substr(colon + 1), "the group id").status());
  if (uid == 0)
    return FieldError("run_as",
                      "0 is root: leave run_as out to run as the image's user, or name a "
                      "non-root user id such as 1000:1000");
  return text;
}

std::string FormatNumber(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

Result<double> GetNumber(const Json& v, std::string_view field, double min, double max) {
  if (!v.is_number()) return FieldError(field, std::string("must be a number, not ") + TypeName(v));
  double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max)
    return FieldError(field, "must be between " + FormatNumber(min) + " and " + FormatNumber(max));
  return x;
}

// A model name as workers report them: letters, digits and " -_.", at most 64 characters.
Result<std::vector<std::string>> ParseGpuModels(const Json& v) {
  constexpr std::string_view kField = "resources.gpu_model";
  std::vector<std::string> models;
  if (v.is_string()) {
    models.push_back(v.get<std::string>());
  } else if (v.is_array() && !v.empty() && v.size() <= 32) {
    for (const auto& item : v) {
      if (!item.is_string()) return FieldError(kField, "must be a model name or a list of them");
      models.push_back(item.get<std::string>());
    }
  } else {
    return FieldError(kField, "must be a model name or a list of 1 to 32 of them");
  }
  for (const auto& m : models) {
    bool ok = !m.empty() && m.size() <= 64;
    for (char c : m)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
                  c == ' ');
    if (!ok)
      return FieldError(kField, "'" + m.substr(0, 64) +
                                    "' is not a model name (1 to 64 letters, digits, '-', '_', "
                                    "'.' or spaces, e.g. A100 or A100-80GB)");
  }
  return models;
}

Status ParseResources(const Json& v, Resources& out) {
  if (!v.is_object()) return FieldError("resources", "must be a mapping");
  for (const auto& [key, value] : v.items()) {
    if (key == "gpus") {
      if (value.is_number_integer() && value.get<int64_t>() < 0)
        return FieldError("resources.gpus", "must not be negative");
      YARD_ASSIGN_OR_RETURN(int64_t n, GetInt(value, "resources.gpus", 0, kMaxGpusPerJob));
      out.gpus = static_cast<int>(n);
    } else if (key == "memory") {
      YARD_ASSIGN_OR_RETURN(out.memory_bytes, ParseMemory(value));
    } else if (key == "cpus") {
      if (!value.is_number())
        return FieldError("resources.cpus",
                          std::string("must be a number, not ") + TypeName(value));
      auto nano = CpusToNano(value.get<double>());
      if (!nano) return FieldError("resources.cpus", "must be between 0.001 and 1000000");
      out.nano_cpus = *nano;
    } else if (key == "pids") {
      YARD_ASSIGN_OR_RETURN(out.pids, GetInt(value, "resources.pids", kMinPids, kMaxPids));
    } else if (key == "gpu_model") {
      YARD_ASSIGN_OR_RETURN(out.gpu_models, ParseGpuModels(value));
    } else if (key == "min_gpu_memory_gb") {
      YARD_ASSIGN_OR_RETURN(out.min_gpu_memory_gb,
                            GetNumber(value, "resources.min_gpu_memory_gb", 0, 1e6));
    } else if (key == "min_compute_capability") {
      YARD_ASSIGN_OR_RETURN(out.min_compute_capability,
                            GetNumber(value, "resources.min_compute_capability", 0, 100));
    } else {
      return FieldError("resources." + key,
                        "is not a known field (known: gpus, gpu_model, min_gpu_memory_gb, "
                        "min_compute_capability, memory, cpus, pids)");
    }
  }
  return Status::Ok();
}

// A value goes whole into a trial's command and env, and the worker reads the filled spec with
// ParseJobSpec again: a value must not bring in what that check refuses.
Status CheckHyperparameterValue(const Json& value, std::string_view field) {
  if (!value.is_string()) return Status::Ok();
  const auto& text = value.get_ref<const std::string&>();
  if (text.find('\0') != std::string::npos) return FieldError(field, "contains a NUL byte");
  auto names = PlaceholderNames(text);
  if (!names.empty())
    return FieldError(field, "values are not expanded, so they cannot hold a placeholder like {" +
                                 names[0] + "}");
  return Status::Ok();
}

bool CanBeEmptyString(const Json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_array())
    for (const auto& item : value)
      if (item.is_string() && item.get_ref<const std::string&>().empty()) return true;
  return false;
}

Status ParseHyperparameters(const Json& v) {
  if (!v.is_object()) return FieldError("hyperparameters", "must be a mapping of name to value");
  for (const auto& [name, value] : v.items()) {
    std::string field = "hyperparameters." + name;
    if (!IsEnvName(name)) return FieldError(field, "names may hold only letters, digits and '_'");
    if (IsScalar(value)) {
      YARD_RETURN_IF_ERROR(CheckHyperparameterValue(value, field));
      continue;
    }
    if (value.is_array()) {
      if (value.empty()) return FieldError(field, "a grid axis needs at least one value");
      for (const auto& item : value) {
        if (!IsScalar(item)) return FieldError(field, "grid values must be numbers or strings");
        YARD_RETURN_IF_ERROR(CheckHyperparameterValue(item, field));
      }
      continue;
    }
    if (value.is_object()) {
      // A range or a choice: hpo::ParseSearchSpace checks its shape at submit. Its values go
      // into commands like any other.
      if (value.contains("values") && value["values"].is_array())
        for (const auto& item : value["values"])
          YARD_RETURN_IF_ERROR(CheckHyperparameterValue(item, field));
      continue;
    }
    return FieldError(field,
                      std::string("must be a value or a list of values, not ") + TypeName(value));
  }
  return Status::Ok();
}

// The search block is checked against the space by hpo::ParseSearchConfig, which the master
// calls at submit: this layer sits below hpo and only knows that it is a mapping.
Status ParseSearch(const Json& v) {
  if (!v.is_object()) return FieldError("search", "must be a mapping");
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word)), word.clear(), in_word = false;
    } else if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return InvalidArgument("unterminated ' quote");
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      in_word = true;
      for (++i;; ++i) {
        if (i >= line.size()) return InvalidArgument("unterminated \" quote");
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() &&
            (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' ||
             line[i + 1] == '`')) {
          ++i;
        }
        word.push_back(line[i]);
      }
    } else if (c == '\\') {
      if (i + 1 >= line.size()) return InvalidArgument("a trailing backslash escapes nothing");
      word.push_back(line[++i]);
      in_word = true;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::vector<Placeholder> FindPlaceholders(std::string_view text) {
  auto is_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto is_part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::vector<Placeholder> found;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' || i + 1 >= text.size() || !is_start(text[i + 1])) continue;
    size_t j = i + 2;
    while (j < text.size() && is_part(text[j])) ++j;
    if (j < text.size() && text[j] == '}') {
      found.push_back({i, j + 1, std::string(text.substr(i + 1, j - i - 1))});
      i = j;
    }
  }
  return found;
}

std::vector<std::string> PlaceholderNames(std::string_view text) {
  std::vector<std::string> names;
  for (auto& p : FindPlaceholders(text)) names.push_back(std::move(p.name));
  return names;
}

Result<JobSpec> ParseJobSpec(const Json& j) {
  if (!j.is_object()) return InvalidArgument("a job spec must be a mapping of fields");
  JobSpec spec;
  bool has_command = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "name") {
      YARD_ASSIGN_OR_RETURN(spec.name, GetString(value, "name"));
      if (spec.name.size() > kMaxNameLength) return FieldError("name", "is longer than 128");
    } else if (key == "image") {
      YARD_ASSIGN_OR_RETURN(spec.image, GetString(value, "image"));
    } else if (key == "command") {
      YARD_ASSIGN_OR_RETURN(spec.command, ParseCommand(value));
      has_command = true;
    } else if (key == "code") {
      // A local folder in a spec file (yard submit snapshots it and puts code/<sha256> here);
      // the master checks the snapshot exists.
      YARD_ASSIGN_OR_RETURN(spec.code, GetString(value, "code"));
      if (spec.code.empty() || spec.code.find('\0') != std::string::npos)
        return FieldError("code", "must name a folder");
    } else if (key == "data") {
      if (!value.is_array()) return FieldError("data", "must be a list of file-server paths");
      for (const auto& item : value) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty())
          return FieldError("data", "must be a list of file-server paths");
        spec.data.push_back(item.get<std::string>());
      }
    } else if (key == "resources") {
      YARD_RETURN_IF_ERROR(ParseResources(value, spec.resources));
    } else if (key == "priority") {
      YARD_ASSIGN_OR_RETURN(int64_t p, GetInt(value, "priority", 0, 100));
      spec.priority = static_cast<int>(p);
    } else if (key == "group") {
      YARD_ASSIGN_OR_RETURN(spec.group, GetString(value, "group"));
      bool ok = !spec.group.empty() && spec.group.size() <= 64;
      for (char c : spec.group)
        ok =
            ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
      if (!ok) return FieldError("group", "must be 1 to 64 letters, digits, '-', '_' or '.'");
    } else if (key == "preemptible") {
      if (!value.is_boolean())
        return FieldError("preemptible",
                          std::string("must be true or false, not ") + TypeName(value));
      spec.preemptible = value.get<bool>();
    } else if (key == "max_retries") {
      YARD_ASSIGN_OR_RETURN(int64_t r, GetInt(value, "max_retries", 0, 100));
      spec.max_retries = static_cast<int>(r);
    } else if (key == "timeout") {
      std::optional<int64_t> secs;
      if (value.is_number_integer())
        secs = value.get<int64_t>();
      else if (value.is_string())
        secs = ParseDurationSeconds(value.get<std::string>());
      if (!secs || *secs <= 0)
        return FieldError("timeout", "must be a positive duration such as 90s, 15m, 2h or 1h30m");
      spec.timeout_s = *secs;
    } else if (key == "env") {
      if (!value.is_object()) return FieldError("env", "must be a mapping of name to value");
      for (const auto& [name, v] : value.items()) {
        if (!IsEnvName(name)) return FieldError("env." + name, "is not a valid variable name");
        if (name.rfind("YARD_", 0) == 0 || name == "CUDA_VISIBLE_DEVICES" ||
            name == "NVIDIA_VISIBLE_DEVICES")
          return FieldError("env." + name, "is set by Trainyard and cannot be overridden");
        if (!IsScalar(v)) return FieldError("env." + name, "must be a string");
        std::string text = ScalarText(v);
        if (text.find('\0') != std::string::npos)
          return FieldError("env." + name, "contains a NUL byte");
        spec.env[name] = text;
      }
    } else if (key == "run_as") {
      YARD_ASSIGN_OR_RETURN(spec.run_as, ParseRunAs(value));
    } else if (key == "hyperparameters") {
      YARD_RETURN_IF_ERROR(ParseHyperparameters(value));
      spec.hyperparameters = value;
    } else if (key == "search") {
      YARD_RETURN_IF_ERROR(ParseSearch(value));
      spec.search = value;
    } else {
      return InvalidArgument(
          "spec field '" + key +
          "' is not known (known: name, image, command, code, data, resources, "
          "priority, group, preemptible, max_retries, timeout, env, run_as, hyperparameters, "
          "search)");
    }
  }
  if (!has_command) return FieldError("command", "is required");
  if (spec.name.empty()) {
    std::string base = spec.command[0].substr(spec.command[0].find_last_of('/') + 1);
    spec.name = base.empty() ? "job" : base.substr(0, kMaxNameLength);
  }
  // Every placeholder must have a hyperparameter behind it, or the job would run a literal
  // "{lr}" and fail far from the typo.
  auto check = [&](std::string_view field, std::string_view text) -> Status {
    for (const auto& name : PlaceholderNames(text))
      if (!spec.hyperparameters.contains(name))
        return FieldError(field, "placeholder {" + name + "} has no hyperparameter behind it");
    return Status::Ok();
  };
  for (const auto& word : spec.command) YARD_RETURN_IF_ERROR(check("command", word));
  for (const auto& [name, value] : spec.env) YARD_RETURN_IF_ERROR(check("env." + name, value));
  // Nor may a trial's program name come out empty ("{prog} x" with prog ""), which the worker
  // would refuse.
  const Json& hyperparameters = spec.hyperparameters;
  size_t placeholder_chars = 0;
  bool can_be_empty = true;
  for (const auto& name : PlaceholderNames(spec.command[0])) {
    placeholder_chars += name.size() + 2;
    can_be_empty = can_be_empty && CanBeEmptyString(hyperparameters[name]);
  }
  if (placeholder_chars == spec.command[0].size() && can_be_empty)
    return FieldError("command", "its first word, the program, can be empty");
  return spec;
}

Json JobSpecToJson(const JobSpec& spec) {
  Json j = {{"name", spec.name},
            {"command", spec.command},
            {"resources", {{"gpus", spec.resources.gpus}}},
            {"priority", spec.priority},
            {"max_retries", spec.max_retries}};
  if (!spec.image.empty()) j["image"] = spec.image;
  if (!spec.code.empty()) j["code"] = spec.code;
  if (!spec.data.empty()) j["data"] = spec.data;
  if (spec.timeout_s > 0) j["timeout"] = FormatDuration(spec.timeout_s);
  if (!spec.env.empty()) j["env"] = spec.env;
  if (spec.resources.memory_bytes > 0) j["resources"]["memory"] = spec.resources.memory_bytes;
  if (spec.resources.nano_cpus > 0) j["resources"]["cpus"] = spec.resources.nano_cpus / 1e9;
  if (spec.resources.pids > 0) j["resources"]["pids"] = spec.resources.pids;
  if (!spec.run_as.empty()) j["run_as"] = spec.run_as;
  const Resources& r = spec.resources;
  if (r.gpu_models.size() == 1) j["resources"]["gpu_model"] = r.gpu_models[0];
  if (r.gpu_models.size() > 1) j["resources"]["gpu_model"] = r.gpu_models;
  if (r.min_gpu_memory_gb > 0) j["resources"]["min_gpu_memory_gb"] = r.min_gpu_memory_gb;
  if (r.min_compute_capability > 0)
    j["resources"]["min_compute_capability"] = r.min_compute_capability;
  if (!spec.group.empty()) j["group"] = spec.group;
  if (spec.preemptible) j["preemptible"] = true;
  if (!spec.hyperparameters.empty()) j["hyperparameters"] = spec.hyperparameters;
  if (!spec.search.is_null()) j["search"] = spec.search;
  return j;
}

}  // namespace yard
