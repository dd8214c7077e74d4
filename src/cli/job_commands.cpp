// yard submit, yard run, yard cancel.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/spec_file.h"
#include "client/http_client.h"
#include "files/snapshot.h"

namespace yard {
namespace {

std::string CurrentUser() {
  for (const char* var : {"YARD_USER", "USER", "LOGNAME"})
    if (const char* v = std::getenv(var); v && *v) return v;
  return "anonymous";
}

int SubmitSpec(const Json& spec, bool json) {
  HttpClient master(MasterUrlFromEnv());
  auto r = master.Post("/v1/jobs", {{"spec", spec}, {"user", CurrentUser()}});
  if (!r.ok()) return Fail(r.status().message());
  if (json) {
    std::cout << r->dump() << "\n";
  } else if (r->contains("sweep_id")) {
    const Json& ids = (*r)["job_ids"];
    std::cout << "submitted sweep " << (*r)["sweep_id"] << " with " << ids.size() << " trials";
    if (!ids.empty()) std::cout << " (jobs " << ids.front() << "-" << ids.back() << ")";
    std::cout << "\n";
  } else {
    std::cout << "submitted job " << (*r)["job_id"] << "\n";
  }
  return 0;
}

}  // namespace

// Replaces a spec's `code:` folder (relative to the spec file) with a snapshot on the file
// server, so the job runs exactly this code even if the folder changes afterwards.
Status SnapshotCode(Json& spec, const std::string& spec_file, uint64_t max_bytes) {
  if (!spec.contains("code") || !spec["code"].is_string()) return Status::Ok();
  namespace fs = std::filesystem;
  fs::path folder = spec["code"].get<std::string>();
  if (folder.is_relative()) folder = fs::absolute(spec_file).parent_path() / folder;
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return InvalidArgument("spec field 'code': " + folder.string() + " is not a folder");
  ProgressBar bar("code");
  auto snap = SnapshotFolder(MasterUrlFromEnv(), folder.lexically_normal().string(), {}, max_bytes,
                             [&](uint64_t done, uint64_t total) { bar.Update(done, total); });
  if (!snap.ok()) return snap.status().Prefixed("code snapshot of " + folder.string());
  std::cerr << "code: " << folder.lexically_normal().string() << ": " << snap->files << " files, "
            << FormatBytes(snap->total_bytes) << " (" << FormatBytes(snap->bytes_uploaded)
            << " sent), snapshot " << snap->id.substr(0, 12) << "\n";
  spec["code"] = "code/" + snap->id;
  return Status::Ok();
}

int SubmitCommand(const SubmitFlags& flags) {
  auto spec = ReadSpecFile(flags.file);
  if (!spec.ok()) return Fail(spec.status().message());
  if (Status s = ApplyOverrides(*spec, flags.overrides); !s.ok()) return Fail(s.message());
  if (Status s = SnapshotCode(*spec, flags.file, flags.max_code_bytes); !s.ok())
    return Fail(s.message());
  return SubmitSpec(*spec, flags.json);
}

int RunCommand(const RunFlags& flags) {
  Json spec = {{"command", flags.command},
               {"resources", {{"gpus", flags.gpus}}},
               {"priority", flags.priority}};
  if (!flags.name.empty()) spec["name"] = flags.name;
  if (!flags.image.empty()) spec["image"] = flags.image;
  return SubmitSpec(spec, flags.json);
}

int CancelCommand(const std::vector<std::string>& ids) {
  HttpClient master(MasterUrlFromEnv());
  int failed = 0;
  for (const auto& raw : ids) {
    bool sweep = false;
    std::string id = raw;
    if (id.rfind("sweep:", 0) == 0)
      sweep = true, id = id.substr(6);
    else if (!id.empty() && (id[0] == 's' || id[0] == 'S'))
      sweep = true, id = id.substr(1);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      failed += Fail("'" + raw + "' is neither a job id (12) nor a sweep id (s3)");
      continue;
    }
    auto r = master.Post("/v1/" + std::string(sweep ? "sweeps/" : "jobs/") + id + "/cancel",
                         Json::object());
    if (!r.ok()) {
      failed += Fail((sweep ? "sweep " : "job ") + id + ": " + r.status().message());
      continue;
    }
    if (sweep) {
      std::cout << "cancelled sweep " << id << "\n";
    } else if ((*r)["state"] == "CANCELLED") {
      std::cout << "cancelled job " << id << "\n";
    } else {
      std::cout << "cancelling job " << id << " (" << (*r)["state"].get<std::string>() << " on "
                << (*r)["worker"].get<std::string>() << ")\n";
    }
  }
  return failed ? 1 : 0;
}

}  // namespace yard
