// Random search's points: scrambled Sobol over the search dims, mapped by ValueFromUnit.
#include "hpo/encoding.h"
#include "hpo/proposer.h"
#include "hpo/sobol.h"

namespace yard::hpo {
namespace {

class SobolProposer : public Proposer {
 public:
  SobolProposer(const SearchSpace& space, const SearchConfig& config)
      : space_(space),
        dims_(SearchDims(space_, config)),
        sobol_(static_cast<int>(dims_.size()), config.seed) {}
  SobolProposer(const SobolProposer&) = delete;  // dims_ points into space_
  SobolProposer& operator=(const SobolProposer&) = delete;

  Json Propose(const History&) override {
    return PointFromUnit(space_, dims_, sobol_.Point(next_++));
  }
  bool LearnsFromHistory() const override { return false; }
  Json SaveState() const override { return {{"next", next_}}; }
  Status LoadState(const Json& state) override {
    next_ = state.at("next").get<uint64_t>();
    return Status::Ok();
  }

 private:
  SearchSpace space_;  // dims_ points into it
  std::vector<const Param*> dims_;
  Sobol sobol_;
  uint64_t next_ = 0;
};

}  // namespace

std::unique_ptr<Proposer> MakeSobolProposer(const SearchSpace& space, const SearchConfig& config) {
  return std::make_unique<SobolProposer>(space, config);
}

}  // namespace yard::hpo
