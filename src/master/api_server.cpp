#include "master/api_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "api/error_body.h"
#include "api/file_layout.h"
#include "api/json.h"
#include "api/protocol.h"
#include "files/file_routes.h"
#include "files/file_store.h"
#include "files/http_task_queue.h"
#include "files/store_path.h"

namespace yard {
namespace {

void SendJson(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, ErrorBody(status), HttpStatusFor(status.code()));
}

template <class T>
bool Check(httplib::Response& res, const Result<T>& r) {
  if (!r.ok()) SendError(res, r.status());
  return r.ok();
}

Result<Json> ParseBody(const httplib::Request& req) {
  Json j = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("the request body is not valid JSON");
  return j;
}

Result<int64_t> PathId(const httplib::Request& req, const char* what) {
  const std::string& text = req.matches[1];
  std::string_view s = text;
  if (!s.empty() && (s[0] == 's' || s[0] == 'S')) s.remove_prefix(1);  // "s3" names sweep 3
  int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0)
    return InvalidArgument(std::string("'") + text + "' is not a " + what + " id");
  return id;
}

int64_t QueryInt(const httplib::Request& req, const char* key, int64_t fallback) {
  if (!req.has_param(key)) return fallback;
  std::string v = req.get_param_value(key);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && p == v.data() + v.size() ? n : fallback;
}

bool QueryFlag(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return false;
  std::string v = req.get_param_value(key);
  return v.empty() || v == "1" || v == "true" || v == "yes";
}

Json JobWithHistory(const Job& job, const std::vector<StateChange>& history) {
  Json j = JobToJson(job);
  Json h = Json::array();
  for (const auto& c : history)
    h.push_back({{"state", ToString(c.state)}, {"reason", c.reason}, {"at", TimeToJson(c.at)}});
  j["history"] = h;
  return j;
}

// A queued job's place and why it waits (the scheduler's explanation).
void AddWait(Json& j, const WaitInfo& wait) {
  j["queue_position"] = wait.position;
  j["wait_reason"] = wait.reason;
  j["wait_detail"] = wait.detail;
}

// One job's GPU-seconds. The sweep listing counts the same in SQL (Store::SweepTallies);
// test_search checks that the two agree.
double GpuSeconds(const Job& job, Micros now) {
  if (job.started_at == 0) return 0;
  Micros end = job.finished_at > 0 ? job.finished_at : now;
  return static_cast<double>(std::max<Micros>(0, end - job.started_at)) / 1e6 *
         static_cast<double>(job.gpus.size());
}

// The sweep's trials, best first: a trial is every job of one point of the search (a promoted
// trial runs again to a larger budget), shown by its latest job. Trials that reached a larger
// budget rank above those stopped sooner; then the metric decides; trials without a value
// (or with NaN) come last.
Json RankedTrials(const Sweep& sweep, const std::vector<Job>& jobs, double* total_gpu_seconds) {
  std::string budget_param;
  if (sweep.spec.contains("search") && sweep.spec["search"].is_object() &&
      sweep.spec["search"].contains("budget") && sweep.spec["search"]["budget"].is_object())
    budget_param = sweep.spec["search"]["budget"].value("param", "");
  struct Trial {
    const Job* latest = nullptr;
    const Job* first = nullptr;
    std::vector<int64_t> job_ids;
    double gpu_seconds = 0;
  };
  std::map<int64_t, Trial> trials;
  Micros now = NowMicros();
  *total_gpu_seconds = 0;
  for (const auto& job : jobs) {
    Trial& t = trials[job.trial >= 0 ? job.trial : -job.id];
    if (!t.latest || job.id > t.latest->id) t.latest = &job;
    if (!t.first || job.id < t.first->id) t.first = &job;
    t.job_ids.push_back(job.id);
    double g = GpuSeconds(job, now);
    t.gpu_seconds += g;
    *total_gpu_seconds += g;
  }
  auto value = [&](const Trial& t) -> std::optional<double> {
    auto it = t.latest->metrics.find(sweep.metric);
    if (it == t.latest->metrics.end() || std::isnan(it->second)) return std::nullopt;
    return it->second;
  };
  auto budget = [&](const Trial& t) -> double {
    if (budget_param.empty() || !t.latest->hparams.contains(budget_param)) return 0;
    const Json& b = t.latest->hparams[budget_param];
    return b.is_number() ? b.get<double>() : 0;
  };
  std::vector<const Trial*> order;
  for (const auto& [key, t] : trials) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(), [&](const Trial* a, const Trial* b) {
    auto va = value(*a), vb = value(*b);
    if (!va || !vb) return va.has_value() && !vb.has_value();
    if (budget(*a) != budget(*b)) return budget(*a) > budget(*b);
    return sweep.maximize ? *va > *vb : *va < *vb;
  });
  Json out = Json::array();
  int rank = 0;
  for (const Trial* t : order) {
    Json j = JobToJson(*t->latest);
    j.erase("spec");
    auto v = value(*t);
    j["trial"] = t->latest->trial >= 0 ? Json(t->latest->trial) : Json(nullptr);
    j["jobs"] = t->job_ids;
    j["rank"] = v ? Json(++rank) : Json(nullptr);
    j["metric_value"] = v ? Json(*v) : Json(nullptr);
    j["budget"] = budget_param.empty() ? Json(nullptr) : Json(budget(*t));
    j["gpu_seconds"] = t->gpu_seconds;
    j["started_at"] = TimeToJson(t->first->started_at);
    out.push_back(std::move(j));
  }
  return out;
}

// A spec's `code` must be a snapshot on this file server and each `data` path must be there,
// or the job would fail on its worker long after the typo.
Status CheckSpecFiles(const FileStore& files, const Json& spec) {
  if (spec.contains("code") && spec["code"].is_string()) {
    const std::string code = spec["code"];
    auto entry = files.Stat(code);
    if (code.rfind("code/", 0) != 0 || !entry.ok() || entry->kind != EntryKind::kSnapshot)
      return InvalidArgument("spec field 'code': '" + code +
                             "' is not a code snapshot on the file server (yard submit uploads "
                             "the folder a spec file names)");
  }
  if (spec.contains("data") && spec["data"].is_array()) {
    for (const auto& item : spec["data"]) {
      if (!item.is_string()) continue;  // ParseJobSpec names the type error
      auto path = NormalizeStorePath(item.get<std::string>());
      if (!path.ok()) return path.status().Prefixed("spec field 'data'");
      auto listed = files.List(*path, /*recursive=*/false);
      if (!listed.ok())
        return InvalidArgument("spec field 'data': nothing at '" + *path +
                               "' on the file server (yard files put uploads it)");
    }
  }
  return Status::Ok();
}

}  // namespace

ApiServer::ApiServer(Master& master, ApiServerOptions options, FileStore* files)
    : master_(master),
      options_(std::move(options)),
      files_(files),
      server_(std::make_unique<httplib::Server>()) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start() {
  ElasticThreadPoolOptions pool;
  pool.max_threads = options_.max_threads;
  server_->new_task_queue = [pool] { return new HttpTaskQueue(pool); };
  // File uploads stream through the store and may be large; every other body is read whole
  // into memory, so its size is checked from its headers before a byte of it is read.
  size_t max_body = options_.max_body_bytes;
  size_t max_file = files_ ? static_cast<size_t>(files_->max_file_bytes()) : max_body;
  server_->set_payload_max_length(std::max(max_body, max_file));
  server_->set_pre_routing_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/v1/files/", 0) == 0) return httplib::Server::HandlerResponse::Unhandled;
    if (req.method != "POST" && req.method != "PUT")
      return httplib::Server::HandlerResponse::Unhandled;
    if (!req.has_header("Content-Length")) {
      SendError(res, InvalidArgument("a request body needs a Content-Length"));
      return httplib::Server::HandlerResponse::Handled;
    }
    uint64_t length = 0;
    const std::string text = req.get_header_value("Content-Length");
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (ec != std::errc() || p != text.data() + text.size() || length > max_body) {
      SendError(res, TooLarge("the request body is over the limit of " + std::to_string(max_body) +
                              " bytes"));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  if (files_) {
    FileStore* files = files_;
    server_->set_expect_100_continue_handler(
        [files](const httplib::Request& req, httplib::Response& res) {
          return FilesExpectContinue(*files, req, res);
        });
  }
  // httplib listens with a backlog of 5 (fixed in Debian's libcpp-httplib): a burst of new
  // connections, as workers fetch and upload files while many short jobs turn over, overflows
  // it, and every dropped SYN costs its client a 1 s retransmit. The listening socket passes
  // through the socket options before its listen(); a second listen() raises the backlog.
  server_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = static_cast<int>(sock);
  });
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_timeout(5);  // also bounds how long Stop() waits on idle connections
  // httplib closes a connection after 5 requests by default: a worker busy with short jobs
  // then reconnects every few heartbeats.
  server_->set_keep_alive_max_count(1000);
  server_->set_read_timeout(std::chrono::seconds(60));
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        SendError(res, InvalidArgument("malformed request: " + what));
      });
  Routes();
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ < 0) return Unavailable("cannot listen on " + options_.host);
  } else {
    if (!server_->bind_to_port(options_.host, options_.port))
      return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         " (is another server there?)");
    port_ = options_.port;
  }
  if (listen_fd_ >= 0 && ::listen(listen_fd_, SOMAXCONN) != 0)
    spdlog::warn("api: cannot raise the listen backlog: {}", std::strerror(errno));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing before its loop runs, and a join would then hang.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void ApiServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ApiServer::Routes() {
  httplib::Server& s = *server_;
  if (files_) RegisterFileRoutes(s, *files_);
  Master& m = master_;
  const ApiServerOptions opts = options_;

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, {{"status", "ok"}});
  });

  s.Get("/metrics", [&m](const httplib::Request&, httplib::Response& res) {
    Json c = m.Counters();
    std::string out;
    out += "# HELP yard_jobs Unfinished jobs by state.\n# TYPE yard_jobs gauge\n";
    for (const auto& [state, n] : c["jobs"].items())
      out += "yard_jobs{state=\"" + state + "\"} " + n.dump() + "\n";
    out += "# TYPE yard_queue_length gauge\nyard_queue_length " + c["queue_length"].dump() + "\n";
    out += "# TYPE yard_workers gauge\nyard_workers{state=\"ALIVE\"} " + c["workers_alive"].dump() +
           "\nyard_workers{state=\"LOST\"} " + c["workers_lost"].dump() + "\n";
    out += "# TYPE yard_gpus gauge\nyard_gpus{state=\"total\"} " + c["gpus_total"].dump() +
           "\nyard_gpus{state=\"busy\"} " + c["gpus_busy"].dump() + "\n";
    // Dispatch cost: seconds per placed job = pass / jobs; the policy's share = policy / pass.
    const Json& d = c["dispatch"];
    out +=
        "# TYPE yard_dispatch_passes_total counter\nyard_dispatch_passes_total{placed=\"yes\"} " +
        d["passes"].dump() + "\nyard_dispatch_passes_total{placed=\"no\"} " +
        d["idle_passes"].dump() + "\nyard_dispatch_passes_total{placed=\"skipped\"} " +
        d["skipped_passes"].dump() + "\n";
    out += "# TYPE yard_dispatched_jobs_total counter\nyard_dispatched_jobs_total " +
           d["jobs"].dump() + "\n";
    out += "# TYPE yard_preempted_jobs_total counter\nyard_preempted_jobs_total " +
           d["preempted"].dump() + "\n";
    out += "# TYPE yard_dispatch_seconds_total counter\n";
    for (const char* part : {"pass", "input", "policy", "idle"})
      out += std::string("yard_dispatch_seconds_total{part=\"") + part + "\"} " +
             d[std::string(part) + "_seconds"].dump() + "\n";
    res.set_content(out, "text/plain; version=0.0.4");
  });

  // Jobs.
  FileStore* files = files_;
  s.Post("/v1/jobs", [&m, opts, files](const httplib::Request& req, httplib::Response& res) {
    if (req.body.size() > opts.max_spec_bytes)
      return SendError(res, TooLarge("the spec is over the limit of " +
                                     std::to_string(opts.max_spec_bytes) + " bytes"));
    auto body = ParseBody(req);
    if (!Check(res, body)) return;
    if (!body->is_object() || !body->contains("spec"))
      return SendError(res, InvalidArgument("the body must be {\"spec\": {...}, \"user\": ...}"));
    std::string user = body->value("user", "");
    if (body->contains("user") && !(*body)["user"].is_string())
      return SendError(res, InvalidArgument("field 'user' must be a string"));
    if (files) {
      if (Status checked = CheckSpecFiles(*files, (*body)["spec"]); !checked.ok())
        return SendError(res, checked);
    }
    auto r = m.Submit((*body)["spec"], user.empty() ? "anonymous" : user);
    if (!Check(res, r)) return;
    Json out = {{"job_ids", r->job_ids}};
    if (r->sweep_id > 0)
      out["sweep_id"] = r->sweep_id;
    else
      out["job_id"] = r->job_ids.front();
    SendJson(res, out, 201);
  });

  // ?limit=N&after=ID pages (oldest first). No page holds more than max_page_jobs, also when
  // no limit is asked for: one answer with a 100,000-job queue would cost the master a
  // gigabyte of memory while it is built. `next_after` says where the next page starts.
  const int64_t max_page = std::max<int64_t>(1, options_.max_page_jobs);
  s.Get("/v1/jobs", [&m, max_page](const httplib::Request& req, httplib::Response& res) {
    JobListQuery query;
    query.include_finished = QueryFlag(req, "all");
    query.sweep_id = QueryInt(req, "sweep", 0);
    int64_t limit = QueryInt(req, "limit", 0);
    query.limit = static_cast<int>(limit <= 0 ? max_page : std::min(limit, max_page));
    query.after_id = std::max<int64_t>(0, QueryInt(req, "after", 0));
    auto page = m.ListJobs(query);
    if (!Check(res, page)) return;
    Json out = Json::array();
    for (const auto& j : page->jobs) {
      out.push_back(JobToJson(j));
      if (auto w = page->waits.find(j.id); w != page->waits.end()) AddWait(out.back(), w->second);
    }
    Json body = {{"jobs", std::move(out)}};
    body["next_after"] = page->next_after > 0 ? Json(page->next_after) : Json(nullptr);
    body["total"] = page->total >= 0 ? Json(page->total) : Json(nullptr);
    SendJson(res, body);
  });

  s.Get(R"(/v1/jobs/([^/]+))", [&m, files](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "job");
    if (!Check(res, id)) return;
    auto job = m.GetJob(*id);
    if (!Check(res, job)) return;
    auto history = m.History(*id);
    if (!Check(res, history)) return;
    Json j = JobWithHistory(*job, *history);
    if (job->state == JobState::kQueued) {
      if (auto wait = m.Explain(*id); wait.ok()) AddWait(j, *wait);
    }
    j["outputs"] = Json::array();
    if (files) {
      auto listed = files->List(OutputsFolder(*id), /*recursive=*/true);
      if (listed.ok())
        for (const auto& e : listed->entries)
          j["outputs"].push_back({{"path", e.path}, {"size", e.size}});
    }
    SendJson(res, j);
  });

  s.Get(R"(/v1/jobs/([^/]+)/metrics)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "job");
    if (!Check(res, id)) return;
    if (!Check(res, m.GetJob(*id))) return;
    auto points = m.Metrics(*id);
    if (!Check(res, points)) return;
    Json out = Json::array();
    for (const auto& p : *points)
      out.push_back(
          {{"step", p.step}, {"key", p.key}, {"value", p.value}, {"at", TimeToJson(p.at)}});
    SendJson(res, {{"metrics", out}});
  });

  s.Post(R"(/v1/jobs/([^/]+)/cancel)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "job");
    if (!Check(res, id)) return;
    auto job = m.Cancel(*id);
    if (!Check(res, job)) return;
    SendJson(res, JobToJson(*job));
  });

  s.Get(R"(/v1/jobs/([^/]+)/log)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "job");
    if (!Check(res, id)) return;
    auto job = m.GetJob(*id);
    if (!Check(res, job)) return;
    int64_t offset = std::max<int64_t>(0, QueryInt(req, "offset", 0));
    int64_t max = std::clamp<int64_t>(QueryInt(req, "max", 1 << 20), 1, 8 << 20);
    auto data = m.ReadLog(*id, offset, max);
    if (!Check(res, data)) return;
    res.set_header("X-Yard-Job-State", std::string(ToString(job->state)));
    res.set_content(*data, "application/octet-stream");
  });

  s.Post(R"(/v1/jobs/([^/]+)/output)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "job");
    if (!Check(res, id)) return;
    if (!req.is_multipart_form_data() || !req.has_file("meta"))
      return SendError(res, InvalidArgument("output must be multipart with 'meta' and 'data'"));
    Json meta = Json::parse(req.get_file_value("meta").content, nullptr, false);
    if (meta.is_discarded() || !meta.is_object())
      return SendError(res, InvalidArgument("output 'meta' is not a JSON object"));
    OutputChunk chunk;
    chunk.job_id = *id;
    auto attempt = RequireInt(meta, "attempt");
    auto offset = RequireInt(meta, "offset");
    if (!Check(res, attempt) || !Check(res, offset)) return;
    chunk.attempt = static_cast<int>(*attempt);
    chunk.offset = *offset;
    if (req.has_file("data")) chunk.data = req.get_file_value("data").content;
    for (const auto& p : meta.value("metrics", Json::array())) {
      if (!p.is_object() || !p.contains("key") || !p["key"].is_string() || !p.contains("value") ||
          !(p["value"].is_number() || p["value"].is_null()))
        return SendError(res, InvalidArgument("each metric needs a string key and a number value"));
      chunk.metrics.push_back({*id, p.value("step", int64_t{0}), p["key"].get<std::string>(),
                               p["value"].is_null() ? std::nan("") : p["value"].get<double>(), 0});
    }
    Status s2 = m.AppendOutput(chunk);
    if (!s2.ok()) return SendError(res, s2);
    SendJson(res, {{"ok", true}});
  });

  // Sweeps.
  s.Get("/v1/sweeps", [&m](const httplib::Request&, httplib::Response& res) {
    auto sweeps = m.ListSweeps();
    if (!Check(res, sweeps)) return;
    auto tallies = m.SweepTallies();
    if (!Check(res, tallies)) return;
    Json out = Json::array();
    for (const auto& sw : *sweeps) {
      Json j = SweepToJson(sw);
      j.erase("spec");
      SweepTally tally;
      if (auto it = tallies->find(sw.id); it != tallies->end()) tally = it->second;
      Json counts = Json::object();
      for (const auto& [state, n] : tally.states) counts[std::string(ToString(state))] = n;
      j["gpu_seconds"] = tally.gpu_seconds;
      j["trials"] = tally.jobs;
      j["trial_states"] = counts;
      out.push_back(std::move(j));
    }
    SendJson(res, {{"sweeps", out}});
  });

  s.Get(R"(/v1/sweeps/([^/]+))", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "sweep");
    if (!Check(res, id)) return;
    auto sweep = m.GetSweep(*id);
    if (!Check(res, sweep)) return;
    auto jobs = m.ListJobs(true, *id);
    if (!Check(res, jobs)) return;
    Json j = SweepToJson(*sweep);
    double gpu_seconds = 0;
    j["trials"] = RankedTrials(*sweep, *jobs, &gpu_seconds);
    j["gpu_seconds"] = gpu_seconds;
    j["budget_param"] = nullptr;
    if (sweep->spec.contains("search") && sweep->spec["search"].is_object() &&
        sweep->spec["search"].contains("budget"))
      j["budget_param"] = sweep->spec["search"]["budget"].value("param", "");
    SendJson(res, j);
  });

  s.Post(R"(/v1/sweeps/([^/]+)/cancel)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "sweep");
    if (!Check(res, id)) return;
    auto sweep = m.CancelSweep(*id);
    if (!Check(res, sweep)) return;
    SendJson(res, SweepToJson(*sweep));
  });

  // Workers.
  s.Get("/v1/workers", [&m](const httplib::Request&, httplib::Response& res) {
    Json out = Json::array();
    for (const auto& v : m.ListWorkers()) {
      Json w = WorkerToJson(v.record);
      for (auto& gpu : w["gpus"]) {
        int index = gpu["index"];
        auto owner = v.gpu_owner.find(index);
        gpu["job_id"] = owner == v.gpu_owner.end() ? Json(nullptr) : Json(owner->second);
        for (const auto& u : v.usage) {
          if (u.index != index) continue;
          gpu["utilization_pct"] = u.utilization_pct;
          gpu["memory_used_mb"] = u.memory_used_mb;
          gpu["foreign_pids"] = u.foreign_pids;
        }
      }
      out.push_back(std::move(w));
    }
    SendJson(res, {{"workers", out}});
  });

  s.Post("/v1/workers/register", [&m](const httplib::Request& req, httplib::Response& res) {
    auto body = ParseBody(req);
    if (!Check(res, body)) return;
    auto request = RegisterRequestFromJson(*body);
    if (!Check(res, request)) return;
    auto r = m.Register(*request);
    if (!Check(res, r)) return;
    SendJson(res, ToJson(*r));
  });

  s.Post(R"(/v1/workers/([^/]+)/heartbeat)",
         [&m](const httplib::Request& req, httplib::Response& res) {
           auto id = PathId(req, "worker");
           if (!Check(res, id)) return;
           auto body = ParseBody(req);
           if (!Check(res, body)) return;
           auto request = HeartbeatRequestFromJson(*body);
           if (!Check(res, request)) return;
           auto r = m.Heartbeat(*id, *request);
           if (!Check(res, r)) return;
           SendJson(res, ToJson(*r));
         });

  s.Get(R"(/v1/workers/([^/]+)/news)", [&m](const httplib::Request& req, httplib::Response& res) {
    auto id = PathId(req, "worker");
    if (!Check(res, id)) return;
    auto known = static_cast<uint64_t>(std::max<int64_t>(0, QueryInt(req, "known", 0)));
    int timeout =
        static_cast<int>(std::clamp<int64_t>(QueryInt(req, "timeout_ms", 5000), 0, 30000));
    auto news = m.WaitForNews(*id, known, timeout);
    if (!Check(res, news)) return;
    SendJson(res, {{"news", *news}});
  });

  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    Status st = res.status == 404 ? NotFound("no such endpoint")
                : res.status == 413
                    ? TooLarge("the request body is too large")
                    : InvalidArgument("bad request (HTTP " + std::to_string(res.status) + ")");
    SendError(res, st);
  });
}

}  // namespace yard
