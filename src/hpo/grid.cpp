#include "hpo/grid.h"

#include "api/job_spec.h"

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
  auto fill = [&](const std::string& text) {
    std::string out;
    size_t last = 0;
    for (const auto& p : FindPlaceholders(text)) {
      out.append(text, last, p.begin - last);
      // ParseJobSpec refuses unknown names; keep one visible if it ever slips by.
      out +=
          point.contains(p.name) ? ValueText(point[p.name]) : text.substr(p.begin, p.end - p.begin);
      last = p.end;
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
