#include "hpo/sequential_searcher.h"

#include <cmath>
#include <limits>

#include "hpo/encoding.h"

namespace yard::hpo {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class SequentialSearcher : public Searcher {
 public:
  SequentialSearcher(const SearchSpace& space, const SearchConfig& config,
                     std::unique_ptr<Proposer> proposer)
      : space_(space), config_(config), proposer_(std::move(proposer)) {
    limit_ = config.max_trials > 0 ? config.max_trials : std::numeric_limits<int64_t>::max();
    if (auto capacity = proposer_->Capacity(); capacity && *capacity < limit_) limit_ = *capacity;
  }

  std::vector<Decision> Ask(int slots) override {
    std::vector<Decision> out;
    if (config_.max_parallel > 0 && slots > config_.max_parallel - running_)
      slots = config_.max_parallel - running_;
    while (static_cast<int>(out.size()) < slots && static_cast<int64_t>(trials_.size()) < limit_) {
      Trial t;
      t.id = static_cast<int64_t>(trials_.size());
      t.hparams = proposer_->Propose(HistoryForProposer());
      Decision d;
      d.kind = DecisionKind::kCreate;
      d.trial = t.id;
      if (config_.budget) {
        // Not a multi-fidelity algorithm: every trial gets the whole budget.
        d.budget = config_.budget->max;
        t.hparams[config_.budget->param] = BudgetValue(space_, config_.budget->param, d.budget);
      }
      d.hparams = t.hparams;
      trials_.push_back(std::move(t));
      ++running_;
      out.push_back(std::move(d));
    }
    return out;
  }

  std::vector<Decision> TellReport(int64_t trial, double, double value) override {
    if (Trial* t = Running(trial)) t->last = value;
    return {};
  }

  void TellEnded(int64_t trial, TrialEnd end, double value) override {
    Trial* t = Running(trial);
    if (!t) return;
    t->running = false;
    --running_;
    t->value = end == TrialEnd::kFailed ? kNaN : (std::isnan(value) ? t->last : value);
  }

  bool Finished() const override {
    return static_cast<int64_t>(trials_.size()) >= limit_ && running_ == 0;
  }

  Json SaveState() const override {
    Json trials = Json::array();
    for (const Trial& t : trials_)
      trials.push_back({{"hparams", t.hparams},
                        {"running", t.running},
                        {"value", NumberOrNull(t.value)},
                        {"last", NumberOrNull(t.last)}});
    return {{"version", 1},
            {"algorithm", config_.algorithm},
            {"trials", trials},
            {"proposer", proposer_->SaveState()}};
  }

  Status Load(const Json& state) {
    trials_.clear();
    running_ = 0;
    for (const Json& j : state.at("trials")) {
      Trial t;
      t.id = static_cast<int64_t>(trials_.size());
      t.hparams = j.at("hparams");
      t.running = j.at("running").get<bool>();
      t.value = NumberFromJson(j.at("value"));
      t.last = NumberFromJson(j.at("last"));
      running_ += t.running ? 1 : 0;
      trials_.push_back(std::move(t));
    }
    return proposer_->LoadState(state.at("proposer"));
  }

 private:
  struct Trial {
    int64_t id = 0;
    Json hparams;
    bool running = true;
    double value = kNaN;  // its result once ended; NaN for none or a failure
    double last = kNaN;   // the last value it reported
  };

  Trial* Running(int64_t trial) {
    if (trial < 0 || trial >= static_cast<int64_t>(trials_.size())) return nullptr;
    Trial& t = trials_[static_cast<size_t>(trial)];
    return t.running ? &t : nullptr;
  }

  History HistoryForProposer() const {
    if (proposer_->LearnsFromHistory()) return BuildHistory();
    History h;
    h.created = static_cast<int64_t>(trials_.size());
    return h;
  }

  History BuildHistory() const {
    History h;
    h.created = static_cast<int64_t>(trials_.size());
    for (const Trial& t : trials_) {
      if (t.running)
        h.pending.push_back({&t.hparams, t.id});
      else
        h.observed.push_back({&t.hparams, Score(t.value, config_.maximize), t.id});
    }
    return h;
  }

  SearchSpace space_;
  SearchConfig config_;
  std::unique_ptr<Proposer> proposer_;
  int64_t limit_ = 0;
  std::vector<Trial> trials_;  // trials_[i].id == i
  int running_ = 0;
};

}  // namespace

Result<std::unique_ptr<Searcher>> MakeSequentialSearcher(const SearchSpace& space,
                                                         const SearchConfig& config,
                                                         std::unique_ptr<Proposer> proposer,
                                                         const Json& state) {
  auto searcher = std::make_unique<SequentialSearcher>(space, config, std::move(proposer));
  if (!state.is_null()) YARD_RETURN_IF_ERROR(searcher->Load(state));
  return std::unique_ptr<Searcher>(std::move(searcher));
}

}  // namespace yard::hpo
