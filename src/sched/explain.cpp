// Why a queued job waits: computed on request for one job (`yard ps`), never for the whole
// queue in every pass.
#include <cstdio>
#include <string>

#include "sched/policy.h"

namespace yard::sched {
namespace {

std::string Number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string ModelsWanted(const PendingJob& job) {
  std::string s;
  for (const auto& m : job.gpu_models) s += (s.empty() ? "" : " or ") + m;
  if (s.empty()) s = "any model";
  if (job.min_gpu_memory_gb > 0) s += ", >= " + Number(job.min_gpu_memory_gb) + " GB";
  if (job.min_compute_capability > 0)
    s += ", compute capability >= " + Number(job.min_compute_capability);
  return s;
}

}  // namespace

const char* WaitReasonName(WaitReason reason) {
  switch (reason) {
    case WaitReason::kStartsNow:
      return "starts now";
    case WaitReason::kNoMatchingGpu:
      return "no GPU of its model";
    case WaitReason::kLargerThanCluster:
      return "larger than the cluster";
    case WaitReason::kLargerThanWorker:
      return "larger than any worker";
    case WaitReason::kQuota:
      return "quota";
    case WaitReason::kWaitingForPreemption:
      return "preempting";
    case WaitReason::kReservedForIt:
      return "next: GPUs reserved";
    case WaitReason::kBehindReservation:
      return "behind a reservation";
    case WaitReason::kGangNotSatisfiable:
      return "gang not yet satisfiable";
    case WaitReason::kNoFreeGpu:
      return "behind higher priority";
    case WaitReason::kNotQueued:
      return "not queued";
  }
  return "unknown";
}

namespace {

void Describe(const PendingJob& job, const PassResult& pass, WaitExplanation& e) {
  std::string ahead =
      std::to_string(e.position) + " job" + (e.position == 1 ? "" : "s") + " ahead of it";
  switch (e.reason) {
    case WaitReason::kStartsNow:
      e.text = "starts in this pass";
      break;
    case WaitReason::kNoMatchingGpu:
      // A job that accepts any GPU finds none only in a cluster without GPUs.
      e.text =
          job.gpu_models.empty() && job.min_gpu_memory_gb <= 0 && job.min_compute_capability <= 0
              ? "the cluster has no GPUs yet"
              : "no GPU in the cluster matches " + ModelsWanted(job);
      break;
    case WaitReason::kLargerThanCluster:
      e.text = "asks for " + std::to_string(job.gpus) + " GPUs of " + ModelsWanted(job) +
               "; the cluster has fewer";
      break;
    case WaitReason::kLargerThanWorker:
      e.text = "asks for " + std::to_string(job.gpus) + " GPUs of " + ModelsWanted(job) +
               " on one worker; no worker has that many";
      break;
    case WaitReason::kQuota:
      e.text = "its user or group holds its GPU quota";
      break;
    case WaitReason::kWaitingForPreemption:
      e.text = "lower-priority jobs are being preempted to make room for it";
      break;
    case WaitReason::kReservedForIt:
      e.text = "first in line: GPUs are held for it";
      if (pass.reservation_start < kNever)
        e.text += ", expected to start at t=" + std::to_string(pass.reservation_start);
      break;
    case WaitReason::kBehindReservation:
      e.text = ahead + "; free GPUs are held for the job at the head of the line";
      break;
    case WaitReason::kGangNotSatisfiable:
      e.text = "needs " + std::to_string(job.gpus) +
               " GPUs over several workers at once; not that many free yet";
      break;
    case WaitReason::kNoFreeGpu:
      e.text = ahead + "; no free GPU it can use";
      break;
    case WaitReason::kNotQueued:
      e.text = "not in the queue";
      break;
  }
}

}  // namespace

WaitExplanation Scheduler::Explain(const Cluster& cluster, int64_t job_id) const {
  return ExplainMany(cluster, {job_id})[job_id];
}

std::map<int64_t, WaitExplanation> Scheduler::ExplainMany(
    const Cluster& cluster, const std::vector<int64_t>& job_ids) const {
  std::map<int64_t, WaitExplanation> out, queued;
  for (int64_t id : job_ids) {
    if (Find(id))
      queued[id] = WaitExplanation{};
    else
      out[id] = WaitExplanation{WaitReason::kNotQueued, 0, "not in the queue"};
  }
  if (queued.empty()) return out;
  PassResult pass = Walk(cluster, &queued);
  for (auto& [id, e] : queued) {
    Describe(*Find(id), pass, e);
    out[id] = std::move(e);
  }
  return out;
}

}  // namespace yard::sched
