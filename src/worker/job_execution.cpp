#include "worker/job_execution.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "client/http_client.h"
#include "worker/job_files.h"

namespace yard {
namespace fs = std::filesystem;

namespace {

bool SaveAssignment(const WorkerPaths& paths, const Assignment& a) {
  HeartbeatResponse holder;
  holder.assign.push_back(a);
  fs::path path = paths.AssignmentPath(a.job_id, a.attempt);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path.string() + ".tmp", std::ios::trunc);
  out << ToJson(holder).dump();
  out.close();
  if (out) fs::rename(path.string() + ".tmp", path, ec);
  if (!out || ec) {
    spdlog::warn("worker: cannot save {}: a reattached job will not upload", path.string());
    return false;
  }
  return true;
}

std::optional<Assignment> LoadAssignment(const WorkerPaths& paths, int64_t job_id, int attempt) {
  std::ifstream in(paths.AssignmentPath(job_id, attempt));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  Json parsed = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  auto holder = HeartbeatResponseFromJson(parsed);
  if (!holder.ok() || holder->assign.size() != 1) return std::nullopt;
  return holder->assign[0];
}

}  // namespace

JobExecution::JobExecution(Assignment assignment, Runtime& runtime, const WorkerPaths& paths,
                           Options options)
    : job_id_(assignment.job_id),
      attempt_(assignment.attempt),
      assignment_(std::move(assignment)),
      runtime_(runtime),
      paths_(paths),
      options_(std::move(options)),
      output_(job_id_, attempt_, paths_.LogPath(job_id_, attempt_)) {
  report_.job_id = job_id_;
  report_.attempt = attempt_;
  report_.state = JobState::kStarting;
  if (assignment_->node_rank > 0) output_.Mute();
}

JobExecution::JobExecution(ExecutionHandle reattached, Runtime& runtime, const WorkerPaths& paths,
                           Options options)
    : job_id_(reattached.job_id),
      attempt_(reattached.attempt),
      reattached_(reattached),
      runtime_(runtime),
      paths_(paths),
      options_(std::move(options)),
      output_(job_id_, attempt_, paths_.LogPath(job_id_, attempt_), /*resumed=*/true) {
  assignment_ = LoadAssignment(paths_, job_id_, attempt_);
  if (assignment_ && assignment_->node_rank > 0) output_.Mute();
  report_.job_id = job_id_;
  report_.attempt = attempt_;
  report_.state = JobState::kRunning;
  report_.started_at = reattached.started_at;
  handle_ = reattached;
  started_mono_ = MonotonicMicros();
}

JobExecution::~JobExecution() {
  if (thread_.joinable()) thread_.join();
}

void JobExecution::Start(std::vector<std::shared_ptr<const JobExecution>> gpu_holders) {
  gpu_holders_ = std::move(gpu_holders);
  thread_ = std::thread([this] { Run(); });
}

const std::vector<int>& JobExecution::gpus() const {
  static const std::vector<int> kNone;
  return assignment_ ? assignment_->gpus : kNone;
}

bool JobExecution::WaitForGpus() {
  // Rare (a gang's end) and bounded by the holder's kill grace period: a short poll is simpler
  // than a condition shared between executions.
  for (const auto& holder : gpu_holders_) {
    while (holder->HoldsGpus()) {
      {
        std::lock_guard lock(mu_);
        if (killing_) return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  gpu_holders_.clear();
  return true;
}

JobReport JobExecution::Report() const {
  std::lock_guard lock(mu_);
  return report_;
}

void JobExecution::AppendToLog(const std::string& line) {
  int fd = ::open(paths_.LogPath(job_id_, attempt_).c_str(),
                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::string text = line + "\n";
  ssize_t n = ::write(fd, text.data(), text.size());
  (void)n;
  ::close(fd);
}

void JobExecution::Run() {
  if (reattached_) {
    // Held while it runs, so that no other job's end takes them for spares.
    if (options_.spares) {
      files_.emplace(*options_.spares);
      (void)files_->Acquire(paths_.LogPath(job_id_, attempt_), SpareKind::kFile);
      (void)files_->Acquire(paths_.OutputDir(job_id_), SpareKind::kFolder);
      (void)files_->Acquire(paths_.DataDir(job_id_, attempt_), SpareKind::kFolder);
      if (assignment_)
        (void)files_->Acquire(paths_.CheckpointDir(*assignment_), SpareKind::kFolder);
    }
    auto exit = runtime_.Wait(*reattached_);
    released_gpus_ = true;
    (void)runtime_.Cleanup(*reattached_);
    {
      std::lock_guard lock(mu_);
      handle_.reset();
    }
    if (assignment_) UploadResults(*assignment_);
    if (!exit.ok()) return Finish(JobState::kFailed, std::nullopt, exit.status().message());
    std::optional<int> code;
    if (exit->signal == 0) code = exit->exit_code;
    return Finish(code == 0 ? JobState::kSucceeded : JobState::kFailed, code,
                  code ? "exit code " + std::to_string(*code) : "ended by a signal");
  }
  RunAssigned();
}

Status JobExecution::AcquireFiles(const Assignment& a) {
  if (!options_.spares) return Internal("no spare pool for job " + std::to_string(job_id_));
  files_.emplace(*options_.spares);
  YARD_RETURN_IF_ERROR(files_->Acquire(paths_.LogPath(job_id_, attempt_), SpareKind::kFile));
  // A job with code runs in its snapshot, and needs no working directory of its own.
  if (a.spec.code.empty())
    YARD_RETURN_IF_ERROR(files_->Acquire(paths_.JobDir(job_id_, attempt_), SpareKind::kFolder));
  YARD_RETURN_IF_ERROR(files_->Acquire(paths_.OutputDir(job_id_), SpareKind::kFolder));
  YARD_RETURN_IF_ERROR(files_->Acquire(paths_.CheckpointDir(a), SpareKind::kFolder));
  return files_->Acquire(paths_.DataDir(job_id_, attempt_), SpareKind::kFolder);
}

void JobExecution::RunAssigned() {
  const Assignment& a = *assignment_;
  if (Status made = AcquireFiles(a); !made.ok())
    return Finish(JobState::kFailed, std::nullopt, made.message());
  JobFiles files(options_.master_url, paths_);
  auto log = [this](std::string_view line) { AppendToLog(std::string(line)); };
  if (Status fetched = files.FetchInputs(a, log); !fetched.ok()) {
    AppendToLog("yard: cannot fetch the job's files: " + fetched.message());
    return Finish(JobState::kFailed, std::nullopt, fetched.message());
  }

  auto made = MakeLaunchSpec(a, paths_, options_.launch);
  if (!made.ok()) {
    AppendToLog("yard: " + made.status().message());
    return Finish(JobState::kFailed, std::nullopt, made.status().message());
  }
  const LaunchSpec& spec = *made;
  if (Status given = GiveWritableMounts(spec); !given.ok()) {
    AppendToLog("yard: " + given.message());
    return Finish(JobState::kFailed, std::nullopt, given.message());
  }
  if (std::string ignored = ContainerOnlySettings(a.spec);
      !options_.launch.in_container && !ignored.empty()) {
    AppendToLog("yard: the " + std::string(runtime_.name()) + " runtime does not apply " + ignored +
                " (a container runtime does)");
  }
  // Only a runtime that reattaches to a running job after a worker restart needs it saved.
  if (runtime_.CanReattach()) assignment_saved_ = SaveAssignment(paths_, a);

  Status prepared =
      runtime_.Prepare(spec, [this](std::string_view line) { AppendToLog(std::string(line)); });
  if (!prepared.ok()) {
    AppendToLog("yard: cannot prepare the job: " + prepared.message());
    return Finish(JobState::kFailed, std::nullopt, prepared.message());
  }
  if (!gpu_holders_.empty()) {
    AppendToLog("yard: waiting for an earlier job on this worker to let go of its GPUs");
    WaitForGpus();
  }
  bool killed_early;
  JobState early_state;
  std::string early_reason;
  {
    std::lock_guard lock(mu_);
    killed_early = killing_;
    early_state = kill_final_;
    early_reason = kill_reason_;
  }
  if (killed_early) return Finish(early_state, std::nullopt, early_reason);
  auto handle = runtime_.Start(spec);
  if (!handle.ok()) {
    AppendToLog("yard: " + handle.status().message());
    return Finish(JobState::kFailed, std::nullopt, handle.status().message());
  }
  bool kill_now = false;
  {
    std::lock_guard lock(mu_);
    handle_ = *handle;
    started_mono_ = MonotonicMicros();
    report_.state = JobState::kRunning;
    report_.started_at = handle->started_at;
    kill_now = killing_;
  }
  if (kill_now) (void)runtime_.Signal(*handle, SIGTERM);
  if (options_.on_change) options_.on_change();

  auto exit = runtime_.Wait(*handle);
  released_gpus_ = true;
  {
    std::lock_guard lock(mu_);
    handle_.reset();
  }
  (void)runtime_.Cleanup(*handle);
  UploadResults(a);
  if (!exit.ok()) return Finish(JobState::kFailed, std::nullopt, exit.status().message());

  std::optional<int> code;
  if (exit->signal == 0) code = exit->exit_code;
  JobState final_state;
  std::string reason;
  {
    std::lock_guard lock(mu_);
    if (killing_ && !(code && *code == 0)) {
      final_state = kill_final_;
      reason = kill_reason_;
    } else if (code && *code == 0) {
      final_state = JobState::kSucceeded;
      reason = "exit code 0";
    } else if (code) {
      final_state = JobState::kFailed;
      reason = "exit code " + std::to_string(*code);
    } else {
      final_state = JobState::kFailed;
      reason = std::string("killed by signal ") + std::to_string(exit->signal) + " (" +
               sigabbrev_np(exit->signal) + ")";
    }
    report_.finished_at = exit->finished_at;
  }
  Finish(final_state, code, reason);
}

void JobExecution::UploadResults(const Assignment& a) {
  // Outputs and checkpoints go to the file server before the job is reported ended.
  JobFiles files(options_.master_url, paths_);
  auto log = [this](std::string_view line) { AppendToLog(std::string(line)); };
  for (int tries = 1;; ++tries) {
    Status uploaded = files.UploadResults(a, log);
    if (uploaded.ok()) return;
    if (tries == 3 || abandon_) {
      AppendToLog("yard: could not upload the job's outputs: " + uploaded.message());
      return;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void JobExecution::ShipFinalOutput() {
  HttpClient master(options_.master_url);
  // The master must have all of the output before it hears that the job ended.
  for (int attempt = 0; !abandon_; ++attempt) {
    Status s = output_.Ship(master);
    if (s.ok()) return;
    if (attempt % 10 == 0) spdlog::warn("worker: job {} output: {}", job_id_, s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void JobExecution::Finish(JobState state, std::optional<int> exit_code, const std::string& reason) {
  ShipFinalOutput();
  if (assignment_saved_ || reattached_) {
    std::error_code ec;
    fs::remove(paths_.AssignmentPath(job_id_, attempt_), ec);
  }
  {
    std::lock_guard lock(mu_);
    report_.state = state;
    report_.exit_code = exit_code;
    report_.reason = reason;
    if (report_.finished_at == 0) report_.finished_at = NowMicros();
  }
  released_gpus_ = true;  // also when it ended before any process started
  finished_ = true;
  if (options_.on_change) options_.on_change();
  // Its outputs are uploaded, its output shipped and its process gone: a later job may have the
  // folders (and the log) it left empty. After the report, so that the heartbeat telling the
  // master does not wait for the renames; the worker joins this thread only once the master
  // has acknowledged the end.
  if (files_) files_->ReleaseAll();
}

void JobExecution::Kill(const std::string& why, JobState final_state, int grace_ms) {
  std::lock_guard lock(mu_);
  if (killing_ || finished_) return;
  killing_ = true;
  kill_final_ = final_state;
  kill_reason_ = why;
  kill_deadline_mono_ =
      MonotonicMicros() + int64_t{grace_ms > 0 ? grace_ms : options_.kill_grace_ms} * 1000;
  if (handle_) (void)runtime_.Signal(*handle_, SIGTERM);
}

void JobExecution::Tick() {
  int64_t timeout_s = assignment_ ? assignment_->spec.timeout_s : 0;
  bool timed_out = false;
  {
    std::lock_guard lock(mu_);
    if (finished_ || !handle_) return;
    Micros now = MonotonicMicros();
    if (killing_) {
      if (!sigkilled_ && now >= kill_deadline_mono_) {
        sigkilled_ = true;
        (void)runtime_.Signal(*handle_, SIGKILL);
      }
      return;
    }
    timed_out = timeout_s > 0 && now - started_mono_ >= timeout_s * 1'000'000;
  }
  if (timed_out) {
    Kill("exceeded its timeout of " + FormatDuration(timeout_s), JobState::kTimedOut);
  }
}

bool JobExecution::NeedsTicks() const {
  std::lock_guard lock(mu_);
  if (finished_) return false;
  return killing_ || (assignment_ && assignment_->spec.timeout_s > 0);
}

std::vector<int64_t> JobExecution::Pids() {
  std::lock_guard lock(mu_);
  if (!handle_) return {};
  return runtime_.Pids(*handle_);
}

}  // namespace yard
