#include "store/sqlite_db.h"

#include <cctype>
#include <limits>

namespace yard::store_internal {

Status SqliteError(sqlite3* db, int rc) {
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Conflict(std::move(message));
    case SQLITE_TOOBIG:
      return TooLarge(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
      return IoError(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

// ---- Stmt ----

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Status Stmt::Check(int rc) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteError(sqlite3_db_handle(stmt_), rc);
}

Status Stmt::BindAt(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value));
}

Status Stmt::BindAt(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value));
}

Status Stmt::BindAt(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Status Stmt::BindAt(int index, std::nullptr_t) { return Check(sqlite3_bind_null(stmt_, index)); }

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Check(rc);
}

Status Stmt::Run() {
  while (true) {
    YARD_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Stmt::Real(int col) const {
  if (IsNull(col)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, col);
}

std::string Stmt::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

void Stmt::Reset() {
  // The return value repeats the last step's error, which its caller has already seen.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

StmtLease::~StmtLease() {
  if (stmt_ == nullptr) return;
  stmt_->Reset();
  stmt_->leased_ = false;
}

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // The connection exists even when opening failed, to carry the message; it must be closed.
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) return SqliteError(raw, rc);
  return db;
}

Db::~Db() {
  cache_.clear();  // sqlite3_close refuses a connection with unfinalized statements
  sqlite3_close(db_);
}

Result<StmtLease> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    if (rc != SQLITE_OK) return SqliteError(db_, rc);
    auto stmt = std::make_unique<Stmt>(raw);
    // SQLite prepares only the first statement; anything after it would be silently dropped.
    for (const char* p = tail; p != sql.data() + sql.size(); ++p) {
      if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';')
        return Internal("more than one statement in: " + std::string(sql));
    }
    it = cache_.emplace(std::string(sql), std::move(stmt)).first;
  }
  Stmt* stmt = it->second.get();
  if (stmt->leased_) return Internal("statement already in use: " + std::string(sql));
  stmt->leased_ = true;
  return StmtLease(stmt);
}

Status Db::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc);
  return Status::Ok();
}

Result<std::string> Db::QueryText(std::string_view sql) {
  YARD_ASSIGN_OR_RETURN(StmtLease stmt, Prepare(sql));
  YARD_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Internal("no answer from: " + std::string(sql));
  return stmt->Text(0);
}

int64_t Db::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace yard::store_internal
