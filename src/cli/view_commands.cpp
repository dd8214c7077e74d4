// yard ps, show, logs, sweeps, sweep, workers: what people and programs look at.
#include <unistd.h>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/table.h"
#include "client/http_client.h"

namespace yard {
namespace {

std::string Str(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream out;
    out << std::setprecision(4) << v.get<double>();
    return out.str();
  }
  return v.dump();
}

std::string Age(const Json& time) {
  if (!time.is_string()) return "-";
  auto t = ParseRfc3339(time.get<std::string>());
  return t ? FormatAge(NowMicros() - *t) : "-";
}

std::string Duration(const Json& from, const Json& to) {
  if (!from.is_string()) return "-";
  auto a = ParseRfc3339(from.get<std::string>());
  auto b =
      to.is_string() ? ParseRfc3339(to.get<std::string>()) : std::optional<Micros>(NowMicros());
  return a && b ? FormatAge(*b - *a) : "-";
}

std::string Gpus(const Json& job) {
  const Json& gpus = job["gpus"];
  if (gpus.empty())
    return job["gpus_requested"].get<int>() == 0 ? "cpu" : Str(job["gpus_requested"]);
  // "w1:0,1" on one worker; a gang's parts joined, rank 0 first: "w1:0,1+w2:0,1".
  std::string out, worker;
  for (const auto& g : gpus) {
    std::string on = g["worker"].get<std::string>();
    out += on == worker ? "," : (out.empty() ? "" : "+") + on + ":";
    out += Str(g["index"]);
    worker = on;
  }
  return out;
}

std::string Hparams(const Json& h) {
  std::string out;
  for (const auto& [k, v] : h.items()) out += (out.empty() ? "" : " ") + k + "=" + Str(v);
  return out;
}

Result<Json> Get(const std::string& path) {
  HttpClient master(MasterUrlFromEnv());
  return master.Get(path);
}

std::string SweepId(const std::string& id) {
  if (!id.empty() && (id[0] == 's' || id[0] == 'S')) return id.substr(1);
  return id;
}

}  // namespace

int PsCommand(bool all, const std::string& sweep, bool json, int limit, int64_t after) {
  if (limit < 0) return Fail("--limit must be 0 (all) or more");
  std::string path = "/v1/jobs?all=" + std::string(all ? "1" : "0");
  if (!sweep.empty()) path += "&sweep=" + UrlEscape(SweepId(sweep));
  if (limit > 0) path += "&limit=" + std::to_string(limit);
  if (after > 0) path += "&after=" + std::to_string(after);
  auto r = Get(path);
  if (!r.ok()) return Fail(r.status().message());
  const Json& jobs = (*r)["jobs"];
  // Said on stderr, so that --json output stays one JSON value.
  if (r->contains("next_after") && (*r)["next_after"].is_number_integer()) {
    std::string total = (*r)["total"].is_number_integer()
                            ? " of " + std::to_string((*r)["total"].get<int64_t>())
                            : "";
    std::cerr << "showing " << jobs.size() << total << " jobs; the next page: yard ps"
              << (all ? " --all" : "") << (sweep.empty() ? "" : " --sweep " + sweep) << " --limit "
              << limit << " --after " << (*r)["next_after"].get<int64_t>() << "\n";
  }
  if (json) {
    std::cout << jobs.dump(2) << "\n";
    return 0;
  }
  // A queued job's place counts the jobs ahead of it; its reason is why it waits.
  Table t({"ID", "NAME", "STATE", "PRI", "GPUS", "SWEEP", "AGE", "RUNTIME", "PLACE", "REASON"});
  for (const auto& j : jobs) {
    bool waits = j.contains("wait_reason");
    t.Add({Str(j["id"]), Ellipsize(Str(j["name"]), 24), Str(j["state"]), Str(j["priority"]),
           Gpus(j), j["sweep_id"].is_null() ? "-" : "s" + Str(j["sweep_id"]),
           Age(j["submitted_at"]), Duration(j["started_at"], j["finished_at"]),
           waits ? Str(j["queue_position"]) : "-",
           Ellipsize(waits ? Str(j["wait_reason"]) : Str(j["reason"]), 48)});
  }
  t.Print(std::cout);
  return 0;
}

int ShowCommand(const std::string& id, bool json) {
  auto r = Get("/v1/jobs/" + UrlEscape(id));
  if (!r.ok()) return Fail(r.status().message());
  const Json& j = *r;
  if (json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "job " << Str(j["id"]) << " (" << Str(j["name"]) << ")\n"
            << "  state:     " << Str(j["state"])
            << (j["reason"].get<std::string>().empty() ? "" : ": " + Str(j["reason"])) << "\n";
  if (j.contains("wait_reason"))
    std::cout << "  waiting:   " << Str(j["wait_reason"]) << " (" << Str(j["queue_position"])
              << " ahead): " << Str(j["wait_detail"]) << "\n";
  std::cout << "  user:      " << Str(j["user"]) << "\n"
            << "  sweep:     " << Str(j["sweep_id"]) << "\n"
            << "  priority:  " << Str(j["priority"]) << "\n"
            << "  gpus:      " << Gpus(j) << "\n"
            << "  attempt:   " << Str(j["attempt"]) << " (retries used: " << Str(j["retries"])
            << ")\n"
            << "  submitted: " << Str(j["submitted_at"]) << "\n"
            << "  started:   " << Str(j["started_at"]) << "\n"
            << "  finished:  " << Str(j["finished_at"]) << "\n"
            << "  exit code: " << Str(j["exit_code"]) << "\n";
  if (!j["hparams"].empty()) std::cout << "  hparams:   " << Hparams(j["hparams"]) << "\n";
  std::string command;
  for (const auto& w : j["spec"]["command"]) command += (command.empty() ? "" : " ") + Str(w);
  std::cout << "  command:   " << command << "\n";
  if (!j["metrics"].empty()) {
    std::cout << "metrics (last value):\n";
    for (const auto& [k, v] : j["metrics"].items())
      std::cout << "  " << k << " = " << Str(v) << "\n";
  }
  if (j.contains("outputs") && !j["outputs"].empty()) {
    std::cout << "outputs (yard files get PATH LOCAL):\n";
    for (const auto& o : j["outputs"])
      std::cout << "  " << Str(o["path"]) << "  " << Str(o["size"]) << " bytes\n";
  }
  std::cout << "history:\n";
  for (const auto& h : j["history"])
    std::cout << "  " << Str(h["at"]) << "  " << std::left << std::setw(13) << Str(h["state"])
              << " " << Str(h["reason"]) << "\n";
  return 0;
}

int LogsCommand(const std::string& id, bool follow) {
  HttpClient master(MasterUrlFromEnv());
  int64_t offset = 0;
  while (true) {
    auto r = master.GetRaw("/v1/jobs/" + UrlEscape(id) + "/log?offset=" + std::to_string(offset));
    if (!r.ok()) return Fail(r.status().message());
    std::cout << r->body << std::flush;
    offset += static_cast<int64_t>(r->body.size());
    if (!follow) {
      if (r->body.size() < (1u << 20)) return 0;
      continue;
    }
    auto state = ParseJobState(r->job_state);
    if (r->body.empty() && state && IsTerminal(*state)) return 0;
    if (r->body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int SweepsCommand(bool json) {
  auto r = Get("/v1/sweeps");
  if (!r.ok()) return Fail(r.status().message());
  if (json) {
    std::cout << (*r)["sweeps"].dump(2) << "\n";
    return 0;
  }
  Table t({"ID", "NAME", "ALGORITHM", "METRIC", "STATE", "JOBS", "SUCCEEDED", "GPU-S", "AGE"});
  for (const auto& s : (*r)["sweeps"]) {
    std::string metric =
        s["metric"].is_null() ? "-" : Str(s["metric"]) + " (" + Str(s["goal"]).substr(0, 3) + ")";
    t.Add({"s" + Str(s["id"]), Str(s["name"]), Str(s["algorithm"]), metric, Str(s["state"]),
           Str(s["trials"]), Str(s["trial_states"].value("SUCCEEDED", 0)),
           Str(std::round(s.value("gpu_seconds", 0.0) * 10) / 10), Age(s["created_at"])});
  }
  t.Print(std::cout);
  return 0;
}

int SweepCommand(const std::string& id, bool json) {
  auto r = Get("/v1/sweeps/" + UrlEscape(SweepId(id)));
  if (!r.ok()) return Fail(r.status().message());
  const Json& s = *r;
  if (json) {
    std::cout << s.dump(2) << "\n";
    return 0;
  }
  std::string metric = s["metric"].is_null() ? "" : Str(s["metric"]);
  std::cout << "sweep s" << Str(s["id"]) << " (" << Str(s["name"]) << "): " << Str(s["algorithm"])
            << ", " << Str(s["state"]);
  if (!metric.empty()) std::cout << ", ranked by " << metric << " (" << Str(s["goal"]) << ")";
  std::cout << "\n\n";
  bool budgeted = s.contains("budget_param") && s["budget_param"].is_string();
  std::string budget_param = budgeted ? s["budget_param"].get<std::string>() : "";
  std::vector<std::string> header = {"RANK", "TRIAL", "JOB", "STATE"};
  std::vector<std::string> names;
  if (!s["trials"].empty())
    for (const auto& [k, v] : s["trials"][0]["hparams"].items())
      if (k != budget_param) names.push_back(k);
  for (const auto& n : names) header.push_back(n);
  if (budgeted) header.push_back(budget_param);
  header.push_back(metric.empty() ? "METRIC" : metric);
  header.push_back("GPU-S");
  header.push_back("RUNTIME");
  Table t(header);
  for (const auto& trial : s["trials"]) {
    std::vector<std::string> row = {Str(trial["rank"]), Str(trial.value("trial", Json())),
                                    Str(trial["id"]), Str(trial["state"])};
    for (const auto& n : names) row.push_back(Str(trial["hparams"].value(n, Json())));
    if (budgeted) row.push_back(Str(trial["budget"]));
    row.push_back(Str(trial["metric_value"]));
    std::ostringstream gpu;
    gpu << std::fixed << std::setprecision(1) << trial.value("gpu_seconds", 0.0);
    row.push_back(gpu.str());
    row.push_back(Duration(trial["started_at"], trial["finished_at"]));
    t.Add(row);
  }
  t.Print(std::cout);
  std::ostringstream total;
  total << std::fixed << std::setprecision(1) << s.value("gpu_seconds", 0.0);
  std::cout << "\n" << s["trials"].size() << " trials, " << total.str() << " GPU-seconds\n";
  if (!s["trials"].empty() && !s["trials"][0]["rank"].is_null()) {
    const Json& best = s["trials"][0];
    std::cout << "best: job " << Str(best["id"]) << " with " << metric << " = "
              << Str(best["metric_value"]) << ": " << Hparams(best["hparams"]) << "\n";
  }
  return 0;
}

int WorkersCommand(bool json) {
  auto r = Get("/v1/workers");
  if (!r.ok()) return Fail(r.status().message());
  if (json) {
    std::cout << (*r)["workers"].dump(2) << "\n";
    return 0;
  }
  Table t(
      {"WORKER", "STATE", "HOST", "GPU", "MODEL", "MEMORY", "JOB", "UTIL", "FOREIGN", "LAST SEEN"});
  for (const auto& w : (*r)["workers"]) {
    if (w["gpus"].empty()) {
      t.Add({Str(w["name"]), Str(w["state"]), Str(w["host"]), "-", "(no GPUs)", "", "", "", "",
             Age(w["last_seen_at"])});
    }
    bool first = true;
    for (const auto& g : w["gpus"]) {
      std::string util = g.contains("utilization_pct") ? Str(g["utilization_pct"]) + "%" : "-";
      std::string foreign = g.contains("foreign_pids") && !g["foreign_pids"].empty()
                                ? "pids " + g["foreign_pids"].dump()
                                : "-";
      t.Add({first ? Str(w["name"]) : "", first ? Str(w["state"]) : "", first ? Str(w["host"]) : "",
             Str(g["index"]), Str(g["model"]), Str(g["memory_mb"].get<int64_t>() / 1024) + " GB",
             Str(g["job_id"]), util, foreign, first ? Age(w["last_seen_at"]) : ""});
      first = false;
    }
  }
  t.Print(std::cout);
  return 0;
}

}  // namespace yard
