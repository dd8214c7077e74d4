// A sweep whose search is under way: its searcher and what the master needs to turn the
// searcher's decisions into jobs. The master keeps one per ACTIVE sweep, rebuilt from the
// sweep's row (spec and searcher state) after a restart.
#pragma once

#include <map>
#include <memory>

#include "api/types.h"
#include "common/status.h"
#include "hpo/searcher.h"
#include "hpo/space.h"

namespace yard {

struct ActiveSearch {
  Sweep sweep;
  JobSpec base;  // the validated spec; placeholders unfilled
  hpo::SearchSpace space;
  hpo::SearchConfig config;
  std::unique_ptr<hpo::Searcher> searcher;
  std::map<int64_t, int64_t> trial_job;  // trial -> the job running (or last ran) it

  // How many of its jobs may be unfinished at once.
  int MaxParallel() const;
};

// Reads a sweep's spec into a search; `state` continues a search that was under way.
Result<ActiveSearch> MakeActiveSearch(const Sweep& sweep);

// The sweep's fields that come from its spec: algorithm, metric, goal.
Status DescribeSweep(const JobSpec& spec, Sweep& sweep);

}  // namespace yard
