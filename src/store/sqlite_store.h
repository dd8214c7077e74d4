// The SQLite implementation of Store (store.h).
//
// One connection per store, in WAL mode with synchronous=NORMAL: a commit survives the process
// being killed (kill -9) at any moment, though not a power cut in its last instants; readers in
// other processes (sqlite3 DB 'SELECT * FROM jobs_view') never block the master.
//
// What this implementation adds to the Store contract:
// - One transaction at a time per store: Begin fails with Internal while one is open.
// - Reads through the store while a transaction is open see that transaction's writes (it is
//   the same connection); other connections and processes see them only after Commit().
// - A transaction holds the connection, so it may outlive its store.
// - UpdateJob/UpdateSweep of an unknown id fail with NotFound; writes that break a reference
//   (a job naming an unknown sweep or worker, a state change or metric of an unknown job) fail
//   with Conflict.
// - Another process holding the write lock is waited for up to 5 s, then Unavailable.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace yard::store_internal {

// Opens the database file at `path`, creating it and its folder if missing (":memory:" makes a
// private in-memory database), and migrates it to the newest schema. Fails with InvalidArgument
// when the database was written by a newer schema than this build knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace yard::store_internal
