// What searchers share: which parameters they choose, how a point is built from unit-cube
// coordinates, how results rank, and how numbers that may be NaN go into the saved state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.h"
#include "hpo/searcher.h"
#include "hpo/space.h"

namespace yard::hpo {

// The parameters a searcher chooses, in name order: every one but the constants and the
// budget parameter (whose value the searcher sets from the budget).
std::vector<const Param*> SearchDims(const SearchSpace& space, const SearchConfig& config);

// A full assignment of the space: constants as they are, dims[i] from u[i] by ValueFromUnit.
// The budget parameter, if any, is left as the space has it (its constant, or its range's
// value at u = 0) for the searcher to overwrite.
Json PointFromUnit(const SearchSpace& space, const std::vector<const Param*>& dims,
                   const std::vector<double>& u);

// The JSON form of a budget for `param`: an integer for ints and integer constants, so that a
// command line reads `--epochs 3`, not `--epochs 3.0`.
Json BudgetValue(const SearchSpace& space, const std::string& param, double budget);

// How a result ranks, higher better whatever the goal: NaN (no result, a failed trial) is
// -inf, below every real value.
double Score(double value, bool maximize);

// A double as JSON, which has no NaN or infinities: NaN is null, infinities "inf" and "-inf".
Json NumberOrNull(double x);
// The inverse; throws Json::type_error for anything else (MakeSearcher turns that into an
// InvalidArgument: a malformed saved state).
double NumberFromJson(const Json& v);

}  // namespace yard::hpo
