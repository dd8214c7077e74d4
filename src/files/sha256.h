// SHA-256 (FIPS 180-4), written here so that the file server needs no crypto library. Used to
// name blobs by their content; incremental, so a stream is hashed as it passes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace yard {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Ends the hash; the object must not be updated afterwards (Reset() starts over).
  Digest Finish();
  // Finish() as 64 lowercase hex digits.
  std::string FinishHex();
  void Reset();

 private:
  void Block(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string Sha256Hex(std::string_view data);
std::string DigestToHex(const Sha256::Digest& digest);

// True for exactly 64 lowercase hex digits: the only form of a blob name the store accepts.
bool IsSha256Hex(std::string_view text);

// The hash of a file's content, read in chunks. The empty string's hash for an empty file.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace yard
