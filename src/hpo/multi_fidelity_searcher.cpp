#include "hpo/multi_fidelity_searcher.h"

#include <cmath>
#include <limits>
#include <optional>

#include "hpo/asha.h"
#include "hpo/encoding.h"
#include "hpo/hyperband.h"
#include "hpo/proposer.h"
#include "hpo/rank_correlation.h"

namespace yard::hpo {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// BOHB trusts a rung below the one its model is fitted on when the two rank their common
// trials with a rank correlation of at least this plus its standard error (BuildHistory).
// Chosen on held-out seeds of bench/hpo (TUNING.md): it kept hartmann6-mf's informative
// small budgets (rho 0.6 to 0.96 between 1, 3 or 9 units and 27) and dropped classif-mlp's
// misleading ones (rho -0.3 to -0.7 between 1 or 3 epochs and 27, 0.1 to 0.5 for 9).
constexpr double kRungAgreement = 0.3;

enum class Phase {
  kRunning,  // its current run goes on (promotion: to rung `rung`; stopping: to the top)
  kPaused,   // promotion only: completed rung `rung`, may be promoted
  kDone,     // will never run again
};

const char* PhaseName(Phase p) {
  return p == Phase::kRunning ? "running" : (p == Phase::kPaused ? "paused" : "done");
}

std::optional<Phase> PhaseFromName(const std::string& name) {
  if (name == "running") return Phase::kRunning;
  if (name == "paused") return Phase::kPaused;
  if (name == "done") return Phase::kDone;
  return std::nullopt;
}

struct Trial {
  int64_t id = 0;
  Json hparams;  // its point, with the budget parameter at its current run's budget
  int bracket = 0;
  // The rung its current run works towards (promotion), or the next rung it will be judged
  // at (stopping); for a paused trial, the rung it completed.
  int rung = 0;
  Phase phase = Phase::kRunning;
  bool stop_sent = false;
  // Its result at rungs bracket, bracket + 1, ...: a trial is recorded at consecutive rungs.
  std::vector<double> values;
  double last = kNaN;  // the last value its current run reported

  bool RecordedAt(int k) const {
    return k >= bracket && k - bracket < static_cast<int>(values.size());
  }
  double ValueAt(int k) const { return values[static_cast<size_t>(k - bracket)]; }
};

class MultiFidelitySearcher : public Searcher {
 public:
  MultiFidelitySearcher(const SearchSpace& space, const SearchConfig& config)
      : space_(space), config_(config), budget_(*config.budget) {
    const Param* p = space_.Find(budget_.param);
    bool integral = p && (p->type == ParamType::kInt ||
                          (p->type == ParamType::kConst && p->constant.is_number_integer()));
    rungs_ = RungBudgets(budget_, integral);
    int top = static_cast<int>(rungs_.size());
    // asha runs one bracket; hyperband and bohb run Hyperband's brackets. On classif-mlp in
    // bench/hpo, where 1 and 3 epochs rank trials against 27, BOHB in one bracket (cutting
    // every trial after 1 epoch) stayed below grid search's best on 4 of 10 held-out seeds;
    // with the brackets its median rose from 0.648 to 0.662 (bench/hpo/TUNING.md).
    weights_ = config.algorithm == "asha" ? std::vector<double>{1.0}
                                          : BracketWeights(top, budget_.reduction);
    if (config.algorithm == "bohb") {
      min_fit_results_ = static_cast<int64_t>(SearchDims(space_, config_).size()) + 2;
      int64_t startup = TpeStartupTrials(config.max_trials);
      proposer_ = MakeTpeProposer(space, config, {.startup_trials = 0, .min_observed = startup});
    } else {
      proposer_ = MakeSobolProposer(space, config);
    }
  }

  std::vector<Decision> Ask(int slots) override {
    std::vector<Decision> out;
    if (config_.max_parallel > 0 && slots > config_.max_parallel - Running())
      slots = config_.max_parallel - Running();
    while (static_cast<int>(out.size()) < slots) {
      if (auto promotion = FindPromotion()) {
        out.push_back(Promote(*promotion));
      } else if (static_cast<int64_t>(trials_.size()) < config_.max_trials) {
        out.push_back(Create());
      } else {
        break;
      }
    }
    return out;
  }

  std::vector<Decision> TellReport(int64_t trial, double step, double value) override {
    Trial* t = RunningTrial(trial);
    if (!t || t->stop_sent) return {};
    t->last = value;
    if (budget_.mode != BudgetMode::kStop) return {};
    // Stopping: judge the trial at each rung below the top that this report reaches.
    int top = static_cast<int>(rungs_.size()) - 1;
    while (t->rung < top && step >= rungs_[static_cast<size_t>(t->rung)] * (1 - 1e-9)) {
      int k = t->rung;
      t->values.push_back(value);
      ++t->rung;
      if (BelowRungCutoff(RungTable(t->bracket, k), t->id, budget_.reduction)) {
        t->stop_sent = true;
        Decision d;
        d.kind = DecisionKind::kStop;
        d.trial = t->id;
        d.hparams = t->hparams;
        d.budget = rungs_[static_cast<size_t>(k)];
        return {d};
      }
    }
    return {};
  }

  void TellEnded(int64_t trial, TrialEnd end, double value) override {
    Trial* t = RunningTrial(trial);
    if (!t) return;
    if (std::isnan(value)) value = t->last;
    int top = static_cast<int>(rungs_.size()) - 1;
    t->phase = Phase::kDone;
    // A trial told to stop has been judged already, whatever raced with the stop.
    if (end == TrialEnd::kStopped || t->stop_sent) return;
    if (end == TrialEnd::kFailed) {
      // Ranked last at the rung it was working towards: counted, never promoted.
      if (!t->RecordedAt(t->rung)) t->values.push_back(kNaN);
      return;
    }
    if (budget_.mode == BudgetMode::kStop) {
      // It ran the whole budget, through every rung it had not reported at.
      while (static_cast<int>(t->values.size()) + t->bracket <= top) t->values.push_back(value);
      return;
    }
    t->values.push_back(value);
    if (t->rung < top) t->phase = Phase::kPaused;
  }

  bool Finished() const override {
    if (static_cast<int64_t>(trials_.size()) < config_.max_trials || Running() > 0) return false;
    return !FindPromotion();
  }

  Json SaveState() const override {
    Json trials = Json::array();
    for (const Trial& t : trials_) {
      Json values = Json::array();
      for (double v : t.values) values.push_back(NumberOrNull(v));
      trials.push_back({{"hparams", t.hparams},
                        {"bracket", t.bracket},
                        {"rung", t.rung},
                        {"phase", PhaseName(t.phase)},
                        {"stop_sent", t.stop_sent},
                        {"values", values},
                        {"last", NumberOrNull(t.last)}});
    }
    return {{"version", 1},
            {"algorithm", config_.algorithm},
            {"rungs", rungs_},
            {"trials", trials},
            {"proposer", proposer_->SaveState()}};
  }

  Status Load(const Json& state) {
    if (state.at("rungs").get<std::vector<double>>() != rungs_)
      return InvalidArgument("saved searcher state has other rungs than the config");
    trials_.clear();
    int top = static_cast<int>(rungs_.size()) - 1;
    for (const Json& j : state.at("trials")) {
      Trial t;
      t.id = static_cast<int64_t>(trials_.size());
      t.hparams = j.at("hparams");
      t.bracket = j.at("bracket").get<int>();
      t.rung = j.at("rung").get<int>();
      auto phase = PhaseFromName(j.at("phase").get<std::string>());
      if (!phase) return InvalidArgument("saved searcher state: unknown trial phase");
      t.phase = *phase;
      t.stop_sent = j.at("stop_sent").get<bool>();
      for (const Json& v : j.at("values")) t.values.push_back(NumberFromJson(v));
      t.last = NumberFromJson(j.at("last"));
      if (t.bracket < 0 || t.bracket >= static_cast<int>(weights_.size()) || t.rung < t.bracket ||
          t.rung > top || static_cast<int>(t.values.size()) > top + 1 - t.bracket)
        return InvalidArgument("saved searcher state: trial " + std::to_string(t.id) +
                               " is on a rung or bracket the config does not have");
      trials_.push_back(std::move(t));
    }
    return proposer_->LoadState(state.at("proposer"));
  }

 private:
  int Running() const {
    int n = 0;
    for (const Trial& t : trials_) n += t.phase == Phase::kRunning ? 1 : 0;
    return n;
  }

  Trial* RunningTrial(int64_t trial) {
    if (trial < 0 || trial >= static_cast<int64_t>(trials_.size())) return nullptr;
    Trial& t = trials_[static_cast<size_t>(trial)];
    return t.phase == Phase::kRunning ? &t : nullptr;
  }

  // Every trial of the bracket recorded at rung k.
  std::vector<RungEntry> RungTable(int bracket, int k) const {
    std::vector<RungEntry> table;
    for (const Trial& t : trials_) {
      if (t.bracket != bracket || !t.RecordedAt(k)) continue;
      bool promotable = t.phase == Phase::kPaused && t.rung == k;
      table.push_back({t.id, Score(t.ValueAt(k), config_.maximize), promotable});
    }
    return table;
  }

  struct Promotion {
    int64_t trial;
    int to_rung;
  };

  // ASHA's get_job: the highest rung first, bracket by bracket.
  std::optional<Promotion> FindPromotion() const {
    if (budget_.mode != BudgetMode::kPromote) return std::nullopt;
    int top = static_cast<int>(rungs_.size()) - 1;
    for (int b = 0; b < static_cast<int>(weights_.size()); ++b)
      for (int k = top - 1; k >= b; --k)
        if (auto trial = PromotionCandidate(RungTable(b, k), budget_.reduction))
          return Promotion{*trial, k + 1};
    return std::nullopt;
  }

  Decision Promote(const Promotion& p) {
    Trial& t = trials_[static_cast<size_t>(p.trial)];
    t.rung = p.to_rung;
    t.phase = Phase::kRunning;
    t.last = kNaN;
    return Start(t, DecisionKind::kPromote, rungs_[static_cast<size_t>(p.to_rung)]);
  }

  Decision Create() {
    std::vector<int64_t> counts(weights_.size(), 0);
    for (const Trial& t : trials_) ++counts[static_cast<size_t>(t.bracket)];
    Trial t;
    t.id = static_cast<int64_t>(trials_.size());
    // bohb makes its trials iteration by iteration, as Falkner et al. do (hyperband.h).
    t.bracket = config_.algorithm == "bohb"
                    ? IterationBracket(weights_, static_cast<int64_t>(trials_.size()))
                    : NextBracket(weights_, counts);
    t.rung = t.bracket;
    t.hparams = proposer_->Propose(BuildHistory());
    trials_.push_back(std::move(t));
    Trial& added = trials_.back();
    // Stopping runs a trial towards the top and judges it on the way; promotion runs it to
    // its bracket's first rung.
    double budget =
        budget_.mode == BudgetMode::kStop ? rungs_.back() : rungs_[static_cast<size_t>(added.rung)];
    return Start(added, DecisionKind::kCreate, budget);
  }

  Decision Start(Trial& t, DecisionKind kind, double budget) {
    t.hparams[budget_.param] = BudgetValue(space_, budget_.param, budget);
    Decision d;
    d.kind = kind;
    d.trial = t.id;
    d.hparams = t.hparams;
    d.budget = budget;
    return d;
  }

  // What the proposer learns from (bohb; Sobol ignores it). As in Falkner et al. 2018, the
  // model is fitted on the results at one rung, the highest with at least dims + 2 of them
  // (the bottom rung until one above has enough): the trials that reached it, ranked by
  // their result there. The rungs below it are used as well when they rank that rung's
  // trials in much the same order (Spearman's rho clearly above kRungAgreement, rung by rung
  // down): then every trial that reached the lowest such rung counts (in whichever bracket
  // it started), ranked by the highest rung it reached and then by its result there, so
  // that the trials cut on the way tell the model where not to look. When the small budgets mislead
  // (on classif-mlp in bench/hpo, with 27 epochs, the fast learners lead after 1 and 3 epochs and
  // lose after 27), ranking every trial by the rung it earned taught the model which trials get
  // promoted, not which do well at the full budget, and it steered towards the fast learners.
  // Trials running with no result yet are pending.
  History BuildHistory() const {
    History h;
    h.created = static_cast<int64_t>(trials_.size());
    if (config_.algorithm != "bohb") return h;
    int top = static_cast<int>(rungs_.size()) - 1;
    int fit = 0;
    for (int k = top; k > 0 && fit == 0; --k)
      if (RecordedCount(k) >= min_fit_results_) fit = k;
    int low = fit;
    // The bar is kRungAgreement plus rho's standard error, 1 / sqrt(n - 1) for n trials: a
    // chance agreement of a handful of trials must not let the small budgets in.
    auto n_fit = static_cast<double>(RecordedCount(fit));
    double bar = kRungAgreement + (n_fit > 1 ? 1 / std::sqrt(n_fit - 1) : 1.0);
    while (low > 0 && RungAgreement(low - 1, fit) >= bar) --low;
    for (const Trial& t : trials_) {
      if (t.values.empty()) {
        if (t.phase == Phase::kRunning) h.pending.push_back({&t.hparams, t.id});
        continue;
      }
      int reached = t.bracket + static_cast<int>(t.values.size()) - 1;
      if (low == fit ? !t.RecordedAt(fit) : reached < low) continue;
      if (low == fit) {
        h.observed.push_back({&t.hparams, Score(t.ValueAt(fit), config_.maximize), t.id, 0});
      } else {
        h.observed.push_back({&t.hparams, Score(t.values.back(), config_.maximize), t.id, reached});
      }
    }
    return h;
  }

  int64_t RecordedCount(int k) const {
    int64_t n = 0;
    for (const Trial& t : trials_) n += t.RecordedAt(k) ? 1 : 0;
    return n;
  }

  // Spearman's rho between the results at rungs k and fit of the trials recorded at both.
  double RungAgreement(int k, int fit) const {
    std::vector<double> at_k, at_fit;
    for (const Trial& t : trials_) {
      if (!t.RecordedAt(k) || !t.RecordedAt(fit)) continue;
      at_k.push_back(Score(t.ValueAt(k), config_.maximize));
      at_fit.push_back(Score(t.ValueAt(fit), config_.maximize));
    }
    return SpearmanRho(at_k, at_fit);
  }

  SearchSpace space_;
  SearchConfig config_;
  Budget budget_;
  std::vector<double> rungs_;
  std::vector<double> weights_;  // per bracket
  std::unique_ptr<Proposer> proposer_;
  std::vector<Trial> trials_;    // trials_[i].id == i
  int64_t min_fit_results_ = 0;  // bohb: results a rung needs for the model (dims + 2)
};

}  // namespace

Result<std::unique_ptr<Searcher>> MakeMultiFidelitySearcher(const SearchSpace& space,
                                                            const SearchConfig& config,
                                                            const Json& state) {
  auto searcher = std::make_unique<MultiFidelitySearcher>(space, config);
  if (!state.is_null()) YARD_RETURN_IF_ERROR(searcher->Load(state));
  return std::unique_ptr<Searcher>(std::move(searcher));
}

}  // namespace yard::hpo
