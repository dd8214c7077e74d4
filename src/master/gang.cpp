#include "master/gang.h"

#include <algorithm>

namespace yard {

bool Gang::AllStarted() const {
  return std::all_of(parts.begin(), parts.end(), [](const GangPart& p) {
    return p.reported == JobState::kRunning || p.reported == JobState::kSucceeded;
  });
}

bool Gang::AllSucceeded() const {
  return std::all_of(parts.begin(), parts.end(),
                     [](const GangPart& p) { return p.reported == JobState::kSucceeded; });
}

bool Gang::AnyReported() const {
  return std::any_of(parts.begin(), parts.end(),
                     [](const GangPart& p) { return p.reported != JobState::kAssigned; });
}

const GangPart* Gang::Part(int64_t worker_id) const {
  for (const auto& p : parts)
    if (p.worker_id == worker_id) return &p;
  return nullptr;
}

GangPart* Gang::Part(int64_t worker_id) {
  for (auto& p : parts)
    if (p.worker_id == worker_id) return &p;
  return nullptr;
}

bool IsGang(const Job& job) {
  return std::any_of(job.gpus.begin(), job.gpus.end(),
                     [&](const GpuRef& g) { return g.worker != job.gpus.front().worker; });
}

std::vector<std::string> GangWorkerNames(const Job& job) {
  std::vector<std::string> names;
  for (const auto& g : job.gpus)
    if (std::find(names.begin(), names.end(), g.worker) == names.end()) names.push_back(g.worker);
  return names;
}

int GangPort(int64_t job_id, int attempt) {
  // Consecutive jobs and attempts get different ports, so a part still dying from the last
  // attempt does not hold the next one's.
  int64_t spread = (job_id * 7 + attempt) % kGangPortSpan;
  return kGangPortBase + static_cast<int>(spread);
}

}  // namespace yard
