#include "sim/trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>

namespace yard::sim {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t end = s.find(sep, pos);
    out.push_back(
        s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

Result<double> Number(std::string_view text, int line, std::string_view field) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return InvalidArgument("trace line " + std::to_string(line) + ": " + std::string(field) + " '" +
                           std::string(text) + "' is not a number");
  return v;
}

Status Bad(int line, std::string_view field, const std::string& what) {
  return InvalidArgument("trace line " + std::to_string(line) + ": " + std::string(field) + " " +
                         what);
}

}  // namespace

Result<std::vector<TraceJob>> ParseTrace(std::string_view csv) {
  std::vector<std::string_view> lines = Split(csv, '\n');
  if (lines.empty() || Trim(lines[0]).empty())
    return InvalidArgument("trace: empty; the first line must be a header");
  enum Column { kSubmit, kDuration, kGpus, kGroup, kModel, kPriority, kTimeout, kColumns };
  const std::array<std::string_view, kColumns> names = {
      "submit_time", "duration", "num_gpus", "group", "gpu_model", "priority", "timeout"};
  std::array<int, kColumns> at;
  at.fill(-1);
  std::vector<std::string_view> header = Split(lines[0], ',');
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    std::string_view h = Trim(header[i]);
    for (int c = 0; c < kColumns; ++c)
      if (h == names[c]) {
        if (at[c] >= 0) return InvalidArgument("trace line 1: column " + std::string(h) + " twice");
        at[c] = i;
      }
  }
  for (int c : {kSubmit, kDuration, kGpus})
    if (at[c] < 0)
      return InvalidArgument("trace line 1: missing column " + std::string(names[c]) +
                             " (the header needs submit_time,duration,num_gpus)");
  std::vector<TraceJob> jobs;
  jobs.reserve(lines.size());
  for (size_t i = 1; i < lines.size(); ++i) {
    int line = static_cast<int>(i) + 1;
    if (Trim(lines[i]).empty()) continue;
    std::vector<std::string_view> cells = Split(lines[i], ',');
    if (cells.size() != header.size())
      return InvalidArgument("trace line " + std::to_string(line) + ": " +
                             std::to_string(cells.size()) + " fields, the header has " +
                             std::to_string(header.size()));
    auto cell = [&](Column c) { return at[c] < 0 ? std::string_view() : Trim(cells[at[c]]); };
    TraceJob job;
    job.line = line;
    YARD_ASSIGN_OR_RETURN(job.submit_time, Number(cell(kSubmit), line, "submit_time"));
    if (job.submit_time < 0) return Bad(line, "submit_time", "is negative");
    YARD_ASSIGN_OR_RETURN(job.duration, Number(cell(kDuration), line, "duration"));
    if (job.duration <= 0) return Bad(line, "duration", "must be > 0");
    YARD_ASSIGN_OR_RETURN(double gpus, Number(cell(kGpus), line, "num_gpus"));
    if (gpus < 1 || gpus != std::floor(gpus) || gpus > 1e6)
      return Bad(line, "num_gpus", "must be a whole number >= 1");
    job.gpus = static_cast<int>(gpus);
    job.group = std::string(cell(kGroup));
    if (!cell(kModel).empty())
      for (std::string_view m : Split(cell(kModel), '|'))
        if (!Trim(m).empty()) job.gpu_models.emplace_back(Trim(m));
    if (!cell(kPriority).empty()) {
      YARD_ASSIGN_OR_RETURN(double p, Number(cell(kPriority), line, "priority"));
      if (p < 0 || p > 100 || p != std::floor(p))
        return Bad(line, "priority", "must be a whole number in 0..100");
      job.priority = static_cast<int>(p);
    }
    if (!cell(kTimeout).empty()) {
      YARD_ASSIGN_OR_RETURN(job.timeout, Number(cell(kTimeout), line, "timeout"));
      if (job.timeout < 0) return Bad(line, "timeout", "is negative");
    }
    jobs.push_back(std::move(job));
  }
  if (jobs.empty()) return InvalidArgument("trace: no jobs after the header");
  std::stable_sort(jobs.begin(), jobs.end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit_time < b.submit_time;
  });
  return jobs;
}

namespace {

// Compute capability by model family; the longest matching prefix wins ("A100" over "A10").
double ComputeCapability(std::string_view model) {
  static const std::map<std::string_view, double> kFamilies = {
      {"K80", 3.7},  {"P100", 6.0}, {"V100", 7.0}, {"T4", 7.5}, {"A100", 8.0},
      {"A10", 8.6},  {"A30", 8.0},  {"A40", 8.6},  {"L4", 8.9}, {"L40", 8.9},
      {"H100", 9.0}, {"H200", 9.0}, {"B200", 10.0}};
  double best = 0;
  size_t best_len = 0;
  for (const auto& [family, cc] : kFamilies)
    if (model.substr(0, family.size()) == family && family.size() > best_len) {
      best = cc;
      best_len = family.size();
    }
  return best;
}

}  // namespace

Result<ClusterSpec> ParseClusterSpec(std::string_view spec) {
  ClusterSpec out;
  out.text = std::string(spec);
  for (std::string_view raw : Split(spec, ',')) {
    std::string_view item = Trim(raw);
    std::string quoted = "cluster: '" + std::string(item) + "'";
    std::vector<std::string_view> parts = Split(item, 'x');
    if (parts.size() < 3)
      return InvalidArgument(quoted + " is not WORKERSxGPUSxMODEL (e.g. 64x8xV100-16GB)");
    // The model may itself contain an 'x'; it is everything after the second one.
    std::string model(item.substr(parts[0].size() + parts[1].size() + 2));
    int counts[2];
    for (int i = 0; i < 2; ++i) {
      auto [end, ec] =
          std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), counts[i]);
      if (parts[i].empty() || ec != std::errc() || end != parts[i].data() + parts[i].size() ||
          counts[i] < 1 || counts[i] > 100000)
        return InvalidArgument(quoted + ": '" + std::string(parts[i]) + "' is not a count of " +
                               (i == 0 ? "workers" : "GPUs"));
    }
    size_t dash = model.rfind('-');
    double memory = 0;
    if (dash != std::string::npos && model.size() > dash + 3 &&
        model.compare(model.size() - 2, 2, "GB") == 0) {
      std::string_view digits(model.data() + dash + 1, model.size() - dash - 3);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), memory);
      if (ec != std::errc() || end != digits.data() + digits.size()) memory = 0;
    }
    if (memory <= 0)
      return InvalidArgument(quoted + ": model " + model +
                             " does not end in its memory; write it like A100-80GB");
    int index = -1;
    for (int m = 0; m < static_cast<int>(out.models.size()); ++m)
      if (out.models[m].name == model) index = m;
    if (index < 0) {
      index = static_cast<int>(out.models.size());
      out.models.push_back({model, memory, ComputeCapability(model)});
    }
    int64_t gpus = static_cast<int64_t>(counts[0]) * counts[1];
    if (out.total_gpus + gpus > 1'000'000)
      return InvalidArgument("cluster: more than a million GPUs");
    out.groups.push_back({counts[0], counts[1], index});
    out.total_gpus += static_cast<int>(gpus);
  }
  return out;
}

}  // namespace yard::sim
