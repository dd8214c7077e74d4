// asha, hyperband and bohb: successive halving over the budget parameter (asha.h), in one
// bracket (asha) or Hyperband's brackets (hyperband, bohb: hyperband.h), new trials from
// Sobol points (asha, hyperband) or from TPE (bohb, after Falkner et al. 2018) fitted on
// the results at the highest rung with enough of them, and on the rungs below it where they
// rank trials as that rung does (MultiFidelitySearcher::BuildHistory).
#pragma once

#include <memory>

#include "hpo/searcher.h"

namespace yard::hpo {

// config.algorithm is asha, hyperband or bohb, with a budget (ValidateSearchConfig holds).
// `state`: null for a new search, else what SaveState wrote; throws Json exceptions when it
// is malformed.
Result<std::unique_ptr<Searcher>> MakeMultiFidelitySearcher(const SearchSpace& space,
                                                            const SearchConfig& config,
                                                            const Json& state);

}  // namespace yard::hpo
