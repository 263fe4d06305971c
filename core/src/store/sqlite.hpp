// Thin RAII over the SQLite C API: a connection and prepared statements. Private to the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace notify::store::sqlite {

/// An open SQLite connection. Owns the handle.
class Db {
 public:
  /// Opens `path` read-write, creating it. Throws StoreOpenError naming the path on failure.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  /// Runs one or more statements without results. Returns SQLite's message on failure.
  std::optional<std::string> exec(const char* sql);
  /// Runs a query returning one integer (a PRAGMA, a count).
  std::optional<std::int64_t> query_int(const char* sql);
  std::string last_error() const;
  int changes() const;
  /// The rowid of the last row an INSERT on this connection wrote (not a trigger's).
  std::int64_t last_insert_rowid() const;

 private:
  sqlite3* db_ = nullptr;
};

/// A prepared statement. step() and the column readers follow SQLite's 0-based columns;
/// bind() takes SQLite's 1-based parameters. reset() clears bindings too. Bound text is not
/// copied: it must stay alive and unchanged until the next reset().
class Statement {
 public:
  Statement(Db& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  /// SQLITE_ROW, SQLITE_DONE, or an error code.
  int step();
  void reset();

  std::string column_text(int col) const;
  std::int64_t column_int(int col) const;
  bool column_is_null(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when a scope ends, so no statement stays mid-step and holds a lock.
class ResetGuard {
 public:
  explicit ResetGuard(Statement& s) : s_(s) {}
  ~ResetGuard() { s_.reset(); }
  ResetGuard(const ResetGuard&) = delete;
  ResetGuard& operator=(const ResetGuard&) = delete;

 private:
  Statement& s_;
};

/// Applies the schema migrations from the file's user_version up to kSchemaVersion, in one
/// transaction. Throws StoreOpenError for a version newer than this build knows.
void migrate(Db& db, const std::string& path);

}  // namespace notify::store::sqlite
