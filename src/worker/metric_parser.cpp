#include "worker/metric_parser.h"

#include <cmath>

namespace yard {
namespace {

constexpr std::string_view kPrefix = "YARD_METRIC ";
constexpr size_t kMaxLine = 64 * 1024;

}  // namespace

std::vector<MetricPoint> MetricParser::Feed(std::string_view bytes) {
  std::vector<MetricPoint> out;
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (!discarding_) {
      if (partial_.size() + piece.size() > kMaxLine) {
        partial_.clear();
        discarding_ = true;
      } else {
        partial_.append(piece);
      }
    }
    if (nl == std::string_view::npos) break;
    if (!discarding_) ParseLine(partial_, out);
    partial_.clear();
    discarding_ = false;
    bytes.remove_prefix(nl + 1);
  }
  return out;
}

void MetricParser::ParseLine(std::string_view line, std::vector<MetricPoint>& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.substr(0, kPrefix.size()) != kPrefix) return;
  Json j = Json::parse(line.substr(kPrefix.size()), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  int64_t step = lines_++;
  if (j.contains("step") && j["step"].is_number()) {
    double given = j["step"].get<double>();
    if (!std::isfinite(given) || given < 0 || given > 1e15) return;  // not a step: skip the line
    step = static_cast<int64_t>(given);
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "step" || key.empty() || key.size() > 256) continue;
    double v;
    if (value.is_number())
      v = value.get<double>();
    else if (value.is_boolean())
      v = value.get<bool>() ? 1.0 : 0.0;
    else if (value.is_null())
      v = std::nan("");  // the Python helper writes NaN as null
    else
      continue;
    out.push_back({0, step, key, v, 0});
  }
}

}  // namespace yard
