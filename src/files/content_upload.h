// The sending half shared by snapshots and output uploads: hash local files, ask the server
// which contents it lacks, send only those (one upload per distinct content).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "files/file_client.h"
#include "files/folder_walk.h"

namespace yard {

// The SHA-256 of each file, in the same order.
Result<std::vector<std::string>> HashFiles(const std::vector<LocalFile>& files);

// Uploads the content of `files` (with `sha256s[i]` the hash of files[i]) that the server does
// not have; returns the bytes sent. `progress` sees bytes sent against bytes to send. A file
// that changed since it was hashed fails with InvalidArgument naming it.
Result<uint64_t> UploadMissingContent(FileClient& client, const std::vector<LocalFile>& files,
                                      const std::vector<std::string>& sha256s,
                                      const ProgressFn& progress);

}  // namespace yard
