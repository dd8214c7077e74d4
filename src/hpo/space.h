// A search space: the hyperparameters of a sweep and what values each may take. Parsed from
// the spec's `hyperparameters:` block; pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard::hpo {

enum class ParamType {
  kConst,   // `epochs: 27`: the same in every trial
  kGrid,    // `lr: [0.1, 0.01]`: a list of values, every one tried by grid search; other
            // searchers treat it like a choice
  kInt,     // {type: int, min, max, step?}
  kFloat,   // {type: float, min, max, step?}: uniform on [min, max]
  kLog,     // {type: log, min, max}: uniform in log space, min > 0
  kChoice,  // {type: choice, values: [...]}
};

// "const", "grid", "int", "float", "log", "choice": how messages name a type.
const char* ParamTypeName(ParamType type);
// How messages show a number: "2" for 2.0 (as the user wrote it), "0.1", "1e-05".
std::string NumberText(double x);

struct Param {
  std::string name;
  ParamType type = ParamType::kConst;
  double min = 0;  // kInt, kFloat, kLog; kInt bounds are whole numbers
  double max = 0;
  std::optional<double> step;  // kInt (a whole number >= 1), kFloat; never kLog
  std::vector<Json> values;    // kGrid, kChoice: never empty, scalars only
  Json constant;               // kConst: a number, string or boolean
};

// Choices and grid axes: values with no order, searched by index.
bool IsCategorical(const Param& param);
// How many values the parameter can take: 1 for a constant, the list's length for choices
// and grid axes, the number of steps for ints and stepped floats; 0 for a continuum (an
// unstepped float or a log range).
int64_t Cardinality(const Param& param);

struct SearchSpace {
  std::vector<Param> params;  // sorted by name
  const Param* Find(const std::string& name) const;
};

// Checks and reads a `hyperparameters:` mapping. A scalar is a constant, a list a grid axis,
// a mapping {type: ...} a range or a choice. Errors start with `hyperparameters.NAME: ` and
// say what is wrong: an empty choice or grid axis, min > max, a log range with min <= 0, an
// unknown or missing type, a missing min/max, step <= 0 (or a fractional step for an int),
// unknown fields. An empty mapping is refused too: a search needs something to search.
Result<SearchSpace> ParseSearchSpace(const Json& hyperparameters);

// Where a unit-cube coordinate u in [0, 1) lands for a parameter. The interval is cut into
// Cardinality(param) equal buckets for discrete parameters (ints, stepped floats, choices,
// grid axes), so every value is equally likely under uniform u; floats are linear in u and
// log ranges exponential. Ints come back as JSON integers, floats as JSON floats rounded to
// 12 significant digits (0.3, not 0.30000000000000004) and kept within [min, max]. u outside
// [0, 1) is clamped; NaN counts as 0. Bit-identical on every machine (no libm calls).
Json ValueFromUnit(const Param& param, double u);
// The inverse, for a value of the parameter: discrete values give their bucket's centre,
// numbers outside [min, max] clamp to the nearest end, constants give 0.5. A value the
// parameter cannot take (not a number for a numeric parameter, not in the list for a choice)
// gives NaN.
double UnitFromValue(const Param& param, const Json& value);

}  // namespace yard::hpo
