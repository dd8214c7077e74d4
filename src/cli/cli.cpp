#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

namespace yard {
namespace {

void AddServerFlags(CLI::App* cmd, ServerFlags& f) {
  cmd->add_option("--data-dir", f.data_dir, "folder for the database and logs")
      ->capture_default_str();
  cmd->add_option("--db", f.db, "sqlite:PATH (default: sqlite:DATA_DIR/yard.db)");
  cmd->add_option("--listen", f.listen, "HOST:PORT of the API")->capture_default_str();
  cmd->add_option("--worker-timeout", f.worker_timeout, "silence after which a worker is lost")
      ->capture_default_str();
  cmd->add_option("--policy", f.policy,
                  "scheduling policy: a preset (fifo, fairshare, team, las, full, sjf) or "
                  "preset=NAME,key=value,...,quota.group.NAME=N (default: team)");
  cmd->add_option("--heartbeat-interval", f.heartbeat_interval, "how often workers report")
      ->capture_default_str();
}

void AddWorkerFlags(CLI::App* cmd, WorkerFlags& f, bool standalone) {
  if (standalone) {
    cmd->add_option("--master", f.master, "the master's URL (default: $YARD_MASTER)");
    cmd->add_option("--work-dir", f.work_dir, "folder for job files (default: yard-worker)");
  }
  cmd->add_option("--gpus", f.gpus, "auto (NVML), none, or fake:SPEC such as fake:4")
      ->capture_default_str();
  cmd->add_option("--runtime", f.runtime, "process or docker")->capture_default_str();
  cmd->add_option("--name", f.name, "worker name (default: the host name)");
  cmd->add_option("--cpu-slots", f.cpu_slots, "jobs without GPUs run at once (default: cores)");
  cmd->add_option("--kill-grace", f.kill_grace, "time between SIGTERM and SIGKILL")
      ->capture_default_str();
  cmd->add_option("--fake-gpu-usage", f.fake_gpu_usage,
                  "JSON file that makes fake GPUs look busy (for tests)");
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"yard: run deep-learning training jobs and hyperparameter sweeps on GPU servers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "yard 0.1.0");

  ServerFlags server;
  WorkerFlags worker;
  auto* up = app.add_subcommand("up", "master and one worker in one process, in the foreground");
  AddServerFlags(up, server);
  AddWorkerFlags(up, worker, false);
  up->callback([&] { std::exit(UpCommand(server, worker)); });

  ServerFlags master_flags;
  auto* master = app.add_subcommand("master", "the master alone");
  AddServerFlags(master, master_flags);
  master->callback([&] { std::exit(MasterCommand(master_flags)); });

  WorkerFlags worker_flags;
  auto* worker_cmd = app.add_subcommand("worker", "a worker for this server's GPUs");
  AddWorkerFlags(worker_cmd, worker_flags, true);
  worker_cmd->callback([&] { std::exit(WorkerCommand(worker_flags)); });

  SubmitFlags submit;
  auto* submit_cmd = app.add_subcommand("submit", "submit a job or a sweep from a spec file");
  submit_cmd->add_option("spec", submit.file, "SPEC.yaml")->required();
  submit_cmd->add_option("--set", submit.overrides, "override a field: key=value");
  submit_cmd->add_flag("--json", submit.json, "print the ids as JSON");
  submit_cmd
      ->add_option("--max-code-size", submit.max_code_bytes,
                   "size limit of the spec's code folder, in bytes")
      ->capture_default_str();
  submit_cmd->callback([&] { std::exit(SubmitCommand(submit)); });

  RunFlags run;
  auto* run_cmd = app.add_subcommand("run", "run one command as a job: yard run -- CMD ARGS...");
  run_cmd->add_option("--gpus", run.gpus, "GPUs for the job")->capture_default_str();
  run_cmd->add_option("--image", run.image, "container image (docker runtime)");
  run_cmd->add_option("--name", run.name, "job name");
  run_cmd->add_option("--priority", run.priority, "0..100, higher runs sooner")
      ->capture_default_str();
  run_cmd->add_flag("--json", run.json, "print the id as JSON");
  run_cmd->add_option("command", run.command, "the command and its arguments")->required();
  run_cmd->callback([&] { std::exit(RunCommand(run)); });

  bool all = false, json = false, follow = false;
  std::string sweep, id;
  std::vector<std::string> ids;
  auto* ps = app.add_subcommand("ps", "jobs: queued and running (--all adds finished)");
  ps->add_flag("-a,--all", all, "include finished jobs");
  ps->add_option("--sweep", sweep, "only this sweep's trials");
  ps->add_flag("--json", json, "JSON for programs");
  int ps_limit = 100;
  int64_t ps_after = 0;
  ps->add_option("--limit", ps_limit, "at most this many jobs, oldest first (0: all)")
      ->capture_default_str();
  ps->add_option("--after", ps_after, "only jobs with a larger id (the next page)");
  ps->callback([&] { std::exit(PsCommand(all, sweep, json, ps_limit, ps_after)); });

  auto* show = app.add_subcommand("show", "one job: spec, state history, GPUs, metrics");
  show->add_option("id", id, "job id")->required();
  show->add_flag("--json", json, "JSON for programs");
  show->callback([&] { std::exit(ShowCommand(id, json)); });

  auto* logs = app.add_subcommand("logs", "a job's output");
  logs->add_option("id", id, "job id")->required();
  logs->add_flag("-f,--follow", follow, "follow until the job ends");
  logs->callback([&] { std::exit(LogsCommand(id, follow)); });

  auto* cancel = app.add_subcommand("cancel", "cancel jobs, or whole sweeps (s3 or sweep:3)");
  cancel->add_option("ids", ids, "job ids, or sweep ids as sN")->required();
  cancel->callback([&] { std::exit(CancelCommand(ids)); });

  auto* sweeps = app.add_subcommand("sweeps", "hyperparameter searches");
  sweeps->add_flag("--json", json, "JSON for programs");
  sweeps->callback([&] { std::exit(SweepsCommand(json)); });

  auto* sweep_cmd = app.add_subcommand("sweep", "one search's trials, ranked by its metric");
  sweep_cmd->add_option("id", id, "sweep id")->required();
  sweep_cmd->add_flag("--json", json, "JSON for programs");
  sweep_cmd->callback([&] { std::exit(SweepCommand(id, json)); });

  auto* workers = app.add_subcommand("workers", "servers, their GPUs, what runs on each");
  workers->add_flag("--json", json, "JSON for programs");
  workers->callback([&] { std::exit(WorkersCommand(json)); });

  std::string registry;
  auto* images = app.add_subcommand("images", "images in the registry: repositories and tags");
  images->add_option("--registry", registry,
                     "HOST:PORT (default: $YARD_REGISTRY or 127.0.0.1:5000)");
  images->add_flag("--json", json, "JSON for programs");
  images->callback([&] { std::exit(ImagesCommand(registry, json)); });

  std::string local, remote, root = "yard-files", host = "127.0.0.1";
  int port = 7071;
  bool recursive = false;
  auto* files =
      app.add_subcommand("files", "datasets, code, checkpoints and outputs on the file server");
  files->require_subcommand(1);
  auto* put = files->add_subcommand("put", "upload a file: yard files put LOCAL REMOTE");
  put->add_option("local", local, "local file")->required();
  put->add_option("remote", remote, "path on the file server, e.g. datasets/mnist/train.bin")
      ->required();
  put->callback([&] { std::exit(FilesPutCommand(local, remote)); });
  auto* get = files->add_subcommand("get", "download a file: yard files get REMOTE LOCAL");
  get->add_option("remote", remote, "path on the file server")->required();
  get->add_option("local", local, "local file")->required();
  get->callback([&] { std::exit(FilesGetCommand(remote, local)); });
  auto* ls = files->add_subcommand("ls", "list a folder of the file server");
  ls->add_option("path", remote, "folder (default: the top)");
  ls->add_flag("-r,--recursive", recursive, "every file below, not just the folder's own");
  ls->add_flag("--json", json, "JSON for programs");
  ls->callback([&] { std::exit(FilesLsCommand(remote, recursive, json)); });
  auto* serve = files->add_subcommand("serve", "run a file server alone");
  serve->add_option("--root", root, "its folder")->capture_default_str();
  serve->add_option("--host", host, "address to listen on")->capture_default_str();
  serve->add_option("--port", port, "port")->capture_default_str();
  serve->callback([&] { std::exit(FilesServeCommand(root, host, port)); });

  AddSimulateCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace yard
