#include "hpo/encoding.h"

#include <cmath>
#include <limits>

namespace yard::hpo {

std::vector<const Param*> SearchDims(const SearchSpace& space, const SearchConfig& config) {
  std::vector<const Param*> dims;
  for (const Param& p : space.params) {
    if (p.type == ParamType::kConst) continue;
    if (config.budget && p.name == config.budget->param) continue;
    dims.push_back(&p);
  }
  return dims;
}

Json PointFromUnit(const SearchSpace& space, const std::vector<const Param*>& dims,
                   const std::vector<double>& u) {
  Json point = Json::object();
  for (const Param& p : space.params) point[p.name] = ValueFromUnit(p, 0.0);
  for (size_t i = 0; i < dims.size() && i < u.size(); ++i)
    point[dims[i]->name] = ValueFromUnit(*dims[i], u[i]);
  return point;
}

Json BudgetValue(const SearchSpace& space, const std::string& param, double budget) {
  const Param* p = space.Find(param);
  bool integral = p && (p->type == ParamType::kInt ||
                        (p->type == ParamType::kConst && p->constant.is_number_integer()));
  if (integral) return static_cast<int64_t>(std::llround(budget));
  return budget;
}

double Score(double value, bool maximize) {
  if (std::isnan(value)) return -std::numeric_limits<double>::infinity();
  return maximize ? value : -value;
}

Json NumberOrNull(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

double NumberFromJson(const Json& v) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (v == "inf") return std::numeric_limits<double>::infinity();
  if (v == "-inf") return -std::numeric_limits<double>::infinity();
  return v.get<double>();
}

}  // namespace yard::hpo
