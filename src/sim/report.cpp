#include "sim/report.h"

#include <cmath>
#include <cstdio>

namespace yard::sim {

std::vector<std::string> GroupsWorseThan(const SimResult& result, const SimResult& baseline) {
  std::vector<std::string> worse;
  for (const auto& [group, p99] : result.group_p99_wait) {
    auto it = baseline.group_p99_wait.find(group);
    if (it != baseline.group_p99_wait.end() && p99 > it->second) worse.push_back(group);
  }
  return worse;
}

nlohmann::json ToJson(const SimResult& r) {
  return {{"policy", r.policy},
          {"jobs", r.jobs},
          {"avg_jct_s", r.avg_jct},
          {"p99_jct_s", r.p99_jct},
          {"avg_wait_s", r.avg_wait},
          {"p99_wait_s", r.p99_wait},
          {"avg_not_running_s", r.avg_not_running},
          {"makespan_s", r.makespan},
          {"utilisation", r.utilisation},
          {"worst_group_p99_wait_s", r.worst_group_p99_wait},
          {"worst_group", r.worst_group},
          {"group_p99_wait_s", r.group_p99_wait},
          {"preemptions", r.preemptions},
          {"timed_out", r.timed_out},
          {"passes", r.passes}};
}

std::string HumanSeconds(double s) {
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%.1fm", s / 60);
  else if (s < 86400 * 2)
    std::snprintf(buf, sizeof buf, "%.2fh", s / 3600);
  else
    std::snprintf(buf, sizeof buf, "%.2fd", s / 86400);
  return buf;
}

}  // namespace yard::sim
