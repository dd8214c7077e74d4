// yard_fleet: many simulated workers in one process, speaking the worker protocol to a real
// master, and a client that submits many separate jobs. bench/dispatch/scale.py drives it.
//
//   yard_fleet workers --master URL --workers 1000 --gpus 8 [--threads 8] [--job-seconds 30]
//                      [--seconds 30] [--ps-every-ms 250] [--seed 1] [--own-connections 1]
//     Registers the workers (each GPU fake), then heartbeats as real workers do: every
//     heartbeat interval the master asks for, and at once when one of a worker's jobs ends.
//     With --own-connections 1, each worker also connects as a real one does: heartbeats on a
//     connection of its own (closed when the next heartbeat is more than 20 ms away), and a
//     news long poll on another (which wakes it for a heartbeat at once).
//     An assigned job "runs" for job-seconds x uniform(0.5, 1.5) and is then reported
//     SUCCEEDED. Meanwhile one thread asks for the first page of `yard ps` (GET
//     /v1/jobs?limit=100). Prints one JSON object: heartbeat and ps latencies (p50, p99, max,
//     in ms), jobs started and finished, GPU-slots that never got a job.
//   yard_fleet submit --master URL --jobs 10000 [--threads 4]
//     Submits `true` jobs one request each; prints {"jobs": N, "seconds": S}.
//
// By default workers share a few HTTP connections (one per thread), which measures dispatch
// alone; --own-connections measures the master serving as many connections as real workers
// hold. Latencies are measured at the client, from sending to the whole answer.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "api/protocol.h"
#include "client/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using yard::Json;

struct Flags {
  std::string mode;
  std::string master = "http://127.0.0.1:7070";
  int workers = 1000;
  int gpus = 8;
  int threads = 8;
  double job_seconds = 30;
  double seconds = 30;
  int ps_every_ms = 250;
  int jobs = 10000;
  uint64_t seed = 1;
  bool own_connections = false;
};

bool ParseFlags(int argc, char** argv, Flags& f) {
  if (argc < 2) return false;
  f.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--master")
      f.master = v;
    else if (k == "--workers")
      f.workers = std::stoi(v);
    else if (k == "--gpus")
      f.gpus = std::stoi(v);
    else if (k == "--threads")
      f.threads = std::max(1, std::stoi(v));
    else if (k == "--job-seconds")
      f.job_seconds = std::stod(v);
    else if (k == "--seconds")
      f.seconds = std::stod(v);
    else if (k == "--ps-every-ms")
      f.ps_every_ms = std::stoi(v);
    else if (k == "--jobs")
      f.jobs = std::stoi(v);
    else if (k == "--seed")
      f.seed = std::stoull(v);
    else if (k == "--own-connections")
      f.own_connections = v == "1";
    else
      return false;
  }
  return f.mode == "workers" || f.mode == "submit";
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Latencies {
  std::mutex mu;
  std::vector<double> ms;
  void Add(double v) {
    std::lock_guard lock(mu);
    ms.push_back(v);
  }
  Json Summary() {
    std::lock_guard lock(mu);
    if (ms.empty()) return {{"count", 0}};
    std::sort(ms.begin(), ms.end());
    auto at = [&](double p) {
      return ms[static_cast<size_t>(p * static_cast<double>(ms.size() - 1))];
    };
    return {{"count", ms.size()}, {"p50_ms", at(0.5)}, {"p99_ms", at(0.99)}, {"max_ms", ms.back()}};
  }
};

struct SimJob {
  yard::JobReport report;
  Clock::time_point ends;
};

struct SimWorker {
  std::string name;
  int64_t id = 0;
  std::vector<yard::GpuInfo> gpus;
  std::map<std::pair<int64_t, int>, SimJob> jobs;
  Clock::time_point next_beat;
  std::unique_ptr<yard::HttpClient> own;  // --own-connections: its heartbeat connection
  std::atomic<bool> news{false};          // its long poll saw news: beat at once
};

struct Fleet {
  Flags flags;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> started{0}, finished{0}, errors{0};
  int heartbeat_ms = 3000;
  std::atomic<int64_t> news_answers{0};
  Latencies heartbeats, ps;
};

yard::Micros WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock::time_point NextDue(const SimWorker& w) {
  if (w.news) return Clock::now();
  Clock::time_point due = w.next_beat;
  for (const auto& [key, job] : w.jobs)
    if (job.report.state == yard::JobState::kRunning) due = std::min(due, job.ends);
  return due;
}

void Beat(Fleet& fleet, yard::HttpClient& client, SimWorker& w, std::mt19937_64& rng) {
  auto now = Clock::now();
  yard::HeartbeatRequest request;
  for (const auto& g : w.gpus) request.usage.push_back({g.index, 0, 0, {}});
  std::vector<std::pair<int64_t, int>> ended;
  for (auto& [key, job] : w.jobs) {
    if (job.report.state == yard::JobState::kRunning && job.ends <= now) {
      job.report.state = yard::JobState::kSucceeded;
      job.report.exit_code = 0;
      job.report.finished_at = WallMicros();
    }
    if (yard::IsTerminal(job.report.state)) ended.push_back(key);
    request.jobs.push_back(job.report);
  }
  w.news = false;
  auto sent = Clock::now();
  auto answer =
      (w.own ? *w.own : client)
          .Post("/v1/workers/" + std::to_string(w.id) + "/heartbeat", yard::ToJson(request));
  fleet.heartbeats.Add(Ms(Clock::now() - sent));
  w.next_beat = Clock::now() + std::chrono::milliseconds(fleet.heartbeat_ms);
  if (!answer.ok()) {
    if (++fleet.errors <= 5) std::cerr << "heartbeat: " << answer.status().ToString() << "\n";
    return;
  }
  auto response = yard::HeartbeatResponseFromJson(*answer);
  if (!response.ok()) {
    ++fleet.errors;
    return;
  }
  for (const auto& key : ended) w.jobs.erase(key);
  fleet.finished += static_cast<int64_t>(ended.size());
  for (const auto& order : response->kill) {
    auto it = w.jobs.find({order.job_id, order.attempt});
    if (it == w.jobs.end() || yard::IsTerminal(it->second.report.state)) continue;
    it->second.report.state = yard::JobState::kCancelled;
    it->second.report.finished_at = WallMicros();
  }
  std::uniform_real_distribution<double> spread(0.5, 1.5);
  for (const auto& a : response->assign) {
    auto key = std::make_pair(a.job_id, a.attempt);
    if (w.jobs.count(key)) continue;
    SimJob job;
    job.report.job_id = a.job_id;
    job.report.attempt = a.attempt;
    job.report.state = yard::JobState::kRunning;
    job.report.started_at = WallMicros();
    job.ends = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(
                                  fleet.flags.job_seconds * spread(rng) * 1e6));
    w.jobs.emplace(key, std::move(job));
    ++fleet.started;
  }
}

constexpr std::chrono::milliseconds kNewsCheck{2};
constexpr std::chrono::milliseconds kKeepConnectionFor{20};  // as Worker's

// A real worker's news loop: long polls of 2 s, on a connection of its own.
void PollNews(Fleet& fleet, SimWorker& w, Clock::time_point until) {
  yard::HttpClient client(fleet.flags.master);
  client.set_read_timeout(std::chrono::seconds(30));
  uint64_t known = 0;
  while (Clock::now() < until) {
    auto r = client.Get("/v1/workers/" + std::to_string(w.id) +
                        "/news?known=" + std::to_string(known) + "&timeout_ms=2000");
    if (!r.ok() || !r->contains("news") || !(*r)["news"].is_number_unsigned()) {
      if (++fleet.errors <= 5) std::cerr << "news: " << r.status().ToString() << "\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    uint64_t news = (*r)["news"];
    if (news != known) {
      ++fleet.news_answers;
      known = news;
      w.news = true;
    }
  }
}

void RunWorkers(Fleet& fleet, std::vector<SimWorker>& workers, size_t first, size_t step,
                Clock::time_point until) {
  yard::HttpClient client(fleet.flags.master);
  std::mt19937_64 rng(fleet.flags.seed * 7919 + first);
  std::vector<SimWorker*> mine;
  for (size_t i = first; i < workers.size(); i += step) mine.push_back(&workers[i]);
  while (Clock::now() < until) {
    SimWorker* next = nullptr;
    Clock::time_point due = Clock::time_point::max();
    for (SimWorker* w : mine) {
      Clock::time_point d = NextDue(*w);
      if (d < due) {
        due = d;
        next = w;
      }
    }
    if (!next) return;
    // A long poll may make a worker due sooner than the sleep's end.
    Clock::time_point wake = std::min(due, until);
    if (fleet.flags.own_connections) wake = std::min(wake, Clock::now() + kNewsCheck);
    if (due > Clock::now()) std::this_thread::sleep_until(wake);
    if (due > Clock::now()) continue;
    if (Clock::now() >= until) break;
    Beat(fleet, client, *next, rng);
    // As a real worker does: it closes its connection when its next heartbeat is not near.
    if (next->own && NextDue(*next) > Clock::now() + kKeepConnectionFor)
      next->own->CloseIdleConnection();
  }
}

int Workers(const Flags& flags) {
  Fleet fleet;
  fleet.flags = flags;
  std::vector<SimWorker> workers(static_cast<size_t>(flags.workers));
  auto t0 = Clock::now();
  {
    yard::HttpClient client(flags.master);
    for (size_t i = 0; i < workers.size(); ++i) {
      SimWorker& w = workers[i];
      char name[32];
      std::snprintf(name, sizeof name, "fleet-%04zu", i);
      w.name = name;
      for (int g = 0; g < flags.gpus; ++g)
        w.gpus.push_back({g, "GPU-fleet-" + std::to_string(i) + "-" + std::to_string(g),
                          "FakeGPU-80GB", 81920, "9.0"});
      yard::RegisterRequest request;
      request.name = w.name;
      request.host = "fleet";
      request.runtime = "process";
      request.cpu_slots = 0;
      request.gpus = w.gpus;
      auto answer = client.Post("/v1/workers/register", yard::ToJson(request));
      if (!answer.ok()) {
        std::cerr << "register " << w.name << ": " << answer.status().ToString() << "\n";
        return 1;
      }
      auto response = yard::RegisterResponseFromJson(*answer);
      if (!response.ok()) return 1;
      w.id = response->worker_id;
      fleet.heartbeat_ms = response->heartbeat_interval_ms;
      // The first heartbeat at once (it collects what registering assigned), then spread.
      w.next_beat = Clock::now();
    }
  }
  double register_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto until = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(flags.seconds * 1e6));
  std::vector<std::thread> threads;
  if (flags.own_connections) {
    for (auto& w : workers) {
      w.own = std::make_unique<yard::HttpClient>(flags.master);
      threads.emplace_back(PollNews, std::ref(fleet), std::ref(w), until);
    }
  }
  for (int t = 0; t < flags.threads; ++t)
    threads.emplace_back(RunWorkers, std::ref(fleet), std::ref(workers), static_cast<size_t>(t),
                         static_cast<size_t>(flags.threads), until);
  std::thread ps([&] {
    yard::HttpClient client(flags.master);
    client.set_read_timeout(std::chrono::seconds(60));
    while (Clock::now() < until) {
      auto sent = Clock::now();
      auto page = client.Get("/v1/jobs?limit=100");
      if (page.ok()) fleet.ps.Add(Ms(Clock::now() - sent));
      std::this_thread::sleep_for(std::chrono::milliseconds(flags.ps_every_ms));
    }
  });
  for (auto& t : threads) t.join();
  ps.join();
  int64_t held = 0;
  for (const auto& w : workers)
    for (const auto& [key, job] : w.jobs) held += job.report.state == yard::JobState::kRunning;
  Json out = {{"workers", flags.workers},
              {"gpus_per_worker", flags.gpus},
              {"register_seconds", register_s},
              {"seconds", flags.seconds},
              {"heartbeat_interval_ms", fleet.heartbeat_ms},
              {"jobs_started", fleet.started.load()},
              {"jobs_finished", fleet.finished.load()},
              {"jobs_running_at_end", held},
              {"errors", fleet.errors.load()},
              {"own_connections", flags.own_connections},
              {"heartbeat", fleet.heartbeats.Summary()},
              {"news_answers", fleet.news_answers.load()},
              {"ps_first_page", fleet.ps.Summary()}};
  std::cout << out.dump() << std::endl;
  return fleet.errors > 0 ? 1 : 0;
}

int Submit(const Flags& flags) {
  std::atomic<int> next{0}, failed{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    threads.emplace_back([&] {
      yard::HttpClient client(flags.master);
      Json body = {{"spec", {{"name", "one"}, {"command", "true"}}}, {"user", "bench"}};
      while (next++ < flags.jobs) {
        auto r = client.Post("/v1/jobs", body);
        if (!r.ok() && failed++ < 5) std::cerr << "submit: " << r.status().ToString() << "\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << Json{{"jobs", flags.jobs}, {"failed", failed.load()}, {"seconds", s}}.dump()
            << std::endl;
  return failed > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  try {
    if (!ParseFlags(argc, argv, flags)) {
      std::cerr << "usage: yard_fleet workers|submit --master URL [flags]; see fleet.cpp\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "yard_fleet: bad flag value: " << e.what() << "\n";
    return 2;
  }
  return flags.mode == "workers" ? Workers(flags) : Submit(flags);
}
