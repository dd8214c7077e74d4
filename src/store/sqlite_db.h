// RAII wrappers over the SQLite C API: a connection (Db) that owns its prepared statements,
// and statements (Stmt) with bind and column helpers. SQLite errors become Status here, carrying
// SQLite's own message; callers put what they were doing in front (Status::Prefixed).
//
// Private to src/store. Not thread-safe, like the Store above it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace yard::store_internal {

// Turns a failed SQLite call into a Status: busy/locked -> Unavailable (worth retrying),
// constraint violations -> Conflict, file and disk trouble -> Io, the rest -> Internal.
// The message is `db`'s latest error message.
Status SqliteError(sqlite3* db, int rc);

// One prepared statement. Binds are 1-based like SQLite's; columns are 0-based like SQLite's.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds args to parameters 1..N in order. Accepts integers, doubles, strings, nullptr (NULL)
  // and std::optional of those (nullopt is NULL). Strings are copied.
  template <class... Args>
  Status Bind(const Args&... args) {
    Status status;
    int index = 0;
    (void)(... && (status = BindAt(++index, args)).ok());
    return status;
  }

  // Binds one parameter; Bind above is the usual way.
  Status BindAt(int index, int64_t value);
  Status BindAt(int index, int value) { return BindAt(index, static_cast<int64_t>(value)); }
  Status BindAt(int index, double value);
  Status BindAt(int index, std::string_view value);
  Status BindAt(int index, std::nullptr_t);
  template <class T>
  Status BindAt(int index, const std::optional<T>& value) {
    return value ? BindAt(index, *value) : BindAt(index, nullptr);
  }

  // One step: true when a row is ready to read, false when the statement is done.
  Result<bool> Step();
  // Steps until done, ignoring any rows (INSERT, UPDATE, ... RETURNING nothing wanted).
  Status Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  // NULL reads as NaN: SQLite stores a NaN double as NULL, so this gives it back.
  double Real(int col) const;
  std::string Text(int col) const;

  // Ready to run again, with every parameter NULL.
  void Reset();

 private:
  friend class Db;
  friend class StmtLease;

  Status Check(int rc) const;

  sqlite3_stmt* stmt_;
  bool leased_ = false;  // handed out by Db::Prepare and not yet given back
};

// A cached statement on loan: resets it (ending any read it holds open) when it goes away.
class StmtLease {
 public:
  explicit StmtLease(Stmt* stmt) : stmt_(stmt) {}
  ~StmtLease();
  StmtLease(StmtLease&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  StmtLease(const StmtLease&) = delete;
  StmtLease& operator=(const StmtLease&) = delete;
  StmtLease& operator=(StmtLease&&) = delete;

  Stmt* operator->() const { return stmt_; }
  Stmt& operator*() const { return *stmt_; }

 private:
  Stmt* stmt_;
};

// One connection. Statements prepared through it are kept for its lifetime, so that the hot
// paths (job updates, state changes) skip SQLite's parser after their first use.
class Db {
 public:
  // Opens or creates the database file; ":memory:" makes a private in-memory database.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The statement for `sql` (one statement), prepared on first use and reset on loan return.
  // Fails with Internal if the same statement is already on loan: a caller is nesting a query
  // inside itself.
  Result<StmtLease> Prepare(std::string_view sql);

  // Runs a script of statements whose rows, if any, are ignored.
  Status Exec(const std::string& sql);

  // Runs `sql` and gives the first column of its first row as text (PRAGMA answers).
  Result<std::string> QueryText(std::string_view sql);

  int64_t LastInsertId() const;
  // Rows changed by the latest INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  bool InTransaction() const;

  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  // Destroyed (finalized) before the connection is closed, in ~Db.
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> cache_;
};

}  // namespace yard::store_internal
