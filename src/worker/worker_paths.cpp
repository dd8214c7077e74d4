#include "worker/worker_paths.h"

namespace yard {
namespace fs = std::filesystem;

namespace {
std::string Attempt(int64_t job_id, int attempt) {
  return std::to_string(job_id) + "-" + std::to_string(attempt);
}
}  // namespace

fs::path WorkerPaths::JobDir(int64_t job_id, int attempt) const {
  return root / "jobs" / Attempt(job_id, attempt);
}
fs::path WorkerPaths::LogPath(int64_t job_id, int attempt) const {
  return root / "logs" / (Attempt(job_id, attempt) + ".log");
}
fs::path WorkerPaths::OutputDir(int64_t job_id) const {
  return root / "outputs" / std::to_string(job_id);
}
fs::path WorkerPaths::CheckpointDir(const Assignment& a) const {
  if (a.sweep_id > 0 && a.trial >= 0)
    return root / "checkpoints" /
           ("sweep-" + std::to_string(a.sweep_id) + "-trial-" + std::to_string(a.trial));
  return root / "checkpoints" / std::to_string(a.job_id);
}
fs::path WorkerPaths::DataDir(int64_t job_id, int attempt) const {
  return root / "data" / Attempt(job_id, attempt);
}
fs::path WorkerPaths::CodeDir(const std::string& snapshot_id) const {
  return root / "code" / snapshot_id;
}
fs::path WorkerPaths::CacheDir() const { return root / "cache"; }
fs::path WorkerPaths::RuntimeStateDir() const { return root / "runtime"; }
fs::path WorkerPaths::SpareDir() const { return root / "spare"; }
fs::path WorkerPaths::AssignmentPath(int64_t job_id, int attempt) const {
  return root / "assignments" / (Attempt(job_id, attempt) + ".json");
}

}  // namespace yard
