// grid, random and tpe: every trial runs once, at the full budget, and the searcher only
// chooses points (through a Proposer) and keeps count.
#pragma once

#include <memory>

#include "hpo/proposer.h"
#include "hpo/searcher.h"

namespace yard::hpo {

// `proposer` chooses the points; the searcher stops at config.max_trials (when > 0) or the
// proposer's capacity, whichever is smaller. `state`: null for a new search, else what
// SaveState wrote; throws Json exceptions when it is malformed.
Result<std::unique_ptr<Searcher>> MakeSequentialSearcher(const SearchSpace& space,
                                                         const SearchConfig& config,
                                                         std::unique_ptr<Proposer> proposer,
                                                         const Json& state);

}  // namespace yard::hpo
