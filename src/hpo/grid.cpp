#include "hpo/grid.h"

#include <regex>

namespace yard {

bool IsSweep(const JobSpec& spec) {
  if (!spec.search.is_null()) return true;
  for (const auto& [name, value] : spec.hyperparameters.items())
    if (value.is_array() || value.is_object()) return true;
  return false;
}

Result<std::vector<Json>> ExpandGrid(const Json& hyperparameters) {
  Json constants = Json::object();
  std::vector<std::pair<std::string, const Json*>> axes;
  size_t total = 1;
  for (const auto& [name, value] : hyperparameters.items()) {
    if (!value.is_array()) {
      constants[name] = value;
      continue;
    }
    if (value.empty()) return InvalidArgument("hyperparameters." + name + ": empty grid axis");
    axes.emplace_back(name, &value);
    total *= value.size();
    if (total > kMaxGridPoints)
      return TooLarge("the grid has more than " + std::to_string(kMaxGridPoints) + " points");
  }
  std::vector<Json> points;
  points.reserve(total);
  std::vector<size_t> at(axes.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    Json point = constants;
    for (size_t a = 0; a < axes.size(); ++a) point[axes[a].first] = (*axes[a].second)[at[a]];
    points.push_back(std::move(point));
    for (size_t a = axes.size(); a-- > 0;) {
      if (++at[a] < axes[a].second->size()) break;
      at[a] = 0;
    }
  }
  return points;
}

std::string ValueText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();  // numbers in their shortest round-trip form: 0.1, not 0.1000000000000000055
}

JobSpec FillPlaceholders(const JobSpec& spec, const Json& point) {
  static const std::regex kPlaceholder(R"(\{([A-Za-z_][A-Za-z0-9_]*)\})");
  auto fill = [&](const std::string& text) {
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      std::string name = m[1].str();
      out.append(text, last, m.position(0) - last);
      if (point.contains(name))
        out += ValueText(point[name]);
      else
        out += m.str(0);  // ParseJobSpec refuses these; keep them visible if one slips by
      last = m.position(0) + m.length(0);
    }
    out.append(text, last, std::string::npos);
    return out;
  };
  JobSpec filled = spec;
  for (auto& word : filled.command) word = fill(word);
  for (auto& [name, value] : filled.env) value = fill(value);
  return filled;
}

}  // namespace yard
