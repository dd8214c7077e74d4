// A made-up master for searcher tests: runs the decisions of a searcher on simulated jobs,
// deterministically, and logs every decision so that two runs can be compared.
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hpo/searcher.h"

namespace yard::hpo::testing {

// The metric of a trial at `step` (budget units) of its hyperparameters.
using Objective = std::function<double(const Json& hparams, double step)>;

class SweepDriver {
 public:
  SweepDriver(Searcher* searcher, Objective objective, int gpus)
      : searcher_(searcher), objective_(std::move(objective)), gpus_(gpus) {}

  void set_searcher(Searcher* searcher) { searcher_ = searcher; }
  const std::vector<std::string>& log() const { return log_; }
  const std::vector<Decision>& decisions() const { return decisions_; }
  // Trials whose job ends kFailed, or reports nothing (ends with NaN).
  std::function<bool(int64_t trial)> fails = [](int64_t) { return false; };
  std::function<bool(int64_t trial)> silent = [](int64_t) { return false; };

  // One event: fill the free GPUs, then let one running job (chosen by a fixed, scrambled
  // order) run to its end, reporting at every whole step. False when nothing ran.
  bool Step() {
    Fill();
    if (running_.empty()) return false;
    size_t pick = static_cast<size_t>((events_++ * 7 + 3) % running_.size());
    Job job = running_[pick];
    running_.erase(running_.begin() + static_cast<long>(pick));
    double start = reached_[job.trial];
    double last = std::nan("");
    bool stopped = false;
    if (!silent(job.trial) && !fails(job.trial)) {
      for (double s = std::floor(start) + 1; s <= job.budget + 1e-9 && !stopped; s += 1) {
        last = objective_(job.hparams, s);
        reached_[job.trial] = s;
        for (const Decision& d : searcher_->TellReport(job.trial, s, last)) {
          Record(d);
          if (d.kind == DecisionKind::kStop && d.trial == job.trial) stopped = true;
        }
      }
    }
    TrialEnd end = fails(job.trial) ? TrialEnd::kFailed
                                    : (stopped ? TrialEnd::kStopped : TrialEnd::kCompleted);
    log_.push_back("end " + std::to_string(job.trial) + " " +
                   std::to_string(static_cast<int>(end)));
    searcher_->TellEnded(job.trial, end, last);
    return true;
  }

  // Runs until nothing runs and the searcher has nothing more to start.
  int RunToEnd(int max_events = 100000) {
    int n = 0;
    while (n < max_events && Step()) ++n;
    return n;
  }

 private:
  struct Job {
    int64_t trial;
    Json hparams;
    double budget;
  };

  void Fill() {
    int free = gpus_ - static_cast<int>(running_.size());
    if (free <= 0) return;
    for (const Decision& d : searcher_->Ask(free)) {
      Record(d);
      running_.push_back({d.trial, d.hparams, d.budget > 0 ? d.budget : 1});
    }
  }

  void Record(const Decision& d) {
    decisions_.push_back(d);
    log_.push_back(std::to_string(static_cast<int>(d.kind)) + " " + std::to_string(d.trial) + " " +
                   d.hparams.dump() + " " + Json(d.budget).dump());
  }

  Searcher* searcher_;
  Objective objective_;
  int gpus_;
  int64_t events_ = 0;
  std::vector<Job> running_;
  std::map<int64_t, double> reached_;
  std::vector<std::string> log_;
  std::vector<Decision> decisions_;
};

}  // namespace yard::hpo::testing
