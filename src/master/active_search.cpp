#include "master/active_search.h"

#include "api/job_spec.h"

namespace yard {

int ActiveSearch::MaxParallel() const {
  if (config.max_parallel > 0) return config.max_parallel;
  // Grid and random gain nothing from waiting for results: all their trials go to the queue.
  // Adaptive searchers learn from finished trials, so by default only a few run at once.
  if (config.algorithm == "grid" || config.algorithm == "random") return 1 << 30;
  return 4;
}

Status DescribeSweep(const JobSpec& spec, Sweep& sweep) {
  YARD_ASSIGN_OR_RETURN(hpo::SearchSpace space, hpo::ParseSearchSpace(spec.hyperparameters));
  YARD_ASSIGN_OR_RETURN(
      hpo::SearchConfig config,
      hpo::ParseSearchConfig(spec.search.is_null() ? Json::object() : spec.search, space));
  sweep.algorithm = config.algorithm;
  sweep.metric = config.metric;
  sweep.maximize = config.maximize;
  return Status::Ok();
}

Result<ActiveSearch> MakeActiveSearch(const Sweep& sweep) {
  ActiveSearch search;
  search.sweep = sweep;
  YARD_ASSIGN_OR_RETURN(search.base, ParseJobSpec(sweep.spec));
  YARD_ASSIGN_OR_RETURN(search.space, hpo::ParseSearchSpace(search.base.hyperparameters));
  YARD_ASSIGN_OR_RETURN(
      search.config,
      hpo::ParseSearchConfig(search.base.search.is_null() ? Json::object() : search.base.search,
                             search.space));
  YARD_ASSIGN_OR_RETURN(search.searcher,
                        hpo::MakeSearcher(search.space, search.config, sweep.searcher_state));
  // `base` is what each trial's job starts from: without the space and search, rather than
  // copying a grid's value lists into every trial's job only to overwrite them (that made
  // queueing a grid quadratic in its size).
  search.base.hyperparameters = Json::object();
  search.base.search = Json();
  return search;
}

}  // namespace yard
