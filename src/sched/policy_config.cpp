#include "sched/policy_config.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <string>

namespace yard::sched {
namespace {

Result<double> ParseNumber(std::string_view key, std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return InvalidArgument("policy: " + std::string(key) + "=" + std::string(text) +
                           " is not a number");
  return v;
}

Result<bool> ParseBool(std::string_view key, std::string_view text) {
  if (text == "true" || text == "on" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "off" || text == "0" || text == "no") return false;
  return InvalidArgument("policy: " + std::string(key) + "=" + std::string(text) +
                         " is not on/off");
}

Result<int> ParseCount(std::string_view key, std::string_view text) {
  YARD_ASSIGN_OR_RETURN(double v, ParseNumber(key, text));
  if (v < 0 || v != std::floor(v) || v > 1e9)
    return InvalidArgument("policy: " + std::string(key) + "=" + std::string(text) +
                           " is not a whole number >= 0");
  return static_cast<int>(v);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

Status Apply(PolicyConfig& c, std::string_view key, std::string_view value) {
  using Setter = std::function<Status(std::string_view)>;
  auto number = [&](double& field, bool non_negative = true) -> Setter {
    return [&field, key, non_negative](std::string_view v) -> Status {
      YARD_ASSIGN_OR_RETURN(double x, ParseNumber(key, v));
      if (non_negative && x < 0)
        return InvalidArgument("policy: " + std::string(key) + " must be >= 0");
      field = x;
      return Status::Ok();
    };
  };
  auto flag = [&](bool& field) -> Setter {
    return [&field, key](std::string_view v) -> Status {
      YARD_ASSIGN_OR_RETURN(field, ParseBool(key, v));
      return Status::Ok();
    };
  };
  const std::map<std::string_view, Setter> setters = {
      {"priority_weight", number(c.priority_weight)},
      {"age_weight", number(c.age_weight)},
      {"fair_share_weight", number(c.fair_share_weight)},
      {"fair_share_half_life_s", number(c.fair_share_half_life_s)},
      {"size_weight", number(c.size_weight, false)},
      {"service_weight", number(c.service_weight)},
      {"service_first_level_gpu_hours", number(c.service_first_level_gpu_hours)},
      {"service_level_factor", number(c.service_level_factor)},
      {"shortest_first_weight", number(c.shortest_first_weight)},
      {"preempt_margin", number(c.preempt_margin)},
      {"min_run_s", number(c.min_run_s)},
      {"preempt_grace_s", number(c.preempt_grace_s)},
      {"least_capable_first", flag(c.least_capable_first)},
      {"backfill", flag(c.backfill)},
      {"gangs", flag(c.gangs)},
      {"preemption", flag(c.preemption)},
      {"service_levels",
       [&](std::string_view v) -> Status {
         YARD_ASSIGN_OR_RETURN(c.service_levels, ParseCount(key, v));
         if (c.service_levels < 1) return InvalidArgument("policy: service_levels must be >= 1");
         return Status::Ok();
       }},
      {"max_preemptors_per_pass",
       [&](std::string_view v) -> Status {
         YARD_ASSIGN_OR_RETURN(c.max_preemptors_per_pass, ParseCount(key, v));
         return Status::Ok();
       }},
      {"fair_share_by",
       [&](std::string_view v) -> Status {
         if (v == "group")
           c.fair_share_by = FairShareBy::kGroup;
         else if (v == "user")
           c.fair_share_by = FairShareBy::kUser;
         else
           return InvalidArgument("policy: fair_share_by is group or user, not " + std::string(v));
         return Status::Ok();
       }},
  };
  for (auto [prefix, quotas] :
       {std::pair<std::string_view, std::map<std::string, int>*>{"quota.user.", &c.user_quota},
        {"quota.group.", &c.group_quota}}) {
    if (key.substr(0, prefix.size()) != prefix) continue;
    std::string who(key.substr(prefix.size()));
    if (who.empty()) return InvalidArgument("policy: " + std::string(key) + " names nobody");
    YARD_ASSIGN_OR_RETURN((*quotas)[who], ParseCount(key, value));
    return Status::Ok();
  }
  auto it = setters.find(key);
  if (it == setters.end()) return InvalidArgument("policy: unknown key " + std::string(key));
  return it->second(value);
}

}  // namespace

std::vector<std::string> PolicyPresetNames() {
  return {"fifo", "fairshare", "team", "las", "full", "sjf"};
}

Result<PolicyConfig> PolicyPreset(std::string_view name) {
  PolicyConfig c;
  c.name = std::string(name);
  if (name == "fifo") return c;  // priority, then submission; no backfill, no preemption
  if (name == "sjf") {
    c.shortest_first_weight = 1000;
    return c;
  }
  c.priority_weight = 10;
  c.age_weight = 1;
  if (name == "fairshare" || name == "team" || name == "full") {
    c.fair_share_weight = 10;
    c.size_weight = 1;
    c.backfill = true;
  }
  if (name == "team") {
    // Rank is priority alone (no service levels): 10 priority points make the margin.
    c.preemption = true;
    c.preempt_margin = 100;
    return c;
  }
  if (name == "las" || name == "full") {
    c.service_weight = 100;
    c.preemption = true;
    c.preempt_margin = 100;
  }
  if (name == "fairshare" || name == "las" || name == "full") return c;
  return InvalidArgument("policy: unknown preset " + std::string(name) + " (presets: fifo, " +
                         "fairshare, team, las, full, sjf)");
}

Result<PolicyConfig> ParsePolicyConfig(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> items;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(",\n ", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (item.empty() || item.front() == '#') continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return InvalidArgument("policy: " + std::string(item) + " is not key=value");
    items.emplace_back(Trim(item.substr(0, eq)), Trim(item.substr(eq + 1)));
  }
  PolicyConfig c;
  size_t first = 0;
  if (!items.empty() && items[0].first == "preset") {
    YARD_ASSIGN_OR_RETURN(c, PolicyPreset(items[0].second));
    first = 1;
  }
  for (size_t i = first; i < items.size(); ++i) {
    if (items[i].first == "preset") return InvalidArgument("policy: preset= must come first");
    YARD_RETURN_IF_ERROR(Apply(c, items[i].first, items[i].second));
  }
  return c;
}

}  // namespace yard::sched
