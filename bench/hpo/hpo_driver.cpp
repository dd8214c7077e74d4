// yard_hpo_driver: the searchers of src/hpo behind a JSON-lines protocol on stdin/stdout, so
// that the benchmark (bench/hpo/bench.py) drives the very code the master runs. One request a
// line in, one answer a line out, in order:
//
//   {"op":"init","hyperparameters":{...},"search":{...},"state":...}  -> {"ok":true}
//       `search` is the spec's search block; a "seed" in it sets SearchConfig::seed. `state`
//       (optional, from "save") restores a searcher mid-search.
//   {"op":"ask","slots":N}                        -> {"decisions":[D, ...]}
//   {"op":"report","trial":T,"step":S,"value":V}  -> {"decisions":[D, ...]}  (stops, usually)
//   {"op":"ended","trial":T,"end":"completed|failed|stopped","value":V} -> {"ok":true}
//   {"op":"finished"}                             -> {"finished":true|false}
//   {"op":"save"}                                 -> {"state":...}
//
// where D is {"kind":"create|promote|stop","trial":T,"hparams":{...},"budget":B}. A value that
// is null or missing is NaN. Anything that goes wrong answers {"error":"..."} and the driver
// reads the next line. Pure apart from stdin/stdout: it links only yard_hpo.
#include <cmath>
#include <cstdint>
#include <exception>
#include <iostream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hpo/searcher.h"
#include "hpo/space.h"

namespace {

using yard::Json;
namespace hpo = yard::hpo;

Json Error(const std::string& message) { return Json{{"error", message}}; }

const char* KindName(hpo::DecisionKind kind) {
  switch (kind) {
    case hpo::DecisionKind::kCreate:
      return "create";
    case hpo::DecisionKind::kPromote:
      return "promote";
    case hpo::DecisionKind::kStop:
      return "stop";
  }
  return "unknown";
}

Json DecisionsJson(const std::vector<hpo::Decision>& decisions) {
  Json list = Json::array();
  for (const auto& d : decisions) {
    list.push_back(Json{{"kind", KindName(d.kind)},
                        {"trial", d.trial},
                        {"hparams", d.hparams.is_null() ? Json::object() : d.hparams},
                        {"budget", d.budget}});
  }
  return Json{{"decisions", std::move(list)}};
}

// A metric value: a number, or NaN for null, a missing field or the strings "nan"/"NaN".
double ValueOf(const Json& request, const char* key) {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (s == "nan" || s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  }
  throw std::invalid_argument(std::string("\"") + key + "\" must be a number or null");
}

int64_t TrialOf(const Json& request) {
  auto it = request.find("trial");
  if (it == request.end() || !it->is_number_integer()) {
    throw std::invalid_argument("\"trial\" must be an integer");
  }
  return it->get<int64_t>();
}

class Driver {
 public:
  Json Handle(const Json& request) {
    if (!request.is_object()) return Error("a request is a JSON object");
    auto op_it = request.find("op");
    if (op_it == request.end() || !op_it->is_string()) return Error("\"op\" must be a string");
    const std::string op = op_it->get<std::string>();
    if (op == "init") return Init(request);
    if (searcher_ == nullptr) return Error("no search yet: send {\"op\":\"init\",...} first");
    if (op == "ask") {
      int slots = request.value("slots", 1);
      if (slots < 0) return Error("\"slots\" must be >= 0");
      return DecisionsJson(searcher_->Ask(slots));
    }
    if (op == "report") {
      double step = ValueOf(request, "step");
      if (std::isnan(step)) return Error("\"step\" must be a number");
      return DecisionsJson(
          searcher_->TellReport(TrialOf(request), step, ValueOf(request, "value")));
    }
    if (op == "ended") {
      const std::string end = request.value("end", "");
      hpo::TrialEnd how;
      if (end == "completed") {
        how = hpo::TrialEnd::kCompleted;
      } else if (end == "failed") {
        how = hpo::TrialEnd::kFailed;
      } else if (end == "stopped") {
        how = hpo::TrialEnd::kStopped;
      } else {
        return Error("\"end\" must be completed, failed or stopped");
      }
      searcher_->TellEnded(TrialOf(request), how, ValueOf(request, "value"));
      return Json{{"ok", true}};
    }
    if (op == "finished") return Json{{"finished", searcher_->Finished()}};
    if (op == "save") return Json{{"state", searcher_->SaveState()}};
    return Error("unknown op \"" + op + "\"");
  }

 private:
  Json Init(const Json& request) {
    searcher_.reset();
    auto hp = request.find("hyperparameters");
    if (hp == request.end()) return Error("init needs \"hyperparameters\"");
    auto space = hpo::ParseSearchSpace(*hp);
    if (!space.ok()) return Error(space.status().ToString());

    Json search = request.value("search", Json::object());
    if (!search.is_object()) return Error("\"search\" must be an object");
    // The seed is the benchmark's, not a spec field: take it out before the spec's checks.
    uint64_t seed = 0;
    if (auto it = search.find("seed"); it != search.end()) {
      if (!it->is_number_unsigned()) return Error("\"search.seed\" must be an integer >= 0");
      seed = it->get<uint64_t>();
      search.erase(it);
    }
    auto config = hpo::ParseSearchConfig(search, *space);
    if (!config.ok()) return Error(config.status().ToString());
    config->seed = seed;

    Json state = request.value("state", Json());
    auto searcher = hpo::MakeSearcher(*space, *config, state);
    if (!searcher.ok()) return Error(searcher.status().ToString());
    searcher_ = std::move(searcher).value();
    return Json{{"ok", true}};
  }

  std::unique_ptr<hpo::Searcher> searcher_;
};

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  Driver driver;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json answer;
    try {
      answer = driver.Handle(Json::parse(line));
    } catch (const std::exception& e) {
      answer = Error(e.what());
    }
    std::cout << answer.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n' << std::flush;
  }
  return 0;
}
