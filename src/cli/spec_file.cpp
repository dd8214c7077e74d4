#include "cli/spec_file.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace yard {
namespace {

Json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: always a string
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  // YAML allows one leading '+' on a number ("+5" is the int 5); from_chars and strtod do not
  // read it, and a second sign after it makes no number.
  std::string t = text[0] == '+' ? text.substr(1) : text;
  if (t.size() < text.size() && (t.empty() || t[0] == '+' || t[0] == '-')) return text;
  int64_t i = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), i);
  if (ec == std::errc() && p == t.data() + t.size()) return i;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  bool has_digit = t.find_first_of("0123456789") != std::string::npos;
  if (end == t.c_str() + t.size() && has_digit && std::isfinite(d)) return d;
  return text;
}

Result<Json> NodeToJson(const YAML::Node& node, int depth) {
  if (depth > 64) return InvalidArgument("the spec is nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& item : node) {
        YARD_ASSIGN_OR_RETURN(Json v, NodeToJson(item, depth + 1));
        a.push_back(std::move(v));
      }
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return InvalidArgument("line " + std::to_string(kv.first.Mark().line + 1) +
                                 ": keys must be plain names");
        const std::string& key = kv.first.Scalar();
        if (o.contains(key))
          return InvalidArgument("line " + std::to_string(kv.first.Mark().line + 1) +
                                 ": the key '" + key + "' is given twice");
        YARD_ASSIGN_OR_RETURN(Json v, NodeToJson(kv.second, depth + 1));
        o[key] = std::move(v);
      }
      return o;
    }
  }
  return Json(nullptr);
}

}  // namespace

Result<Json> YamlToJson(const std::string& text) {
  try {
    YAML::Node node = YAML::Load(text);
    return NodeToJson(node, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<Json> ReadSpecFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read the spec file " + path);
  std::string text;
  text.resize(kMaxSpecFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxSpecFileBytes) return TooLarge("the spec file " + path + " is over 1 MiB");
  auto j = YamlToJson(text);
  if (!j.ok()) return j.status().Prefixed(path);
  if (!j->is_object()) return InvalidArgument(path + ": a spec must be a mapping of fields");
  return j;
}

Status ApplyOverrides(Json& spec, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("--set " + o + ": expected key=value");
    std::string key = o.substr(0, eq);
    auto value = YamlToJson(o.substr(eq + 1));
    if (!value.ok()) return value.status().Prefixed("--set " + key);
    Json* at = &spec;
    std::stringstream parts(key);
    std::string part;
    std::vector<std::string> path;
    while (std::getline(parts, part, '.')) path.push_back(part);
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      Json& next = (*at)[path[i]];
      if (next.is_null()) next = Json::object();
      if (!next.is_object())
        return InvalidArgument("--set " + key + ": '" + path[i] + "' is not a mapping");
      at = &next;
    }
    (*at)[path.back()] = *value;
  }
  return Status::Ok();
}

}  // namespace yard
