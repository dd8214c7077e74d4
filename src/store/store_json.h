// The JSON kept in the store's TEXT columns: job specs, GPU lists and last metric values.
//
// This is the store's own format, private to src/store and independent of the HTTP API's JSON,
// so that either can change without breaking the other. Readers take a missing field as its
// default, so that rows written before a field existed still read.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace yard::store_internal {

Json JobSpecToJson(const JobSpec& spec);
Result<JobSpec> JobSpecFromJson(const Json& json);

Json GpuRefsToJson(const std::vector<GpuRef>& gpus);
Result<std::vector<GpuRef>> GpuRefsFromJson(const Json& json);

Json GpuInfosToJson(const std::vector<GpuInfo>& gpus);
Result<std::vector<GpuInfo>> GpuInfosFromJson(const Json& json);

// Key -> value. JSON has no NaN or infinities, so those are written as the strings "NaN",
// "Infinity" and "-Infinity" (which is also what a person reading the column sees).
Json MetricValuesToJson(const std::map<std::string, double>& values);
Result<std::map<std::string, double>> MetricValuesFromJson(const Json& json);

// Parses column text; `what` names the column for the error ("job 12 spec").
Result<Json> ParseColumn(const std::string& text, std::string_view what);

}  // namespace yard::store_internal
