// Hyperband (Li et al. 2017) run asynchronously: several ASHA brackets over the same rungs,
// bracket b starting its trials at rung b. Bracket 0 halves most aggressively; the last
// bracket runs every trial at the full budget, like random search, which protects the
// search when small budgets mislead. Trials are spread over brackets in Hyperband's
// proportions: interleaved (NextBracket, hyperband) or iteration by iteration
// (IterationBracket, bohb).
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

// The bracket of trial n (0-based) when trials are made as in Hyperband's iterations (and
// BOHB's, Falkner et al. 2018): weights[0] trials of bracket 0, then weights[1] of bracket 1,
// and so on, over again. The most aggressive bracket comes first, so each iteration's early
// trials find good regions cheaply and the later brackets, whose trials start at larger
// budgets, guard against small budgets that mislead. Weights are whole numbers
// (BracketWeights).
int IterationBracket(const std::vector<double>& weights, int64_t n);

}  // namespace yard::hpo
