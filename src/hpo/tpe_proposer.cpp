// TPE's points: the estimator of tpe.h fitted on the history, with a constant liar: trials
// still running count as if they had the worst result seen so far, so the good density stays
// where it was but the bad one grows around every pending point, and asks made together (8
// free GPUs at once) spread out instead of all landing on the same spot. A fixed share of
// the trials are local steps around the best point instead, and a run that stalls is
// restarted (TpeProposerOptions).
#include <algorithm>
#include <cmath>
#include <limits>

#include "hpo/encoding.h"
#include "hpo/proposer.h"
#include "hpo/tpe.h"

namespace yard::hpo {
namespace {

constexpr uint64_t kTpeStream = 0x7e9e;

class TpeProposer : public Proposer {
 public:
  TpeProposer(const SearchSpace& space, const SearchConfig& config,
              const TpeProposerOptions& options)
      : space_(space),
        dims_(SearchDims(space_, config)),
        options_(options),
        startup_(MakeSobolProposer(space, config)),
        rng_(config.seed, kTpeStream) {
    for (const Param* p : dims_) tpe_dims_.push_back({IsCategorical(*p), Cardinality(*p)});
  }
  TpeProposer(const TpeProposer&) = delete;
  TpeProposer& operator=(const TpeProposer&) = delete;

  Json Propose(const History& all) override {
    if (options_.restart_after > 0) UpdateRun(all);
    // Before any restart the run is the whole history: no copy on every ask.
    History run;
    const History& history = run_start_ == 0 ? all : (run = CurrentRun(all));
    if (history.created < options_.startup_trials ||
        static_cast<int64_t>(history.observed.size()) < options_.min_observed)
      return startup_->Propose(all);
    if (options_.local_every > 0 && (history.created + 1) % options_.local_every == 0)
      if (const Json* best = BestPoint(history)) return LocalStep(*best);

    struct Entry {
      int level;
      double score;
      int64_t trial;
      const Json* point;
    };
    std::vector<Entry> entries;
    // The liar: pending trials rank with the worst result seen, below every real one.
    int liar_level = 0;
    double liar = std::numeric_limits<double>::infinity();
    for (const auto& o : history.observed) {
      entries.push_back({o.level, o.score, o.trial, o.point});
      if (o.level < liar_level) liar_level = o.level;
    }
    for (const auto& o : history.observed)
      if (o.level == liar_level && std::isfinite(o.score)) liar = std::min(liar, o.score);
    if (std::isinf(liar)) liar = -std::numeric_limits<double>::infinity();
    for (const auto& p : history.pending) entries.push_back({liar_level, liar, p.trial, p.point});
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.level != b.level) return a.level > b.level;
      return a.score != b.score ? a.score > b.score : a.trial < b.trial;
    });
    auto good_count = static_cast<size_t>(TpeGoodCount(static_cast<int64_t>(entries.size())));
    // Each group oldest first: the estimator weighs older observations less.
    auto by_trial = [](const Entry& a, const Entry& b) { return a.trial < b.trial; };
    std::sort(entries.begin(), entries.begin() + static_cast<ptrdiff_t>(good_count), by_trial);
    std::sort(entries.begin() + static_cast<ptrdiff_t>(good_count), entries.end(), by_trial);
    std::vector<std::vector<double>> good, bad;
    for (size_t i = 0; i < entries.size(); ++i)
      (i < good_count ? good : bad).push_back(Encode(*entries[i].point));
    std::vector<double> x = TpeSuggest(tpe_dims_, good, bad, rng_, TpeOptions{});
    return Decode(x);
  }

  Json SaveState() const override {
    return {{"rng", rng_.Save()}, {"startup", startup_->SaveState()}, {"run_start", run_start_}};
  }
  Status LoadState(const Json& state) override {
    YARD_ASSIGN_OR_RETURN(rng_, Rng::Load(state.at("rng")));
    run_start_ = state.value("run_start", int64_t{0});
    if (run_start_ < 0) return InvalidArgument("saved TPE state: negative run_start");
    return startup_->LoadState(state.at("startup"));
  }

 private:
  // Ends the current run when its best result has not improved for restart_after results
  // (options.restart_after): the next trial starts a fresh one. Only the current run's
  // trials are scanned, in trial order, so a boundary once set never moves.
  void UpdateRun(const History& all) {
    std::vector<const History::Observed*> run;
    for (const auto& o : all.observed)
      if (o.trial >= run_start_) run.push_back(&o);
    std::sort(run.begin(), run.end(),
              [](const auto* a, const auto* b) { return a->trial < b->trial; });
    const History::Observed* best = nullptr;
    int64_t since = 0;
    for (const auto* o : run) {
      bool better =
          std::isfinite(o->score) &&
          (!best || o->level > best->level || (o->level == best->level && o->score > best->score));
      if (better) {
        best = o, since = 0;
      } else if (++since >= options_.restart_after) {
        run_start_ = std::max(o->trial + 1, all.created);
        return;
      }
    }
  }

  // The history of the current run alone: what TPE and the local steps learn from.
  History CurrentRun(const History& all) const {
    History run;
    for (const auto& o : all.observed)
      if (o.trial >= run_start_) run.observed.push_back(o);
    for (const auto& p : all.pending)
      if (p.trial >= run_start_) run.pending.push_back(p);
    run.created = all.created - run_start_;
    return run;
  }

  // The point with the best result: highest level, then score, then the oldest trial; none
  // while every result is NaN.
  static const Json* BestPoint(const History& history) {
    const History::Observed* best = nullptr;
    for (const auto& o : history.observed) {
      if (!std::isfinite(o.score)) continue;
      if (!best || o.level > best->level ||
          (o.level == best->level &&
           (o.score > best->score || (o.score == best->score && o.trial < best->trial))))
        best = &o;
    }
    return best ? best->point : nullptr;
  }

  Json LocalStep(const Json& best) {
    std::vector<double> x = Encode(best);
    for (size_t k = 0; k < x.size(); ++k)
      if (!tpe_dims_[k].categorical)
        x[k] = rng_.TruncatedNormal(x[k], options_.local_sigma, 0.0, 1.0);
    return Decode(x);
  }

  // TPE coordinates (tpe.h): unit coordinates for numbers, indices for categories.
  std::vector<double> Encode(const Json& point) const {
    std::vector<double> x(dims_.size());
    for (size_t k = 0; k < dims_.size(); ++k) {
      const Param& p = *dims_[k];
      double u = point.contains(p.name) ? UnitFromValue(p, point[p.name]) : 0.5;
      if (std::isnan(u)) u = 0.5;
      if (tpe_dims_[k].categorical) {
        auto n = static_cast<double>(tpe_dims_[k].size);
        u = std::min(std::floor(u * n), n - 1);
      }
      x[k] = u;
    }
    return x;
  }

  Json Decode(const std::vector<double>& x) const {
    std::vector<double> u = x;
    for (size_t k = 0; k < dims_.size(); ++k)
      if (tpe_dims_[k].categorical) u[k] = (x[k] + 0.5) / static_cast<double>(tpe_dims_[k].size);
    return PointFromUnit(space_, dims_, u);
  }

  SearchSpace space_;  // dims_ points into it
  std::vector<const Param*> dims_;
  std::vector<TpeDim> tpe_dims_;
  TpeProposerOptions options_;
  std::unique_ptr<Proposer> startup_;
  Rng rng_;
  int64_t run_start_ = 0;  // the first trial of the current run
};

}  // namespace

std::unique_ptr<Proposer> MakeTpeProposer(const SearchSpace& space, const SearchConfig& config,
                                          const TpeProposerOptions& options) {
  return std::make_unique<TpeProposer>(space, config, options);
}

int64_t TpeStartupTrials(int max_trials) {
  int64_t n = max_trials / 5;
  return n < 2 ? 2 : (n > 10 ? 10 : n);
}

}  // namespace yard::hpo
