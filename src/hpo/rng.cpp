#include "hpo/rng.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "hpo/detmath.h"

namespace yard::hpo {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ SplitMix64(stream ^ 0x5851f42d4c957f2dULL);
  for (auto& word : s_) {
    x += 0x9e3779b97f4a7c15ULL;
    word = SplitMix64(x);
  }
  if (s_[0] == 0 && s_[1] == 0 && s_[2] == 0 && s_[3] == 0) s_[0] = 1;  // never all zero
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return UnitFromBits(Next()); }

uint64_t Rng::Below(uint64_t n) {
  if (n == 0) return 0;
  // Rejection of the top partial block keeps every residue equally likely.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return x % n;
}

double Rng::Normal() {
  for (;;) {
    double u = 2 * Uniform() - 1;
    double v = 2 * Uniform() - 1;
    double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    return u * std::sqrt(-2 * DetLog(s) / s);  // sqrt is exact in IEEE arithmetic
  }
}

double Rng::TruncatedNormal(double mean, double sd, double lo, double hi) {
  for (int i = 0; i < 64; ++i) {
    double x = mean + sd * Normal();
    if (x >= lo && x <= hi) return x;
  }
  return mean < lo ? lo : (mean > hi ? hi : mean);
}

Json Rng::Save() const {
  Json out = Json::array();
  for (uint64_t word : s_) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(word));
    out.push_back(buf);
  }
  return out;
}

Result<Rng> Rng::Load(const Json& state) {
  if (!state.is_array() || state.size() != 4)
    return InvalidArgument("rng state must be a list of four hex words");
  Rng rng;
  bool any = false;
  for (size_t i = 0; i < 4; ++i) {
    if (!state[i].is_string()) return InvalidArgument("rng state words must be strings");
    const auto& text = state[i].get_ref<const std::string&>();
    if (text.size() != 16) return InvalidArgument("rng state words must have 16 hex digits");
    uint64_t word = 0;
    for (char c : text) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return InvalidArgument("rng state word '" + text + "' is not hex");
      word = word << 4 | static_cast<uint64_t>(digit);
    }
    rng.s_[i] = word;
    any = any || word != 0;
  }
  if (!any) return InvalidArgument("rng state must not be all zero");
  return rng;
}

}  // namespace yard::hpo
