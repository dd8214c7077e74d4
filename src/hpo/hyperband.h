// Hyperband (Li et al. 2017) run asynchronously: several ASHA brackets over the same rungs,
// bracket b starting its trials at rung b. Bracket 0 halves most aggressively; the last
// bracket runs every trial at the full budget, like random search, which protects the
// search when small budgets mislead. Trials are spread over brackets in Hyperband's
// proportions.
#pragma once

#include <cstdint>
#include <vector>

namespace yard::hpo {

// Hyperband's number of configurations per bracket for `rungs` rungs, bracket b (with
// s = rungs - 1 - b halvings): ceil((s_max + 1) / (s + 1) * eta^s).
std::vector<double> BracketWeights(int rungs, double eta);

// The bracket of the next trial, given how many trials each bracket has: the one furthest
// behind its share, argmin (count_b + 1) / weight_b (the first on ties). Deterministic and
// a function of the counts alone, so nothing more needs saving.
int NextBracket(const std::vector<double>& weights, const std::vector<int64_t>& counts);

}  // namespace yard::hpo
