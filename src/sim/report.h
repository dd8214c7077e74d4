// The simulator's results as JSON, and the comparison against a baseline that the targets need
// (which groups wait longer at the 99th percentile than under the baseline).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace yard::sim {

// Groups whose p99 wait under `result` is above their p99 wait under `baseline`.
std::vector<std::string> GroupsWorseThan(const SimResult& result, const SimResult& baseline);

nlohmann::json ToJson(const SimResult& result);

// "3h 12m", "45s": a duration for people.
std::string HumanSeconds(double seconds);

}  // namespace yard::sim
