// ParseSearchConfig and ValidateSearchConfig: the spec's `search:` block.
#include <cmath>
#include <string>

#include "hpo/searcher.h"

namespace yard::hpo {
namespace {

constexpr int64_t kMaxTrials = 100'000;
constexpr const char* kAlgorithms = "grid, random, tpe, asha, hyperband, bohb";

Status FieldError(const std::string& field, const std::string& why) {
  return InvalidArgument(field + ": " + why);
}

Result<int64_t> GetWhole(const Json& v, const std::string& field, int64_t min, int64_t max) {
  if (!v.is_number_integer())
    return FieldError(field, std::string("must be a whole number, not ") + v.type_name());
  bool too_big = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max);
  if (too_big || v.get<int64_t>() < min || v.get<int64_t>() > max)
    return FieldError(field, "must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + v.dump());
  return v.get<int64_t>();
}

Result<double> GetNumber(const Json& v, const std::string& field) {
  if (!v.is_number())
    return FieldError(field, std::string("must be a number, not ") + v.type_name());
  double x = v.get<double>();
  if (!std::isfinite(x)) return FieldError(field, "must be finite");
  return x;
}

Result<std::string> GetString(const Json& v, const std::string& field) {
  if (!v.is_string())
    return FieldError(field, std::string("must be a string, not ") + v.type_name());
  return v.get<std::string>();
}

Result<Budget> ParseBudget(const Json& v) {
  if (!v.is_object())
    return FieldError("search.budget", std::string("must be a mapping {param, min, max, "
                                                   "reduction}, not ") +
                                           v.type_name());
  Budget b;
  for (const auto& [key, value] : v.items()) {
    std::string field = "search.budget." + key;
    if (key == "param") {
      YARD_ASSIGN_OR_RETURN(b.param, GetString(value, field));
    } else if (key == "min") {
      YARD_ASSIGN_OR_RETURN(b.min, GetNumber(value, field));
    } else if (key == "max") {
      YARD_ASSIGN_OR_RETURN(b.max, GetNumber(value, field));
    } else if (key == "reduction") {
      YARD_ASSIGN_OR_RETURN(b.reduction, GetNumber(value, field));
    } else if (key == "mode") {
      // Not a string: GetString's error; a string: one of the two modes.
      bool promote = value == "promote";
      if (!promote && value != "stop")
        return value.is_string()
                   ? FieldError(field, "must be 'promote' or 'stop', not " + value.dump())
                   : GetString(value, field).status();
      b.mode = promote ? BudgetMode::kPromote : BudgetMode::kStop;
    } else {
      return FieldError(field, "is not a known field (known: param, min, max, reduction, mode)");
    }
  }
  for (const char* required : {"param", "min", "max"})
    if (!v.contains(required))
      return FieldError("search.budget", std::string("missing ") + required);
  return b;
}

bool IsWholeNumber(double x) { return std::floor(x) == x; }

Status ValidateBudget(const Budget& b, const SearchSpace& space) {
  const Param* p = space.Find(b.param);
  if (!p) return InvalidArgument("search.budget.param '" + b.param + "' is not a hyperparameter");
  bool numeric_const = p->type == ParamType::kConst && p->constant.is_number();
  if (p->type != ParamType::kInt && p->type != ParamType::kFloat && !numeric_const)
    return InvalidArgument("search.budget.param '" + b.param +
                           "' must be a number or an int/float range, not a " +
                           (p->type == ParamType::kConst ? std::string("non-numeric constant")
                                                         : ParamTypeName(p->type)));
  if (!(b.min > 0)) return FieldError("search.budget.min", "must be > 0, not " + NumberText(b.min));
  if (b.min > b.max)
    return FieldError("search.budget", "min (" + NumberText(b.min) + ") is greater than max (" +
                                           NumberText(b.max) + ")");
  if (!(b.reduction > 1))
    return FieldError("search.budget.reduction", "must be > 1, not " + NumberText(b.reduction));
  bool integral = p->type == ParamType::kInt || (numeric_const && p->constant.is_number_integer());
  if (integral && (!IsWholeNumber(b.min) || !IsWholeNumber(b.max)))
    return FieldError("search.budget",
                      "min and max must be whole numbers: '" + b.param + "' is a whole number");
  return Status::Ok();
}

}  // namespace

bool UsesBudget(const std::string& algorithm) {
  return algorithm == "asha" || algorithm == "hyperband" || algorithm == "bohb";
}

Status ValidateSearchConfig(const SearchConfig& c, const SearchSpace& space) {
  const std::string& a = c.algorithm;
  if (a != "grid" && a != "random" && a != "tpe" && !UsesBudget(a))
    return FieldError("search.algorithm", "'" + a + "' is not known (known: " + kAlgorithms + ")");
  if (c.metric.empty() && a != "grid")
    return FieldError("search.metric", "is required for algorithm '" + a + "'");
  if (c.max_trials < 0 || c.max_trials > kMaxTrials)
    return FieldError("search.max_trials", "must be between 1 and " + std::to_string(kMaxTrials));
  if (c.max_trials == 0 && a != "grid")
    return FieldError("search.max_trials", "is required (> 0) for algorithm '" + a + "'");
  if (c.max_parallel < 0) return FieldError("search.max_parallel", "must not be negative");
  if (UsesBudget(a) && !c.budget)
    return FieldError("search.budget",
                      "is required for algorithm '" + a + "': {param, min, max, reduction}");
  if (c.budget) YARD_RETURN_IF_ERROR(ValidateBudget(*c.budget, space));
  int searchable = 0;
  for (const Param& p : space.params) {
    if (c.budget && p.name == c.budget->param) continue;
    if (a == "grid" && p.type != ParamType::kConst && p.type != ParamType::kGrid)
      return InvalidArgument(
          "grid search needs lists or constants; use random/tpe for ranges (hyperparameters." +
          p.name + " is a " + ParamTypeName(p.type) + ")");
    if (p.type != ParamType::kConst) ++searchable;
  }
  if (a != "grid" && searchable == 0)
    return InvalidArgument("search: algorithm '" + a +
                           "' has nothing to search: every hyperparameter is a constant" +
                           (c.budget ? " or the budget" : ""));
  return Status::Ok();
}

Result<SearchConfig> ParseSearchConfig(const Json& search, const SearchSpace& space) {
  SearchConfig c;
  if (search.is_null()) {
    YARD_RETURN_IF_ERROR(ValidateSearchConfig(c, space));
    return c;
  }
  if (!search.is_object())
    return FieldError("search", std::string("must be a mapping, not ") + search.type_name());
  for (const auto& [key, value] : search.items()) {
    std::string field = "search." + key;
    if (key == "algorithm") {
      YARD_ASSIGN_OR_RETURN(c.algorithm, GetString(value, field));
    } else if (key == "metric") {
      YARD_ASSIGN_OR_RETURN(c.metric, GetString(value, field));
      if (c.metric.empty()) return FieldError(field, "is empty");
    } else if (key == "goal") {
      YARD_ASSIGN_OR_RETURN(std::string goal, GetString(value, field));
      if (goal != "maximize" && goal != "minimize")
        return FieldError(field, "must be 'maximize' or 'minimize', not '" + goal + "'");
      c.maximize = goal == "maximize";
    } else if (key == "max_trials") {
      YARD_ASSIGN_OR_RETURN(int64_t n, GetWhole(value, field, 1, kMaxTrials));
      c.max_trials = static_cast<int>(n);
    } else if (key == "max_parallel") {
      YARD_ASSIGN_OR_RETURN(int64_t n, GetWhole(value, field, 1, kMaxTrials));
      c.max_parallel = static_cast<int>(n);
    } else if (key == "budget") {
      YARD_ASSIGN_OR_RETURN(c.budget, ParseBudget(value));
    } else if (key == "seed") {
      if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0))
        return FieldError(field, "must be a whole number >= 0, not " + value.dump());
      c.seed = value.get<uint64_t>();
    } else {
      return FieldError(field,
                        "is not a known field (known: algorithm, metric, goal, max_trials, "
                        "max_parallel, budget, seed)");
    }
  }
  YARD_RETURN_IF_ERROR(ValidateSearchConfig(c, space));
  return c;
}

}  // namespace yard::hpo
