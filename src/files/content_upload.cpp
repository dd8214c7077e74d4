#include "files/content_upload.h"

#include <map>

#include "files/sha256.h"

namespace yard {

Result<std::vector<std::string>> HashFiles(const std::vector<LocalFile>& files) {
  std::vector<std::string> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    YARD_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(f.abs));
    out.push_back(std::move(sha));
  }
  return out;
}

Result<uint64_t> UploadMissingContent(FileClient& client, const std::vector<LocalFile>& files,
                                      const std::vector<std::string>& sha256s,
                                      const ProgressFn& progress) {
  if (files.size() != sha256s.size()) return Internal("one hash per file is needed");
  std::map<std::string, const LocalFile*> by_sha;  // one file to read each content from
  for (size_t i = 0; i < files.size(); ++i) by_sha.emplace(sha256s[i], &files[i]);
  std::vector<std::string> unique;
  for (const auto& [sha, f] : by_sha) unique.push_back(sha);
  YARD_ASSIGN_OR_RETURN(std::vector<std::string> missing, client.MissingBlobs(unique));

  std::vector<const LocalFile*> to_send;
  std::vector<std::string> to_send_sha;
  uint64_t total = 0;
  for (const auto& sha : missing) {
    auto it = by_sha.find(sha);
    if (it == by_sha.end()) continue;  // not one we asked about: nothing of ours to send
    to_send.push_back(it->second);
    to_send_sha.push_back(sha);
    total += it->second->size;
  }
  uint64_t sent_total = 0, done_before = 0;
  for (size_t i = 0; i < to_send.size(); ++i) {
    const LocalFile& f = *to_send[i];
    ProgressFn each;
    if (progress) each = [&](uint64_t done, uint64_t) { progress(done_before + done, total); };
    auto sent = client.PutBlob(f.abs, to_send_sha[i], each);
    if (!sent.ok() && sent.status().code() == Code::kInvalidArgument)
      return sent.status().Prefixed(f.rel + " changed after it was hashed; try again");
    if (!sent.ok()) return sent.status().Prefixed(f.rel);
    done_before += f.size;
    sent_total += *sent;
  }
  return sent_total;
}

}  // namespace yard
