// RAII wrappers over the SQLite C API.
#include "sqlite.hpp"

#include "notify/runtime/assert.hpp"
#include "notify/store/store.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <mutex>

namespace notify::store::sqlite {

namespace {

// SQLite's allocation statistics take a global mutex on every malloc and free; nothing here
// reads them. The setting must precede SQLite's initialisation, so it is made once, before the
// first connection; if SQLite was already initialised elsewhere it is refused, harmlessly.
void configure_library() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Db::Db(const std::string& path) {
  configure_library();
  // The store serialises every use of a connection under its own mutex, so SQLite's
  // per-connection mutex (the default "serialized" mode) would only be locked a second time.
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreOpenError("cannot open store '" + path + "': " + reason +
                         " (expected a writable SQLite file path or \":memory:\")");
  }
  // Another process (a second notify-sim, the sqlite3 shell) may hold the file briefly.
  sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() { sqlite3_close(db_); }

std::optional<std::string> Db::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return std::nullopt;
  std::string out = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return out;
}

std::optional<std::int64_t> Db::query_int(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) return std::nullopt;
  std::optional<std::int64_t> out;
  if (sqlite3_step(stmt) == SQLITE_ROW) out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return out;
}

std::string Db::last_error() const { return sqlite3_errmsg(db_); }

int Db::changes() const { return sqlite3_changes(db_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Statement::Statement(Db& db, const char* sql) {
  int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr);
  // Every statement is a literal in this module; one that does not prepare is a bug here.
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "store: cannot prepare \"%s\": %s\n", sql, db.last_error().c_str());
  }
  NOTIFY_ASSERT(rc == SQLITE_OK);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

// Every statement is stepped and reset (ResetGuard) while the caller's strings are alive, so
// SQLite may read the text where it is instead of copying each value into a buffer of its own.
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

int Statement::step() { return sqlite3_step(stmt_); }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

}  // namespace notify::store::sqlite
