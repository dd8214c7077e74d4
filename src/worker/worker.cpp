#include "worker/worker.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "client/http_client.h"

namespace yard {
namespace {

// How long the heartbeat connection stays open with nothing to say.
constexpr std::chrono::milliseconds kKeepConnectionFor{20};

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

std::string DefaultWorkerName() { return HostName(); }

Worker::Worker(WorkerOptions options, std::unique_ptr<GpuInventory> gpus,
               std::unique_ptr<Runtime> runtime)
    : options_(std::move(options)), gpus_(std::move(gpus)), runtime_(std::move(runtime)) {
  if (options_.name.empty()) options_.name = HostName();
  if (options_.cpu_slots <= 0)
    options_.cpu_slots = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  paths_.root = options_.work_dir;
  spares_ = std::make_unique<SparePool>(paths_.SpareDir());
}

Worker::~Worker() { Stop(); }

void Worker::Stop() {
  stop_ = true;
  Wake();
}

void Worker::SawNews(uint64_t news) {
  {
    std::lock_guard lock(mu_);
    news_seen_ = news;
    if (news_seen_ <= news_answered_) return;
  }
  wake_cv_.notify_all();
}

void Worker::Wake() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  wake_cv_.notify_all();
}

JobExecution::Options Worker::ExecutionOptions() {
  LaunchContext launch;
  // Only the docker runtime runs jobs in containers; the process runtime uses host paths.
  launch.in_container = runtime_->name() == "docker";
  launch.real_gpus = options_.real_gpus;
  launch.gpus = gpus_->Gpus();
  return {options_.master_url, options_.kill_grace_ms, [this] { Wake(); }, std::move(launch),
          spares_.get()};
}

Status Worker::RegisterUntilDone() {
  RegisterRequest request;
  request.name = options_.name;
  request.host = HostName();
  request.runtime = options_.runtime;
  request.cpu_slots = options_.cpu_slots;
  request.gpus = gpus_->Gpus();
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, job] : jobs_) request.jobs.push_back(job->Report());
  }
  Json body = ToJson(request);
  for (int tries = 0; !stop_; ++tries) {
    auto r = client_->Post("/v1/workers/register", body);
    if (r.ok()) {
      auto response = RegisterResponseFromJson(*r);
      if (!response.ok()) return response.status().Prefixed("the master's answer to register");
      worker_id_ = response->worker_id;
      heartbeat_ms_ = response->heartbeat_interval_ms;
      {
        std::lock_guard lock(mu_);
        for (auto& [key, job] : jobs_) {
          auto offset = response->output_offsets.find(key.first);
          if (offset == response->output_offsets.end()) continue;
          if (Status s = job->output().ResumeAt(offset->second); !s.ok())
            spdlog::warn("worker {}: job {} output: {}", options_.name, key.first, s.ToString());
        }
      }
      spdlog::info("worker {}: registered with {} as worker {} ({} GPUs)", options_.name,
                   options_.master_url, response->worker_id, request.gpus.size());
      return Status::Ok();
    }
    // A refusal is final; a master that cannot be reached may come back.
    if (r.status().code() != Code::kUnavailable) return r.status().Prefixed("register");
    if (tries % 10 == 0) spdlog::warn("worker {}: {}", options_.name, r.status().message());
    std::unique_lock lock(mu_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_.load(); });
  }
  return Status::Ok();
}

std::vector<GpuUsage> Worker::SampleGpus() {
  auto usage = gpus_->Sample();
  if (!usage.ok()) {
    spdlog::warn("worker {}: GPU use: {}", options_.name, usage.status().ToString());
    return {};
  }
  bool any_pids = std::any_of(usage->begin(), usage->end(),
                              [](const GpuUsage& u) { return !u.foreign_pids.empty(); });
  if (!any_pids) return *usage;
  std::set<int64_t> ours;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, job] : jobs_)
      for (int64_t pid : job->Pids()) ours.insert(pid);
  }
  for (auto& u : *usage) {
    std::erase_if(u.foreign_pids, [&](int64_t pid) { return ours.count(pid) > 0; });
  }
  return *usage;
}

Result<HeartbeatResponse> Worker::SendHeartbeat(std::vector<std::pair<int64_t, int>>& ended) {
  HeartbeatRequest request;
  request.usage = SampleGpus();
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, job] : jobs_) {
      JobReport r = job->Report();
      // A preempted job has ended here too; its next attempt is a new assignment.
      if (IsTerminal(r.state) || r.state == JobState::kPreempted) ended.push_back(key);
      request.jobs.push_back(std::move(r));
    }
  }
  YARD_ASSIGN_OR_RETURN(
      Json answer,
      client_->Post("/v1/workers/" + std::to_string(worker_id_) + "/heartbeat", ToJson(request)));
  return HeartbeatResponseFromJson(answer);
}

void Worker::Apply(const HeartbeatResponse& response) {
  std::lock_guard lock(mu_);
  for (const auto& order : response.kill) {
    auto it = jobs_.find({order.job_id, order.attempt});
    if (it == jobs_.end()) continue;
    spdlog::info("worker {}: stopping job {}: {}", options_.name, order.job_id, order.reason);
    if (order.preempt) {
      it->second->Kill(order.reason, JobState::kPreempted, order.grace_ms);
      continue;
    }
    it->second->Kill(order.reason == "cancelled" ? "cancelled by the user" : order.reason,
                     JobState::kCancelled, order.grace_ms);
  }
  for (const auto& a : response.assign) {
    auto key = std::make_pair(a.job_id, a.attempt);
    if (jobs_.count(key)) continue;  // already ours: the answer repeats what is not yet reported
    auto job = std::make_shared<JobExecution>(a, *runtime_, paths_, ExecutionOptions());
    job->Start(GpuHolders(a.gpus));
    jobs_.emplace(key, std::move(job));
  }
}

std::vector<std::shared_ptr<const JobExecution>> Worker::GpuHolders(const std::vector<int>& gpus) {
  std::vector<std::shared_ptr<const JobExecution>> holders;
  if (gpus.empty()) return holders;
  for (const auto& [key, job] : jobs_) {
    if (!job->HoldsGpus()) continue;
    const std::vector<int>& held = job->gpus();
    bool shared = std::any_of(gpus.begin(), gpus.end(), [&](int gpu) {
      return std::find(held.begin(), held.end(), gpu) != held.end();
    });
    if (shared) holders.push_back(job);
  }
  return holders;
}

void Worker::NewsLoop() {
  HttpClient client(options_.master_url);
  client.set_read_timeout(std::chrono::seconds(30));
  uint64_t known = 0;
  while (!stop_) {
    int64_t id = worker_id_;
    // Short enough polls that Stop() never waits long for this thread.
    auto r = client.Get("/v1/workers/" + std::to_string(id) +
                        "/news?known=" + std::to_string(known) + "&timeout_ms=2000");
    if (!r.ok() || !(*r).contains("news") || !(*r)["news"].is_number_unsigned()) {
      std::unique_lock lock(mu_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_.load(); });
      continue;
    }
    uint64_t news = (*r)["news"];
    if (news != known) {
      known = news;
      SawNews(news);
    }
  }
}

void Worker::ShipLoop() {
  HttpClient client(options_.master_url);
  while (!stop_) {
    std::vector<std::shared_ptr<JobExecution>> running;
    {
      std::unique_lock lock(mu_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(300), [&] { return stop_.load(); });
      for (auto& [key, job] : jobs_)
        if (!job->finished()) running.push_back(job);
      // Shipped outside the lock: holding it across network calls would stall the heartbeat.
    }
    for (const auto& job : running) {
      if (job->finished()) continue;
      Status s = job->output().Ship(client);
      if (!s.ok())
        spdlog::debug("worker {}: output of job {}: {}", options_.name, job->job_id(),
                      s.ToString());
    }
    client.CloseIdleConnection();  // the next round is 300 ms away
  }
}

Status Worker::Run() {
  std::error_code ec;
  // Job logs go straight in here: made once, not per job.
  const std::filesystem::path logs = paths_.LogPath(0, 0).parent_path();
  std::filesystem::create_directories(logs, ec);
  if (ec) return IoError("create " + logs.string() + ": " + ec.message());
  client_ = std::make_unique<HttpClient>(options_.master_url);
  auto reattached = runtime_->Reattach();
  if (!reattached.ok()) return reattached.status().Prefixed("reattach");
  for (const auto& handle : *reattached) {
    auto job = std::make_shared<JobExecution>(handle, *runtime_, paths_, ExecutionOptions());
    job->Start();
    jobs_.emplace(std::make_pair(handle.job_id, handle.attempt), std::move(job));
  }
  YARD_RETURN_IF_ERROR(RegisterUntilDone());
  std::thread news([this] { NewsLoop(); });
  std::thread ship([this] { ShipLoop(); });

  bool warned = false;
  while (!stop_) {
    std::vector<std::pair<int64_t, int>> ended;
    auto response = SendHeartbeat(ended);
    if (response.ok()) {
      if (warned) spdlog::info("worker {}: the master answers again", options_.name);
      warned = false;
      std::vector<std::shared_ptr<JobExecution>> done;
      {
        std::lock_guard lock(mu_);
        // The master has recorded these endings: forget them.
        for (const auto& key : ended) {
          auto it = jobs_.find(key);
          if (it == jobs_.end()) continue;
          done.push_back(std::move(it->second));
          jobs_.erase(it);
        }
      }
      done.clear();  // joins their threads, outside the lock
      {
        std::lock_guard lock(mu_);
        // A master that says nothing (0) leaves every piece of news to wake the worker.
        news_answered_ = response->news;
      }
      Apply(*response);
    } else if (response.status().code() == Code::kNotFound) {
      spdlog::warn("worker {}: the master does not know this worker; registering again",
                   options_.name);
      if (Status s = RegisterUntilDone(); !s.ok()) {
        spdlog::error("worker {}: {}", options_.name, s.ToString());
      }
      continue;
    } else if (!warned) {
      spdlog::warn("worker {}: heartbeat: {}", options_.name, response.status().message());
      warned = true;
    }

    std::unique_lock lock(mu_);
    bool ticking = false;
    for (auto& [key, job] : jobs_) ticking = ticking || job->NeedsTicks();
    int wait_ms = response.ok() ? heartbeat_ms_.load() : 500;
    if (ticking) wait_ms = std::min(wait_ms, 200);
    auto woken = [&] { return dirty_ || stop_ || news_seen_ > news_answered_; };
    // A worker busy with short jobs heartbeats again within milliseconds and keeps its
    // connection; one that will be idle longer closes it (see CloseIdleConnection).
    auto wait = std::chrono::milliseconds(wait_ms);
    if (!wake_cv_.wait_for(lock, std::min(wait, kKeepConnectionFor), woken) &&
        wait > kKeepConnectionFor) {
      client_->CloseIdleConnection();
      wake_cv_.wait_for(lock, wait - kKeepConnectionFor, woken);
    }
    dirty_ = false;
    news_answered_ = std::max(news_answered_, news_seen_);  // the coming heartbeat answers it
    for (auto& [key, job] : jobs_) job->Tick();
  }

  // Shutting down: stop every job and wait for them.
  {
    std::lock_guard lock(mu_);
    for (auto& [key, job] : jobs_) {
      job->Abandon();
      job->Kill("the worker is shutting down", JobState::kFailed);
    }
  }
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.kill_grace_ms);
  while (true) {
    bool all_done = true;
    {
      std::lock_guard lock(mu_);
      for (auto& [key, job] : jobs_) {
        job->Tick();
        all_done = all_done && job->finished();
      }
    }
    if (all_done || std::chrono::steady_clock::now() > deadline + std::chrono::seconds(2)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  news.join();
  ship.join();
  {
    std::lock_guard lock(mu_);
    jobs_.clear();
  }
  client_.reset();  // closes the kept-alive connection, so the master can stop promptly
  return Status::Ok();
}

}  // namespace yard
