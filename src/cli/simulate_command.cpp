// yard simulate: replays a trace against a virtual cluster with the real scheduler, one policy
// or the baselines side by side.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/table.h"
#include "sched/policy_config.h"
#include "sim/report.h"
#include "sim/simulator.h"
#include "sim/trace.h"

namespace yard {
namespace {

struct SimulateFlags {
  std::string trace;
  std::string cluster;
  std::string policy;
  double timeout_factor = 0;
  double grace = 30;
  double restart = 60;
  bool json = false;
};

Result<std::string> ReadTrace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read trace " + path);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  constexpr std::streamoff kLimit = 1ll << 30;
  if (size < 0) return InvalidArgument("cannot read trace " + path);
  if (size > kLimit) return TooLarge("trace " + path + " is larger than 1 GiB");
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0);
  in.read(text.data(), size);
  if (!in) return IoError("cannot read trace " + path);
  return text;
}

struct Run {
  std::string label;
  sched::PolicyConfig policy;
  sim::SimOptions options;
};

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

int Simulate(const SimulateFlags& f) {
  auto text = ReadTrace(f.trace);
  if (!text.ok()) return Fail(text.status().message());
  auto trace = sim::ParseTrace(*text);
  if (!trace.ok()) return Fail(f.trace + ": " + trace.status().message());
  auto cluster = sim::ParseClusterSpec(f.cluster);
  if (!cluster.ok()) return Fail(cluster.status().message());
  if (f.timeout_factor < 0 || f.grace < 0 || f.restart < 0)
    return Fail("--timeout-factor, --grace and --restart must be >= 0");

  sim::SimOptions options;
  options.timeout_factor = f.timeout_factor;
  options.grace_s = f.grace;
  options.restart_s = f.restart;
  std::vector<Run> runs;
  if (!f.policy.empty()) {
    auto policy = f.policy.find('=') == std::string::npos ? sched::PolicyPreset(f.policy)
                                                          : sched::ParsePolicyConfig(f.policy);
    if (!policy.ok()) return Fail(policy.status().message());
    sim::SimOptions o = options;
    o.oracle_timeouts = policy->name == "sjf";
    runs.push_back({policy->name + (o.oracle_timeouts ? " (sees durations)" : ""), *policy, o});
  } else {
    for (const std::string& name : sched::PolicyPresetNames()) {
      sim::SimOptions o = options;
      o.oracle_timeouts = name == "sjf";
      runs.push_back({name + (o.oracle_timeouts ? " (sees durations: upper bound)" : ""),
                      *sched::PolicyPreset(name), o});
    }
  }

  std::vector<sim::SimResult> results;
  std::vector<double> seconds, cpu_seconds;  // wall clock, and CPU time of this process
  for (const Run& run : runs) {
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    auto r = sim::Simulate(*trace, *cluster, run.policy, run.options);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    if (!r.ok()) return Fail(f.trace + ": " + r.status().message());
    r->policy = run.label;
    results.push_back(*r);
    seconds.push_back(wall);
    cpu_seconds.push_back(cpu);
  }

  const sim::SimResult* fifo = nullptr;
  for (const auto& r : results)
    if (r.policy == "fifo") fifo = &r;
  if (f.json) {
    nlohmann::json out = {{"trace", f.trace},
                          {"cluster", f.cluster},
                          {"gpus", cluster->total_gpus},
                          {"results", nlohmann::json::array()}};
    for (size_t i = 0; i < results.size(); ++i) {
      nlohmann::json j = sim::ToJson(results[i]);
      j["wall_s"] = seconds[i];
      j["cpu_s"] = cpu_seconds[i];
      if (fifo) {
        j["jct_speedup_vs_fifo"] = results[i].avg_jct > 0 ? fifo->avg_jct / results[i].avg_jct : 0;
        j["groups_p99_wait_worse_than_fifo"] = sim::GroupsWorseThan(results[i], *fifo);
      }
      out["results"].push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << results.front().jobs << " jobs on " << cluster->total_gpus << " GPUs (" << f.cluster
            << ")\n";
  std::vector<std::string> header = {"POLICY",   "AVG JCT",  "P99 JCT", "AVG WAIT",
                                     "P99 WAIT", "MAKESPAN", "UTIL",    "WORST GROUP P99 WAIT",
                                     "PREEMPT",  "WALL",     "CPU"};
  if (fifo) header.insert(header.begin() + 2, "VS FIFO");
  if (fifo) header.push_back("GROUPS WORSE THAN FIFO");
  Table table(header);
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::vector<std::string> row = {
        r.policy,
        sim::HumanSeconds(r.avg_jct),
        sim::HumanSeconds(r.p99_jct),
        sim::HumanSeconds(r.avg_wait),
        sim::HumanSeconds(r.p99_wait),
        sim::HumanSeconds(r.makespan),
        Fixed(100 * r.utilisation, 1) + "%",
        sim::HumanSeconds(r.worst_group_p99_wait) + " (" + r.worst_group + ")",
        std::to_string(r.preemptions),
        Fixed(seconds[i], 1) + "s",
        Fixed(cpu_seconds[i], 1) + "s"};
    if (fifo) {
      row.insert(row.begin() + 2, Fixed(fifo->avg_jct / std::max(r.avg_jct, 1e-9), 2) + "x");
      row.push_back(std::to_string(sim::GroupsWorseThan(r, *fifo).size()));
    }
    table.Add(row);
  }
  table.Print(std::cout);
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app) {
  static SimulateFlags flags;
  auto* cmd = app.add_subcommand("simulate",
                                 "replay a job trace on a virtual cluster with the real scheduler");
  cmd->add_option("--trace", flags.trace,
                  "CSV: submit_time,duration,num_gpus[,group,gpu_model,priority,timeout]")
      ->required();
  cmd->add_option("--cluster", flags.cluster, "WORKERSxGPUSxMODEL,... e.g. 64x8xV100-16GB")
      ->required();
  cmd->add_option("--policy", flags.policy,
                  "a preset (fifo, fairshare, team, las, full, sjf) or preset=NAME,key=value,...; "
                  "default: the presets side by side");
  cmd->add_option("--timeout-factor", flags.timeout_factor,
                  "jobs without a timeout declare this multiple of their true duration (0: off)")
      ->capture_default_str();
  cmd->add_option("--grace", flags.grace, "seconds a preempted job keeps its GPUs to checkpoint")
      ->capture_default_str();
  cmd->add_option("--restart", flags.restart,
                  "seconds a resumed job spends loading its checkpoint before progress")
      ->capture_default_str();
  cmd->add_flag("--json", flags.json, "JSON for programs");
  cmd->callback([&] { std::exit(Simulate(flags)); });
}

}  // namespace yard
