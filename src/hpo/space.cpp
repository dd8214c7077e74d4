#include "hpo/space.h"

#include <cmath>
#include <limits>

#include "hpo/detmath.h"

namespace yard::hpo {
namespace {

// Ints beyond 2^53 cannot be told apart as doubles.
constexpr double kMaxWholeNumber = 9007199254740992.0;
// Floats are rounded so that a command line reads 0.3, not 0.30000000000000004.
constexpr int kFloatDigits = 12;

Status ParamError(const std::string& name, const std::string& why) {
  return InvalidArgument("hyperparameters." + name + ": " + why);
}

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

Result<double> GetNumber(const Json& spec, const std::string& name, const char* field) {
  if (!spec.contains(field)) return ParamError(name, std::string("missing ") + field);
  const Json& v = spec[field];
  if (!v.is_number())
    return ParamError(name, std::string(field) + " must be a number, not " + v.type_name());
  double x = v.get<double>();
  if (!std::isfinite(x)) return ParamError(name, std::string(field) + " must be finite");
  return x;
}

bool IsWhole(double x) { return std::floor(x) == x && std::fabs(x) <= kMaxWholeNumber; }

// Steps from min that stay within max, counting min itself; a hair of tolerance so that
// {min: 0, max: 1, step: 0.1} has 11 values despite 1 / 0.1 being 9.999999999999998.
int64_t StepCount(double min, double max, double step) {
  double q = (max - min) / step;
  double whole = std::floor(q);
  if (q - whole > 1 - 1e-9) whole += 1;
  return static_cast<int64_t>(whole) + 1;
}

Status ParseRange(const Json& spec, Param& p) {
  YARD_ASSIGN_OR_RETURN(p.min, GetNumber(spec, p.name, "min"));
  YARD_ASSIGN_OR_RETURN(p.max, GetNumber(spec, p.name, "max"));
  if (p.min > p.max)
    return ParamError(
        p.name, "min (" + NumberText(p.min) + ") is greater than max (" + NumberText(p.max) + ")");
  if (p.type == ParamType::kLog && p.min <= 0)
    return ParamError(p.name, "a log range needs min > 0, not " + NumberText(p.min));
  if (p.type == ParamType::kInt && (!IsWhole(p.min) || !IsWhole(p.max)))
    return ParamError(p.name, "min and max of an int must be whole numbers");
  if (spec.contains("step")) {
    if (p.type == ParamType::kLog)
      return ParamError(p.name, "step is not supported for a log range (use int or float)");
    YARD_ASSIGN_OR_RETURN(double step, GetNumber(spec, p.name, "step"));
    if (step <= 0) return ParamError(p.name, "step must be > 0, not " + NumberText(step));
    if (p.type == ParamType::kInt && !IsWhole(step))
      return ParamError(p.name, "step of an int must be a whole number, not " + NumberText(step));
    p.step = step;
  }
  return Status::Ok();
}

Result<Param> ParseTyped(const std::string& name, const Json& spec) {
  Param p;
  p.name = name;
  if (!spec.contains("type"))
    return ParamError(name, "missing type (known: int, float, log, choice)");
  if (!spec["type"].is_string())
    return ParamError(name, std::string("type must be a string, not ") + spec["type"].type_name());
  const std::string& type = spec["type"].get_ref<const std::string&>();
  const char* known = nullptr;
  if (type == "int" || type == "float") {
    p.type = type == "int" ? ParamType::kInt : ParamType::kFloat;
    known = "type, min, max, step";
  } else if (type == "log") {
    p.type = ParamType::kLog;
    known = "type, min, max";
  } else if (type == "choice") {
    p.type = ParamType::kChoice;
    known = "type, values";
  } else {
    return ParamError(name, "unknown type '" + type + "' (known: int, float, log, choice)");
  }
  for (const auto& [key, value] : spec.items()) {
    bool ok = key == "type" ||
              (p.type == ParamType::kChoice ? key == "values"
                                            : key == "min" || key == "max" || key == "step");
    if (!ok)
      return ParamError(name,
                        "'" + key + "' is not a field of type " + type + " (known: " + known + ")");
  }
  if (p.type != ParamType::kChoice) {
    YARD_RETURN_IF_ERROR(ParseRange(spec, p));
    return p;
  }
  if (!spec.contains("values")) return ParamError(name, "a choice needs values: [...]");
  const Json& values = spec["values"];
  if (!values.is_array())
    return ParamError(name, std::string("values must be a list, not ") + values.type_name());
  if (values.empty()) return ParamError(name, "empty choice: values needs at least one value");
  for (const Json& v : values) {
    if (!IsScalar(v)) return ParamError(name, "choice values must be numbers, strings or booleans");
    p.values.push_back(v);
  }
  return p;
}

Result<Param> ParseParam(const std::string& name, const Json& spec) {
  if (spec.is_object()) return ParseTyped(name, spec);
  Param p;
  p.name = name;
  if (spec.is_array()) {
    if (spec.empty()) return ParamError(name, "empty grid axis");
    for (const Json& v : spec) {
      if (!IsScalar(v)) return ParamError(name, "grid values must be numbers, strings or booleans");
      p.values.push_back(v);
    }
    p.type = ParamType::kGrid;
    return p;
  }
  if (!IsScalar(spec) || (spec.is_number_float() && !std::isfinite(spec.get<double>())))
    return ParamError(
        name, std::string("must be a value, a list or {type: ...}, not ") + spec.type_name());
  p.type = ParamType::kConst;
  p.constant = spec;
  return p;
}

// The index of the bucket u falls in, of n equal buckets of [0, 1).
int64_t Bucket(double u, int64_t n) {
  auto i = static_cast<int64_t>(std::floor(u * static_cast<double>(n)));
  return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

double BucketCentre(int64_t i, int64_t n) {
  return (static_cast<double>(i) + 0.5) / static_cast<double>(n);
}

double Clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

}  // namespace

std::string NumberText(double x) {
  if (std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<int64_t>(x));
  return Json(x).dump();
}

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kConst:
      return "const";
    case ParamType::kGrid:
      return "grid";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kLog:
      return "log";
    case ParamType::kChoice:
      return "choice";
  }
  return "?";
}

bool IsCategorical(const Param& param) {
  return param.type == ParamType::kGrid || param.type == ParamType::kChoice;
}

int64_t Cardinality(const Param& param) {
  switch (param.type) {
    case ParamType::kConst:
      return 1;
    case ParamType::kGrid:
    case ParamType::kChoice:
      return static_cast<int64_t>(param.values.size());
    case ParamType::kInt:
      return StepCount(param.min, param.max, param.step.value_or(1));
    case ParamType::kFloat:
      return param.step ? StepCount(param.min, param.max, *param.step) : 0;
    case ParamType::kLog:
      return 0;
  }
  return 0;
}

const Param* SearchSpace::Find(const std::string& name) const {
  for (const auto& p : params)
    if (p.name == name) return &p;
  return nullptr;
}

Result<SearchSpace> ParseSearchSpace(const Json& hyperparameters) {
  if (!hyperparameters.is_object())
    return InvalidArgument(
        std::string("hyperparameters: must be a mapping of name to value, not ") +
        hyperparameters.type_name());
  if (hyperparameters.empty())
    return InvalidArgument("hyperparameters: a search needs at least one hyperparameter");
  SearchSpace space;
  // nlohmann's object is a std::map: items() come sorted by name already.
  for (const auto& [name, spec] : hyperparameters.items()) {
    YARD_ASSIGN_OR_RETURN(Param p, ParseParam(name, spec));
    space.params.push_back(std::move(p));
  }
  return space;
}

Json ValueFromUnit(const Param& param, double u) {
  u = std::isnan(u) ? 0.0 : Clamp(u, 0.0, 1.0);
  switch (param.type) {
    case ParamType::kConst:
      return param.constant;
    case ParamType::kGrid:
    case ParamType::kChoice: {
      int64_t n = static_cast<int64_t>(param.values.size());
      return param.values[static_cast<size_t>(Bucket(u, n))];
    }
    case ParamType::kInt: {
      int64_t step = static_cast<int64_t>(param.step.value_or(1));
      int64_t i = Bucket(u, Cardinality(param));
      return static_cast<int64_t>(param.min) + i * step;
    }
    case ParamType::kFloat: {
      double x = param.step
                     ? param.min + static_cast<double>(Bucket(u, Cardinality(param))) * *param.step
                     : param.min + u * (param.max - param.min);
      return Clamp(RoundSignificant(x, kFloatDigits), param.min, param.max);
    }
    case ParamType::kLog: {
      double lo = DetLog(param.min);
      double x = DetExp(lo + u * (DetLog(param.max) - lo));
      return Clamp(RoundSignificant(x, kFloatDigits), param.min, param.max);
    }
  }
  return Json();
}

double UnitFromValue(const Param& param, const Json& value) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  switch (param.type) {
    case ParamType::kConst:
      return 0.5;
    case ParamType::kGrid:
    case ParamType::kChoice: {
      int64_t n = static_cast<int64_t>(param.values.size());
      for (int64_t i = 0; i < n; ++i)
        if (param.values[static_cast<size_t>(i)] == value) return BucketCentre(i, n);
      return kNaN;
    }
    case ParamType::kInt:
    case ParamType::kFloat:
    case ParamType::kLog:
      break;
  }
  if (!value.is_number()) return kNaN;
  double x = value.get<double>();
  if (std::isnan(x)) return kNaN;
  if (param.type == ParamType::kLog) {
    if (param.min == param.max) return 0.5;
    if (x <= param.min) return 0.0;
    double lo = DetLog(param.min);
    return Clamp((DetLog(x) - lo) / (DetLog(param.max) - lo), 0.0, 1.0);
  }
  int64_t n = Cardinality(param);
  if (n > 0) {
    double step = param.step.value_or(1);
    auto i = static_cast<int64_t>(std::floor((x - param.min) / step + 0.5));
    return BucketCentre(i < 0 ? 0 : (i >= n ? n - 1 : i), n);
  }
  if (param.min == param.max) return 0.5;
  return Clamp((x - param.min) / (param.max - param.min), 0.0, 1.0);
}

}  // namespace yard::hpo
