// Searchers choose which hyperparameters to try and stop poor trials early. Pure and
// deterministic for a seed: the master (and the benchmark) feed them events as values and
// act on the decisions they return. No I/O, clocks, threads or globals.
//
// The protocol is ask/tell:
//   Ask(slots)            -> up to `slots` decisions to start work: new trials or promotions
//   TellReport(trial, ..) -> an intermediate metric value at a budget step; may stop trials
//   TellEnded(trial, ..)  -> the trial's run ended (completed its budget, failed, stopped)
// A trial is a point of the space run up to a budget; a promotion continues the same trial
// to a larger budget (the master runs it as a new job that resumes from the trial's
// checkpoint). The searcher's whole state is a JSON value (SaveState, and MakeSearcher with
// that state), kept in the database so that a restarted master continues the search where
// it stood.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"
#include "hpo/space.h"

namespace yard::hpo {

// How successive halving spends the budget (`budget.mode` in the spec).
enum class BudgetMode {
  // A trial runs to one rung, ends, and waits; the best of each rung are promoted (kPromote)
  // and resume from their checkpoint to the next rung. The default: see asha.h for why.
  kPromote,
  // A trial runs towards the full budget and is stopped (kStop) at a rung where its report
  // falls below the rung's top 1/eta. No checkpoints needed.
  kStop,
};

struct Budget {
  std::string param;     // a hyperparameter of the space, e.g. "epochs"
  double min = 1;        // > 0
  double max = 1;        // >= min
  double reduction = 3;  // eta > 1: rungs a factor eta apart ending at max (asha.h);
                         // keep the top 1/eta at each rung
  BudgetMode mode = BudgetMode::kPromote;
};

struct SearchConfig {
  std::string algorithm = "grid";  // grid | random | tpe | asha | hyperband | bohb
  std::string metric;              // may be empty only for grid
  bool maximize = true;            // `goal: maximize | minimize`
  int max_trials = 0;              // 0: grid size for grid; required (> 0) otherwise. Counts trials
                                   // created; promotions do not count
  int max_parallel = 0;  // 0: no limit from the sweep; else Ask never lets more run at once
  // Required for asha, hyperband, bohb. grid, random and tpe run every trial at budget.max.
  std::optional<Budget> budget;
  uint64_t seed = 0;  // `seed:`; the same seed gives the same trials
};

// True for the algorithms that need a budget: asha, hyperband, bohb.
bool UsesBudget(const std::string& algorithm);

// Checks and reads a spec's `search:` block against its space (a budget parameter that is not
// a hyperparameter, a missing metric, an unknown algorithm: errors that say so). Errors start
// with the field, `search.metric: ...`. Calls ValidateSearchConfig.
Result<SearchConfig> ParseSearchConfig(const Json& search, const SearchSpace& space);

// The checks of a config against its space that do not depend on JSON: what MakeSearcher
// needs to hold for configs built in code (the benchmark's, say).
Status ValidateSearchConfig(const SearchConfig& config, const SearchSpace& space);

enum class DecisionKind {
  kCreate,   // start a new trial with `hparams` (the budget parameter set to `budget`)
  kPromote,  // continue `trial` to `budget` (hparams carry the new budget)
  kStop,     // stop `trial` now: it ends STOPPED_EARLY and its GPU goes to the next trial
};

struct Decision {
  DecisionKind kind = DecisionKind::kCreate;
  int64_t trial = 0;  // the searcher's own trial number, 0, 1, 2, ...
  Json hparams;       // a full assignment of the space (kCreate, kPromote; kStop: the trial's)
  double budget = 0;  // the budget to run to (0 when there is no budget); kStop: the rung's
                      // budget at which the trial was judged
};

enum class TrialEnd {
  kCompleted,  // ran to its budget; its last reported value counts
  kFailed,     // crashed or was lost for good: ranked last
  kStopped,    // stopped early by a kStop decision
};

class Searcher {
 public:
  virtual ~Searcher() = default;

  // Decisions to start up to `slots` runs now (kCreate and kPromote only); never more than
  // config.max_parallel running at once, counting those already running. Fewer (or none)
  // when the searcher waits for results before it can decide. Every decision returned is
  // taken as started: the master must run it (or tell it ended, failed).
  virtual std::vector<Decision> Ask(int slots) = 0;

  // An intermediate result: `value` of the metric at `step` (in budget units, e.g. the epoch)
  // for a running trial. Steps count from the trial's start, not from its last promotion:
  // a trial promoted from 3 to 9 epochs reports steps 4 .. 9. NaN is allowed and ranks last. May
  // return kStop decisions (at most one per trial; the trial counts as running until TellEnded).
  // Reports for unknown or ended trials are ignored.
  virtual std::vector<Decision> TellReport(int64_t trial, double step, double value) = 0;

  // The trial's current run ended. `value` is its last reported value (NaN when none; the
  // searcher then falls back to the last value TellReport gave it for this run). A failed
  // trial ranks last. Unknown or already ended trials are ignored.
  virtual void TellEnded(int64_t trial, TrialEnd end, double value) = 0;

  // True when the search has nothing more to run: every trial it will ever create has been
  // created, none is running, and none waits for a promotion it can still get.
  virtual bool Finished() const = 0;

  // Everything the searcher knows (its trials, what they reported, its random generators):
  // MakeSearcher(space, config, SaveState()) continues exactly as this one would. A JSON
  // object with "version" and "algorithm"; NaN is written as null, infinities as "inf" and
  // "-inf".
  virtual Json SaveState() const = 0;
};

// Makes the searcher for a config (checked with ValidateSearchConfig); `state` (from
// SaveState, null for a new search) restores one mid-search. A state that does not fit the
// config (another algorithm, a malformed value) is an InvalidArgument error.
Result<std::unique_ptr<Searcher>> MakeSearcher(const SearchSpace& space, const SearchConfig& config,
                                               const Json& state = Json());

}  // namespace yard::hpo
