// Spearman's rank correlation: how far two lists of results put the same items in the same
// order. BOHB uses it to decide whether a rung's results say anything about the full budget's.
#pragma once

#include <vector>

namespace yard::hpo {

// Pearson's correlation of the ranks of x and y (pairs x[i], y[i]; ties get their average
// rank; -inf ranks lowest), in [-1, 1]. 0 when there are fewer than 3 pairs, when either
// side is constant, or when the sizes differ.
double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace yard::hpo
