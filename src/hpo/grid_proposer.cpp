// Grid search's points: ExpandGrid over the space's grid axes and constants, so that a grid
// sweep run by a searcher has the same trials in the same order as the master's expansion.
#include "hpo/grid.h"
#include "hpo/proposer.h"

namespace yard::hpo {
namespace {

class GridProposer : public Proposer {
 public:
  explicit GridProposer(std::vector<Json> points) : points_(std::move(points)) {}

  // The point is a function of the trial's number alone: nothing to save.
  Json Propose(const History& history) override {
    auto n = static_cast<size_t>(history.created);
    return n < points_.size() ? points_[n] : points_.back();
  }
  bool LearnsFromHistory() const override { return false; }
  std::optional<int64_t> Capacity() const override { return static_cast<int64_t>(points_.size()); }
  Json SaveState() const override { return Json::object(); }
  Status LoadState(const Json&) override { return Status::Ok(); }

 private:
  std::vector<Json> points_;
};

}  // namespace

Result<std::unique_ptr<Proposer>> MakeGridProposer(const SearchSpace& space) {
  Json hyperparameters = Json::object();
  for (const Param& p : space.params) {
    if (p.type == ParamType::kConst)
      hyperparameters[p.name] = p.constant;
    else if (p.type == ParamType::kGrid)
      hyperparameters[p.name] = Json(p.values);
    else
      hyperparameters[p.name] = ValueFromUnit(p, 0.0);  // the budget parameter: overwritten
  }
  YARD_ASSIGN_OR_RETURN(std::vector<Json> points, ExpandGrid(hyperparameters));
  return std::unique_ptr<Proposer>(new GridProposer(std::move(points)));
}

}  // namespace yard::hpo
