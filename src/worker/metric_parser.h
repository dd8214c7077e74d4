// Finds `YARD_METRIC {json}` lines in a job's output as it streams past, chunk by chunk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"

namespace yard {

class MetricParser {
 public:
  // Feeds the next bytes of output; returns the metric points of the lines completed by them.
  // A line's "step" names its step; without one, the line's order among metric lines does.
  // Values that are not numbers (or booleans) are skipped, as are malformed lines.
  std::vector<MetricPoint> Feed(std::string_view bytes);

 private:
  void ParseLine(std::string_view line, std::vector<MetricPoint>& out);
  std::string partial_;
  bool discarding_ = false;  // inside a line too long to be a metric line
  int64_t lines_ = 0;
};

}  // namespace yard
