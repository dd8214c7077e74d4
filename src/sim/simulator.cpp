#include "sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "sched/gpu_pools.h"
#include "sched/ordering.h"
#include "sched/policy.h"

namespace yard::sim {
namespace {

using sched::kNever;

enum class EventType { kFinish, kDrained, kWake };

struct Event {
  double time;
  int64_t seq;
  EventType type;
  int job;
  int attempt;
  bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

struct JobState {
  const TraceJob* trace = nullptr;
  double timeout = 0;
  double remaining = 0;  // seconds of work left
  double attained = 0;   // GPU-seconds held in finished attempts
  double first_start = -1, end = -1;
  double start = 0;          // of the current attempt
  double progress_from = 0;  // start + restart cost
  int attempt = 0;
  int running_pos = -1;
  bool draining = false, done = false, timed_out = false;
  std::vector<sched::GpuSlot> gpus;
};

double Percentile99(std::vector<double> v) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(v.size()))) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

class Simulation {
 public:
  Simulation(const std::vector<TraceJob>& trace, const ClusterSpec& spec,
             const sched::PolicyConfig& policy, const SimOptions& options)
      : trace_(trace),
        spec_(spec),
        options_(options),
        scheduler_(policy),
        ledger_(policy.fair_share_half_life_s) {}

  Result<SimResult> Run();

 private:
  Status Validate() const;
  void Start(int j, const sched::Assignment& a, double now);
  void Release(int j, double now);
  void Enqueue(int j);
  void Push(double time, EventType type, int job, int attempt) {
    events_.push(Event{time, seq_++, type, job, attempt});
  }

  const std::vector<TraceJob>& trace_;
  const ClusterSpec& spec_;
  const SimOptions& options_;
  sched::Scheduler scheduler_;
  sched::FairShareLedger ledger_;
  sched::Cluster cluster_;
  std::vector<JobState> jobs_;
  std::vector<int> running_jobs_;  // job index of each entry of cluster_.running
  std::map<std::string, int> held_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  int64_t seq_ = 0;
  SimResult result_;
};

Status Simulation::Validate() const {
  for (const TraceJob& t : trace_) {
    int matching = 0;
    for (const auto& g : spec_.groups) {
      const std::string& name = spec_.models[g.model].name;
      if (t.gpu_models.empty() ||
          std::any_of(t.gpu_models.begin(), t.gpu_models.end(),
                      [&](const std::string& w) { return sched::GpuModelMatches(w, name); }))
        matching += g.workers * g.gpus_per_worker;
    }
    if (t.gpus > matching)
      return InvalidArgument("trace line " + std::to_string(t.line) + ": num_gpus " +
                             std::to_string(t.gpus) + " is more than the " +
                             std::to_string(matching) + " matching GPUs of cluster " + spec_.text);
  }
  return Status::Ok();
}

void Simulation::Enqueue(int j) {
  const JobState& s = jobs_[j];
  sched::PendingJob p;
  p.id = j + 1;
  p.group = s.trace->group;
  p.user = s.trace->group;
  p.gpus = s.trace->gpus;
  p.priority = s.trace->priority;
  p.submit_time = s.trace->submit_time;
  p.timeout = s.timeout;
  p.gpu_models = s.trace->gpu_models;
  p.preemptible = true;
  p.attained_gpu_seconds = s.attained;
  scheduler_.Enqueue(p);
}

void Simulation::Start(int j, const sched::Assignment& a, double now) {
  JobState& s = jobs_[j];
  for (const auto& slot : a.gpus)
    cluster_.workers[slot.worker_id - 1].gpus[slot.gpu_index].job_id = j + 1;
  s.gpus = a.gpus;
  ++s.attempt;
  s.start = now;
  s.progress_from = now + (s.first_start >= 0 ? options_.restart_s : 0);
  if (s.first_start < 0) s.first_start = now;
  double end = s.progress_from + s.remaining;
  if (s.timeout > 0 && now + s.timeout < end) {
    end = now + s.timeout;
    s.timed_out = true;
  }
  sched::RunningJob r;
  r.id = j + 1;
  r.user = r.group = s.trace->group;
  r.gpus = s.trace->gpus;
  r.priority = s.trace->priority;
  r.preemptible = true;
  r.submit_time = s.trace->submit_time;
  r.start_time = now;
  r.timeout = s.timeout;
  r.attained_gpu_seconds = s.attained;
  s.running_pos = static_cast<int>(cluster_.running.size());
  cluster_.running.push_back(std::move(r));
  running_jobs_.push_back(j);
  held_[s.trace->group] += s.trace->gpus;
  Push(end, EventType::kFinish, j, s.attempt);
}

void Simulation::Release(int j, double now) {
  JobState& s = jobs_[j];
  for (const auto& slot : s.gpus)
    cluster_.workers[slot.worker_id - 1].gpus[slot.gpu_index].job_id = 0;
  s.gpus.clear();
  s.attained += s.trace->gpus * (now - s.start);
  int pos = s.running_pos;
  int last = static_cast<int>(cluster_.running.size()) - 1;
  if (pos != last) {
    cluster_.running[pos] = std::move(cluster_.running[last]);
    running_jobs_[pos] = running_jobs_[last];
    jobs_[running_jobs_[pos]].running_pos = pos;
  }
  cluster_.running.pop_back();
  running_jobs_.pop_back();
  s.running_pos = -1;
  if ((held_[s.trace->group] -= s.trace->gpus) == 0) held_.erase(s.trace->group);
}

Result<SimResult> Simulation::Run() {
  YARD_RETURN_IF_ERROR(Validate());
  result_.policy = scheduler_.config().name;
  cluster_.models = spec_.models;
  int64_t worker_id = 0;
  for (const auto& g : spec_.groups) {
    for (int w = 0; w < g.workers; ++w) {
      sched::Worker worker{++worker_id, {}};
      for (int i = 0; i < g.gpus_per_worker; ++i) worker.gpus.push_back({i, g.model, 0, true});
      cluster_.workers.push_back(std::move(worker));
    }
  }
  jobs_.resize(trace_.size());
  for (size_t i = 0; i < trace_.size(); ++i) {
    JobState& s = jobs_[i];
    s.trace = &trace_[i];
    s.remaining = trace_[i].duration;
    s.timeout = trace_[i].timeout;
    if (options_.oracle_timeouts)
      s.timeout = trace_[i].duration;
    else if (s.timeout == 0 && options_.timeout_factor > 0)
      s.timeout = options_.timeout_factor * trace_[i].duration;
  }

  size_t next_arrival = 0;
  double wake = kNever;
  while (next_arrival < trace_.size() || !events_.empty()) {
    double now = kNever;
    if (next_arrival < trace_.size()) now = trace_[next_arrival].submit_time;
    if (!events_.empty()) now = std::min(now, events_.top().time);
    ledger_.Advance(now, held_);
    while (!events_.empty() && events_.top().time <= now) {
      Event e = events_.top();
      events_.pop();
      JobState& s = jobs_[e.job];
      if (e.type == EventType::kWake) {
        if (wake <= now) wake = kNever;
      } else if (e.type == EventType::kFinish && !s.draining && e.attempt == s.attempt && !s.done) {
        Release(e.job, now);
        s.done = true;
        s.end = now;
        s.remaining = 0;
      } else if (e.type == EventType::kDrained && s.draining && e.attempt == s.attempt) {
        Release(e.job, now);
        s.draining = false;
        Enqueue(e.job);
      }
    }
    while (next_arrival < trace_.size() && trace_[next_arrival].submit_time <= now)
      Enqueue(static_cast<int>(next_arrival++));
    ledger_.Advance(now, held_);

    cluster_.now = now;
    cluster_.recent_usage = ledger_.usage();
    for (size_t i = 0; i < cluster_.running.size(); ++i) {
      const JobState& s = jobs_[running_jobs_[i]];
      cluster_.running[i].attained_gpu_seconds = s.attained + s.trace->gpus * (now - s.start);
    }
    if (scheduler_.size() == 0) continue;
    sched::PassResult pass = scheduler_.Pass(cluster_);
    ++result_.passes;
    for (const auto& a : pass.assignments) {
      int j = static_cast<int>(a.job_id - 1);
      if (static_cast<int>(a.gpus.size()) != jobs_[j].trace->gpus)
        return Internal("job " + std::to_string(a.job_id) + " got the wrong number of GPUs");
      for (const auto& slot : a.gpus) {
        if (slot.worker_id < 1 || slot.worker_id > static_cast<int64_t>(cluster_.workers.size()))
          return Internal("placement on an unknown worker");
        const auto& gpus = cluster_.workers[slot.worker_id - 1].gpus;
        if (slot.gpu_index < 0 || slot.gpu_index >= static_cast<int>(gpus.size()) ||
            gpus[slot.gpu_index].job_id != 0)
          return Internal("job " + std::to_string(a.job_id) + " placed on a GPU that is not free");
      }
      scheduler_.Remove(a.job_id);
      Start(j, a, now);
    }
    for (int64_t id : pass.preempted) {
      int j = static_cast<int>(id - 1);
      JobState& s = jobs_[j];
      if (s.running_pos < 0 || s.draining)
        return Internal("preempted job " + std::to_string(id) + " is not running");
      s.remaining -= std::max(0.0, now - s.progress_from);
      s.timed_out = false;
      s.draining = true;
      ++s.attempt;  // the attempt's finish event no longer counts
      cluster_.running[s.running_pos].draining = true;
      ++result_.preemptions;
      Push(now + options_.grace_s, EventType::kDrained, j, s.attempt);
    }
    ledger_.Advance(now, held_);
    if (pass.wake_at < wake && pass.wake_at > now) {
      wake = pass.wake_at;
      Push(wake, EventType::kWake, 0, 0);
    }
  }

  std::vector<double> jct, wait;
  std::map<std::string, std::vector<double>> group_wait;
  double first_submit = trace_.front().submit_time, last_end = 0, useful = 0, not_running = 0;
  for (const JobState& s : jobs_) {
    if (!s.done)
      return Internal("trace line " + std::to_string(s.trace->line) + ": the job never finished");
    jct.push_back(s.end - s.trace->submit_time);
    wait.push_back(s.first_start - s.trace->submit_time);
    group_wait[s.trace->group].push_back(wait.back());
    last_end = std::max(last_end, s.end);
    double ran = s.timed_out ? std::min(s.trace->duration, s.timeout) : s.trace->duration;
    useful += ran * s.trace->gpus;
    not_running += jct.back() - ran;
    if (s.timed_out) ++result_.timed_out;
  }
  double n = static_cast<double>(jobs_.size());
  result_.jobs = static_cast<int64_t>(jobs_.size());
  for (double v : jct) result_.avg_jct += v / n;
  for (double v : wait) result_.avg_wait += v / n;
  result_.avg_not_running = not_running / n;
  result_.p99_jct = Percentile99(jct);
  result_.p99_wait = Percentile99(wait);
  result_.makespan = last_end - first_submit;
  result_.utilisation = result_.makespan > 0 ? useful / (spec_.total_gpus * result_.makespan) : 0;
  for (auto& [group, waits] : group_wait) {
    double p99 = Percentile99(std::move(waits));
    result_.group_p99_wait[group] = p99;
    if (result_.worst_group.empty() || p99 > result_.worst_group_p99_wait) {
      result_.worst_group_p99_wait = p99;
      result_.worst_group = group;
    }
  }
  return result_;
}

}  // namespace

Result<SimResult> Simulate(const std::vector<TraceJob>& trace, const ClusterSpec& cluster,
                           const sched::PolicyConfig& policy, const SimOptions& options) {
  if (trace.empty()) return InvalidArgument("simulate: the trace has no jobs");
  Simulation sim(trace, cluster, policy, options);
  return sim.Run();
}

}  // namespace yard::sim
