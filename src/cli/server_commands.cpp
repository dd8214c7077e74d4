// yard master, yard worker, yard up: the long-running servers, in the foreground until
// SIGINT or SIGTERM.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "client/http_client.h"
#include "files/file_store.h"
#include "master/api_server.h"
#include "master/master.h"
#include "worker/worker.h"

namespace yard {
namespace {

// Blocks SIGINT and SIGTERM in every thread started after it, so that WaitForSignal can take
// them synchronously. Children get their mask reset by the runtime before exec.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

int WaitForSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    return InvalidArgument("--listen must be HOST:PORT, not " + listen);
  std::string host = listen.substr(0, colon);
  int port = 0;
  std::string p = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535)
    return InvalidArgument("--listen: '" + p + "' is not a port");
  if (host.empty()) host = "127.0.0.1";
  return std::make_pair(host, port);
}

Result<int> ParseMillis(const std::string& flag, const std::string& text) {
  auto secs = ParseDurationSeconds(text);
  if (!secs || *secs <= 0 || *secs > 86400)
    return InvalidArgument(flag + ": '" + text + "' is not a duration such as 15s or 2m");
  return static_cast<int>(*secs * 1000);
}

// A master with its API server and its failure detector.
class MasterServer {
 public:
  Status Start(const ServerFlags& flags) {
    MasterOptions options;
    options.data_dir = flags.data_dir;
    options.db_url =
        flags.db.empty() ? "sqlite:" + (options.data_dir / "yard.db").string() : flags.db;
    YARD_ASSIGN_OR_RETURN(options.worker_timeout_ms,
                          ParseMillis("--worker-timeout", flags.worker_timeout));
    YARD_ASSIGN_OR_RETURN(options.heartbeat_interval_ms,
                          ParseMillis("--heartbeat-interval", flags.heartbeat_interval));
    YARD_ASSIGN_OR_RETURN(auto listen, ParseListen(flags.listen));
    if (!flags.policy.empty()) {
      auto policy = flags.policy.find('=') == std::string::npos
                        ? sched::PolicyPreset(flags.policy)
                        : sched::ParsePolicyConfig(flags.policy);
      if (!policy.ok()) return policy.status().Prefixed("--policy");
      options.policy = std::move(policy).value();
    }
    YARD_ASSIGN_OR_RETURN(files_, FileStore::Open({(options.data_dir / "files").string()}));
    options.files_hold = [files = files_.get()](const std::string& path) {
      return files->HoldsAnything(path);
    };
    YARD_ASSIGN_OR_RETURN(master_, Master::Open(options));
    ApiServerOptions api;
    api.host = listen.first;
    api.port = listen.second;
    server_ = std::make_unique<ApiServer>(*master_, api, files_.get());
    YARD_RETURN_IF_ERROR(server_->Start());
    url_ = "http://" + api.host + ":" + std::to_string(server_->port());
    liveness_ = std::thread([this] {
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        master_->CheckLiveness();
      }
    });
    spdlog::info("master: serving the API on {} (database {}, policy {})", url_, options.db_url,
                 options.policy.name);
    return Status::Ok();
  }
  void Stop() {
    stop_ = true;
    if (liveness_.joinable()) liveness_.join();
    if (server_) server_->Stop();
  }
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<FileStore> files_;  // outlives master_ and server_, which use it
  std::unique_ptr<Master> master_;
  std::unique_ptr<ApiServer> server_;
  std::thread liveness_;
  std::atomic<bool> stop_{false};
  std::string url_;
};

Result<std::unique_ptr<Worker>> MakeWorker(const WorkerFlags& flags, const std::string& master,
                                           const std::string& work_dir) {
  GpuOptions gpu_options;
  gpu_options.spec = flags.gpus;
  gpu_options.fake_usage_file = flags.fake_gpu_usage;
  WorkerOptions options;
  options.master_url = master;
  options.name = flags.name;
  options.work_dir = std::filesystem::absolute(work_dir);
  options.cpu_slots = flags.cpu_slots;
  options.runtime = flags.runtime;
  YARD_ASSIGN_OR_RETURN(options.kill_grace_ms, ParseMillis("--kill-grace", flags.kill_grace));
  gpu_options.fake_uuid_seed = options.name.empty() ? work_dir : options.name;
  auto gpus = OpenGpuInventory(gpu_options);
  if (!gpus.ok()) return gpus.status().Prefixed("--gpus " + flags.gpus);
  RuntimeOptions runtime_options;
  runtime_options.kind = flags.runtime;
  runtime_options.state_dir = options.work_dir / "runtime";
  runtime_options.worker_name = options.name.empty() ? DefaultWorkerName() : options.name;
  // NVML's GPUs are given to containers; fake ones are not there to give.
  options.real_gpus = (*gpus)->Gpus().size() > 0 && flags.gpus.rfind("fake:", 0) != 0;
  auto runtime = MakeRuntime(runtime_options);
  if (!runtime.ok()) return runtime.status().Prefixed("--runtime " + flags.runtime);
  return std::make_unique<Worker>(options, std::move(gpus).value(), std::move(runtime).value());
}

}  // namespace

int Fail(const std::string& message) {
  std::cerr << "yard: " << message << "\n";
  return 1;
}

int MasterCommand(const ServerFlags& flags) {
  sigset_t signals = BlockStopSignals();
  MasterServer master;
  if (Status s = master.Start(flags); !s.ok()) return Fail(s.message());
  int sig = WaitForSignal(signals);
  spdlog::info("master: stopping on signal {}", sig);
  master.Stop();
  return 0;
}

int WorkerCommand(const WorkerFlags& flags) {
  sigset_t signals = BlockStopSignals();
  std::string master = flags.master.empty() ? MasterUrlFromEnv() : flags.master;
  auto worker = MakeWorker(flags, master, flags.work_dir.empty() ? "yard-worker" : flags.work_dir);
  if (!worker.ok()) return Fail(worker.status().message());
  Status result;
  std::thread run([&] { result = (*worker)->Run(); });
  std::thread watcher([&] {
    WaitForSignal(signals);
    (*worker)->Stop();
  });
  run.join();
  if (!result.ok()) {
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    return Fail(result.message());
  }
  watcher.join();
  return 0;
}

int UpCommand(const ServerFlags& server, const WorkerFlags& worker_flags) {
  sigset_t signals = BlockStopSignals();
  MasterServer master;
  if (Status s = master.Start(server); !s.ok()) return Fail(s.message());
  std::string work_dir = (std::filesystem::path(server.data_dir) / "worker").string();
  auto worker = MakeWorker(worker_flags, master.url(), work_dir);
  if (!worker.ok()) {
    master.Stop();
    return Fail(worker.status().message());
  }
  Status result;
  std::thread run([&] { result = (*worker)->Run(); });
  std::cout << "yard is up: API on " << master.url() << "; data in " << server.data_dir
            << ". Stop with Ctrl-C." << std::endl;
  WaitForSignal(signals);
  spdlog::info("yard: stopping");
  (*worker)->Stop();
  run.join();
  master.Stop();
  return result.ok() ? 0 : Fail(result.message());
}

}  // namespace yard
