// Grid search: the hyperparameters given as lists are axes, and every point of their cross
// product is one trial. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard {

// The largest grid one submission may create.
inline constexpr size_t kMaxGridPoints = 100'000;

// True when the spec has a list-valued hyperparameter or a search block: it makes a sweep.
bool IsSweep(const JobSpec& spec);

// Every point of the grid, each a full assignment of the hyperparameters (constants too), in
// a stable order: the last axis (by name) varies fastest. TooLarge over kMaxGridPoints.
Result<std::vector<Json>> ExpandGrid(const Json& hyperparameters);

// The spec of one trial: {name} placeholders in command and env replaced by the point's
// values. Values go into words whole, so a value can never add a word or an option.
JobSpec FillPlaceholders(const JobSpec& spec, const Json& point);

// "0.1" for 0.1, "32" for 32, "adam" for "adam": how a value reads in a command line.
std::string ValueText(const Json& value);

}  // namespace yard
