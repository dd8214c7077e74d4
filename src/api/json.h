// The JSON forms of the shared records: the HTTP API's contract (docs/architecture.md).
// Times are RFC 3339 UTC with milliseconds; absent times are null.
#pragma once

#include "api/types.h"
#include "common/status.h"

namespace yard {

Json GpuInfoToJson(const GpuInfo& gpu);
Result<GpuInfo> GpuInfoFromJson(const Json& j);
Json GpuUsageToJson(const GpuUsage& usage);
Result<GpuUsage> GpuUsageFromJson(const Json& j);
Json GpuRefToJson(const GpuRef& gpu);

Json JobToJson(const Job& job);
Json SweepToJson(const Sweep& sweep);
Json WorkerToJson(const WorkerRecord& worker);
std::string_view ToString(WorkerState state);

// RFC 3339 text, or null for a time that has not happened.
Json TimeToJson(Micros t);

// Reading fields of JSON from outside without exceptions: each names the field on error.
Result<int64_t> RequireInt(const Json& j, const char* field);
Result<std::string> RequireString(const Json& j, const char* field);

}  // namespace yard
