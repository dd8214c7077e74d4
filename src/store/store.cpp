// Store::Open: picks the implementation from the database URL.
#include "store/store.h"

#include "store/sqlite_store.h"

namespace yard {

Result<std::unique_ptr<Store>> Store::Open(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    // "sqlite::memory:" leaves ":memory:", SQLite's own name for an in-memory database.
    std::string path = url.substr(kSqlite.size());
    if (path.empty())
      return InvalidArgument("database URL \"sqlite:\" names no file; use sqlite:PATH");
    return store_internal::OpenSqliteStore(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return Unavailable("PostgreSQL support is not built yet; use sqlite:PATH");
  }
  return InvalidArgument("unknown database URL \"" + url +
                         "\": use sqlite:PATH, sqlite::memory: or postgresql://...");
}

}  // namespace yard
