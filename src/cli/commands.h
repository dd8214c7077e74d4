// The `yard` commands (docs/architecture.md, "CLI"). Each returns the process exit code:
// 0 done, 1 failed (the message is printed), 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace yard {

struct ServerFlags {
  std::string data_dir = "yard-data";
  std::string db;  // default: sqlite:<data_dir>/yard.db
  std::string listen = "127.0.0.1:7070";
  std::string worker_timeout = "15s";
  std::string heartbeat_interval = "3s";
  std::string policy;  // --policy: a preset name or preset=NAME,key=value,...; empty: "team"
};

struct WorkerFlags {
  std::string master;  // default: $YARD_MASTER
  std::string gpus = "auto";
  std::string runtime = "process";
  std::string name;
  std::string work_dir;  // default: yard-worker (yard up: <data_dir>/worker)
  int cpu_slots = 0;
  std::string kill_grace = "10s";
  std::string fake_gpu_usage;
};

int MasterCommand(const ServerFlags& flags);
int WorkerCommand(const WorkerFlags& flags);
int UpCommand(const ServerFlags& server, const WorkerFlags& worker);

struct SubmitFlags {
  std::string file;
  uint64_t max_code_bytes = 1ull << 30;  // the code folder's size limit
  std::vector<std::string> overrides;
  bool json = false;
};
int SubmitCommand(const SubmitFlags& flags);

struct RunFlags {
  int gpus = 1;
  std::string image;
  std::string name;
  int priority = 50;
  std::vector<std::string> command;
  bool json = false;
};
int RunCommand(const RunFlags& flags);
int CancelCommand(const std::vector<std::string>& ids);

// A page of jobs, oldest first: at most `limit` (0: all) with ids above `after`.
int PsCommand(bool all, const std::string& sweep, bool json, int limit, int64_t after);
int ShowCommand(const std::string& id, bool json);
int LogsCommand(const std::string& id, bool follow);
int SweepsCommand(bool json);
int SweepCommand(const std::string& id, bool json);
int WorkersCommand(bool json);
// The registry's repositories and tags; `registry` empty: $YARD_REGISTRY, else 127.0.0.1:5000.
int ImagesCommand(const std::string& registry, bool json);

// yard simulate (simulate_command.cpp): adds the subcommand with its flags to `app`.
void AddSimulateCommand(CLI::App& app);

int FilesPutCommand(const std::string& local, const std::string& remote);
int FilesGetCommand(const std::string& remote, const std::string& local);
int FilesLsCommand(const std::string& prefix, bool recursive, bool json);
int FilesServeCommand(const std::string& root, const std::string& host, int port);

// Prints "yard: <message>" to stderr and returns 1.
int Fail(const std::string& message);

}  // namespace yard
