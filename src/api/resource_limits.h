// The container limits a job spec may ask for under `resources:` (memory, cpus, pids), read
// from the forms people write: `memory: 8GiB`, `cpus: 2.5`, `pids: 1024`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yard {

// A byte count: a whole number of bytes, or a number with a unit. Binary units KiB, MiB, GiB,
// TiB and Docker's K, M, G, T (also powers of 1024); decimal kB/KB, MB, GB, TB; B. Units are
// case-insensitive ("8gib" reads like "8GiB"), a fraction is allowed ("1.5GiB") and spaces
// between the number and the unit are too. nullopt for anything else, a negative number, or a
// value past INT64_MAX.
std::optional<int64_t> ParseByteSize(std::string_view text);

// "8 GiB", "1.5 GiB", "512 MiB", "100 B": the largest binary unit that keeps the number >= 1.
std::string FormatByteSize(int64_t bytes);

// CPUs as Docker's NanoCpus (1e-9 CPU): 2.5 -> 2'500'000'000. nullopt when not in
// [0.001, 1e6] or not finite.
std::optional<int64_t> CpusToNano(double cpus);

}  // namespace yard
