// Proposers choose the point of each new trial; searchers decide when to create trials and
// what to do with them. One proposer serves several searchers: Sobol points for random search
// and ASHA, TPE for tpe and bohb.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "api/types.h"
#include "common/status.h"
#include "hpo/searcher.h"
#include "hpo/space.h"

namespace yard::hpo {

// What a proposer may learn from: trials with a result, and trials still running.
struct History {
  struct Observed {
    const Json* point;
    double score;  // Score(): higher is better, -inf for NaN or failed
    int64_t trial;
    // Ranks before the score: a result at a larger budget beats any at a smaller one (for
    // successive halving, the rung a trial earned). 0 when every trial runs one budget.
    int level = 0;
  };
  struct Pending {
    const Json* point;
    int64_t trial;
  };
  std::vector<Observed> observed;
  std::vector<Pending> pending;
  int64_t created = 0;  // trials created so far, this one not counted
};

class Proposer {
 public:
  virtual ~Proposer() = default;
  // A full assignment of the space for the next trial (the budget parameter as the space
  // has it: the searcher sets it).
  virtual Json Propose(const History& history) = 0;
  // False when Propose reads only history.created: the searcher then skips building the
  // rest, which costs a walk over every trial (quadratic over a 100,000-point grid).
  virtual bool LearnsFromHistory() const { return true; }
  // How many trials it can propose at most (a grid's size); nullopt: no limit.
  virtual std::optional<int64_t> Capacity() const { return std::nullopt; }
  virtual Json SaveState() const = 0;
  // Throws Json exceptions on a malformed state (MakeSearcher catches them).
  virtual Status LoadState(const Json& state) = 0;
};

// Every point of the grid in ExpandGrid's order; trial n gets point n.
Result<std::unique_ptr<Proposer>> MakeGridProposer(const SearchSpace& space);

// Scrambled Sobol points over the search dims (SearchDims), one after another.
std::unique_ptr<Proposer> MakeSobolProposer(const SearchSpace& space, const SearchConfig& config);

struct TpeProposerOptions {
  // Sobol points until this many trials were created (random startup) ...
  int64_t startup_trials = 10;
  // ... and until this many have a result.
  int64_t min_observed = 2;
  // Past the startup, every local_every-th trial (the trials numbered local_every - 1,
  // 2 local_every - 1, ...) is a local step instead of a draw from l(x): the best result so
  // far (highest level, then score) moved by N(0, local_sigma^2) in each numeric unit
  // coordinate, its categories kept. TPE's kernels are never narrower than
  // TpeOptions::min_bandwidth, so without these steps it finds a good basin but stays a
  // kernel's width from its bottom; the steps refine it at a quarter of the trials. 0 turns
  // them off.
  int64_t local_every = 4;
  double local_sigma = 0.02;
  // A run of TPE that has not improved its best result for restart_after results in a row
  // ends, and the next trial starts a new one: Sobol startup points again (further along
  // the sequence), then a model fitted on the new run's trials alone. TPE's good group
  // (at most 25 points) settles in one basin; on a function with several, a long search
  // would spend the rest of its budget there. Restarts give the other basins their chance,
  // as TuRBO's and CMA-ES's do; the sweep's best is still the best of every run. 0 never
  // restarts.
  int64_t restart_after = 0;
};

// The tpe algorithm's restart_after. On Hartmann-6 with 729 trials (bench/hpo, held-out
// seeds 201-300) the global basin was found on 93 of 100 seeds instead of 63; 50 hurt
// Branin's refinement at 144 trials, and 100 never fires in a search of under 100 trials.
inline constexpr int64_t kTpeRestartAfter = 100;

// Multivariate TPE (tpe.h) over the search dims, with a constant liar for pending trials.
std::unique_ptr<Proposer> MakeTpeProposer(const SearchSpace& space, const SearchConfig& config,
                                          const TpeProposerOptions& options);

// Random startup trials for TPE: 10, fewer when max_trials is small (a fifth of it, at least
// 2), so that a short search has budget left to exploit what it learnt.
int64_t TpeStartupTrials(int max_trials);

}  // namespace yard::hpo
