// The SQLite schema as a numbered list of migrations, and the code that applies them.
//
// Migration N is the SQL script at index N-1. A database's number lives in the single row of
// table schema_version; 0 is an empty database. Published migrations are never edited: a change
// to the schema is a new script at the end of the list.
#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "store/sqlite_db.h"

namespace yard::store_internal {

// Every migration of the SQLite store, oldest first.
std::span<const std::string_view> SqliteMigrations();

// Applies the migrations the database lacks, each in its own transaction with the new number,
// so that a failed one leaves the database at the previous number. Safe to call on every open,
// also by two processes at once. Fails, changing nothing, when the database's number is higher
// than migrations.size(): it was written by a newer build that this one cannot understand.
Status Migrate(Db& db, std::span<const std::string_view> migrations);

// The database's number (0 before the first Migrate).
Result<int> ReadSchemaVersion(Db& db);

}  // namespace yard::store_internal
