// MakeSearcher: the searcher for an algorithm, new or restored from its saved state.
#include <string>

#include "hpo/multi_fidelity_searcher.h"
#include "hpo/proposer.h"
#include "hpo/searcher.h"
#include "hpo/sequential_searcher.h"

namespace yard::hpo {
namespace {

Result<std::unique_ptr<Searcher>> Make(const SearchSpace& space, const SearchConfig& config,
                                       const Json& state) {
  const std::string& a = config.algorithm;
  if (UsesBudget(a)) return MakeMultiFidelitySearcher(space, config, state);
  std::unique_ptr<Proposer> proposer;
  if (a == "grid") {
    YARD_ASSIGN_OR_RETURN(proposer, MakeGridProposer(space));
  } else if (a == "random") {
    proposer = MakeSobolProposer(space, config);
  } else {
    TpeProposerOptions options;
    options.startup_trials = TpeStartupTrials(config.max_trials);
    options.restart_after = kTpeRestartAfter;
    proposer = MakeTpeProposer(space, config, options);
  }
  return MakeSequentialSearcher(space, config, std::move(proposer), state);
}

}  // namespace

Result<std::unique_ptr<Searcher>> MakeSearcher(const SearchSpace& space, const SearchConfig& config,
                                               const Json& state) {
  YARD_RETURN_IF_ERROR(ValidateSearchConfig(config, space));
  if (!state.is_null()) {
    if (!state.is_object() || state.value("version", 0) != 1)
      return InvalidArgument("saved searcher state: not a version 1 state");
    if (state.value("algorithm", "") != config.algorithm)
      return InvalidArgument("saved searcher state is for algorithm '" +
                             state.value("algorithm", "") + "', not '" + config.algorithm + "'");
  }
  // Loading reads the state with nlohmann's checked accessors, which throw on a missing
  // field or a wrong type: a corrupt state becomes an error here, never an exception for
  // the caller.
  try {
    return Make(space, config, state);
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("saved searcher state is malformed: ") + e.what());
  }
}

}  // namespace yard::hpo
