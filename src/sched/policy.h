// The scheduler: the queue, kept in order across passes, and the pass that decides which queued
// jobs start now, where, and which running jobs to preempt. Pure and deterministic: no I/O,
// clocks or threads; the Cluster (with `now`) comes in, decisions go out. The caller applies
// the decisions and tells the queue (Remove a started job, Enqueue a preempted one again).
//
// One pass walks the queue in score order (ordering.h) and, for each job, applies in turn:
//   quota filter -> GPU filters (model, memory, compute capability) -> placement (best fit on
//   one worker, or a gang over the fewest workers) -> preemption (preemption.h) -> reservation
//   for the first job that could not start (backfill.h).
// It stops as soon as no remaining job could use a free GPU or preempt, so a long queue costs
// little once the cluster is full.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sched/cluster.h"
#include "sched/policy_config.h"

namespace yard::sched {

enum class WaitReason {
  kStartsNow,             // the pass places it
  kNoMatchingGpu,         // no GPU in the cluster has its model, memory and compute capability
  kLargerThanCluster,     // asks for more matching GPUs than the cluster has at all
  kLargerThanWorker,      // more than one worker has, and gangs are off (PolicyConfig::gangs)
  kQuota,                 // its user or group holds its cap of GPUs
  kWaitingForPreemption,  // jobs were preempted for it and are draining
  kReservedForIt,         // head of line: GPUs are held back for it
  kBehindReservation,     // GPUs it could use are held for the head-of-line job
  kGangNotSatisfiable,    // needs several workers' GPUs at once; not free yet
  kNoFreeGpu,             // behind higher-scored jobs that hold or take the GPUs it could use
  kNotQueued,
};
const char* WaitReasonName(WaitReason reason);

struct WaitExplanation {
  WaitReason reason = WaitReason::kNotQueued;
  int64_t position = 0;  // queued jobs ahead of it in this pass's order
  std::string text;      // for people: "needs GPU model A100-80GB; the cluster has none"
};

class Scheduler {
 public:
  explicit Scheduler(PolicyConfig config);
  const PolicyConfig& config() const { return config_; }

  // Adds a job to the queue, or replaces the queued job with the same id.
  void Enqueue(const PendingJob& job);
  bool Remove(int64_t id);
  const PendingJob* Find(int64_t id) const;
  size_t size() const { return jobs_.size(); }

  PassResult Pass(const Cluster& cluster) const;
  // Why one queued job waits, and its place: a pass of its own, walked up to that job.
  WaitExplanation Explain(const Cluster& cluster, int64_t job_id) const;
  // The same for several jobs from one walk (a page of `yard ps`). The walk decides as a pass
  // does up to where a pass stops; past it, it only counts places, so its cost is the queue
  // ahead of the last of `job_ids` at a few tens of nanoseconds a job. Ids not queued get
  // kNotQueued.
  std::map<int64_t, WaitExplanation> ExplainMany(const Cluster& cluster,
                                                 const std::vector<int64_t>& job_ids) const;

 private:
  struct OrderKey {
    double score;
    double submit;
    int64_t id;
    bool operator<(const OrderKey& o) const {
      if (score != o.score) return score > o.score;
      if (submit != o.submit) return submit < o.submit;
      return id < o.id;
    }
  };
  struct Entry {
    PendingJob job;
    int key_index;
    OrderKey order;
    double rank;
  };
  struct KeyQueue {
    std::string name;
    std::set<OrderKey> queue;
  };
  // A pass; with `explain`, also records the place and reason of each job keyed there, and
  // walks on (counting only) until it has seen them all.
  PassResult Walk(const Cluster& cluster, std::map<int64_t, WaitExplanation>* explain) const;

  PolicyConfig config_;
  bool has_quotas_;
  std::unordered_map<int64_t, Entry> jobs_;
  std::vector<KeyQueue> keys_;
  std::unordered_map<std::string, int> key_index_;
  // Counts over the queue that bound what any remaining job could do.
  std::map<int, int> size_count_;
  std::map<double, int> rank_count_;
  int64_t with_timeout_ = 0;
};

// One pass over a queue given as a list: a Scheduler built for the occasion.
PassResult RunPass(const Cluster& cluster, const std::vector<PendingJob>& queue,
                   const PolicyConfig& config);

}  // namespace yard::sched
