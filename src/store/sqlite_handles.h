// Owning wrappers for SQLite handles and a small statement helper (private to src/store).
#ifndef EMBARC_SRC_STORE_SQLITE_HANDLES_H_
#define EMBARC_SRC_STORE_SQLITE_HANDLES_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "embarc/core/result.h"

namespace embarc::store {

struct SqliteDbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteDbDeleter>;

struct SqliteStmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// A prepared statement with positional binding (1-based) and typed column reads.
class Stmt {
 public:
  [[nodiscard]] static Result<Stmt> Prepare(sqlite3* db, std::string_view sql);

  Stmt& Bind(int i, std::int64_t v) { rc_ = rc_ ? rc_ : sqlite3_bind_int64(s_.get(), i, v); return *this; }
  Stmt& Bind(int i, const std::string& v) {
    rc_ = rc_ ? rc_ : sqlite3_bind_text(s_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& v) {
    rc_ = rc_ ? rc_ : sqlite3_bind_blob(s_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::optional<std::string>& v) {
    if (!v) { rc_ = rc_ ? rc_ : sqlite3_bind_null(s_.get(), i); return *this; }
    return Bind(i, *v);
  }
  Stmt& Bind(int i, const std::optional<int>& v) {
    if (!v) { rc_ = rc_ ? rc_ : sqlite3_bind_null(s_.get(), i); return *this; }
    return Bind(i, static_cast<std::int64_t>(*v));
  }

  // Makes a prepared statement ready to run again: resets it and clears its bindings.
  Stmt& Reset() {
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
    rc_ = SQLITE_OK;
    return *this;
  }

  // Steps once. Returns true when a row is available, false when done.
  [[nodiscard]] Result<bool> Step();
  // Steps to completion, expecting no rows.
  [[nodiscard]] Result<void> Run();

  std::int64_t Int(int col) const { return sqlite3_column_int64(s_.get(), col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }

 private:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, SqliteStmtDeleter> s_;
  int rc_ = SQLITE_OK;
};

}  // namespace embarc::store

#endif  // EMBARC_SRC_STORE_SQLITE_HANDLES_H_
