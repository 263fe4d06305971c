// The SQLite store's file: it persists across a reopen, older schemas are migrated on open
// (each version's step keeps what earlier ones wrote), and a newer schema, an unopenable path or
// a file that is not a database is refused with a message naming the file.
#include "store_test_support.hpp"

#include "notify/outcome/errc.hpp"
#include "notify/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace notify::store {
namespace {

using namespace std::chrono_literals;
using test::kT0;
using test::make_notification;
using test::TempDir;

TEST(SqliteStore, VersionOneFileIsMigratedToTheCurrentSchema) {
  TempDir dir;
  auto path = dir.file("v1.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store->insert_notification(make_notification("kept")));
  }
  {
    // Take the file back to what version 1 wrote.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX notifications_by_type_created; PRAGMA user_version = 1",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  EXPECT_TRUE(store->get_notification("kept"));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                               "name = 'notifications_by_type_created'",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStore, FileStorePersistsAcrossReopen) {
  TempDir dir;
  std::string path = dir.file("notify.db");
  {
    auto store = open_sqlite_store(path);
    EXPECT_EQ(store->next_message_number().value(), 1);
    EXPECT_EQ(store->next_message_number().value(), 2);
    ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  }
  {
    auto store = open_sqlite_store(path);
    EXPECT_EQ(store->schema_version(), kSchemaVersion);
    EXPECT_EQ(store->next_message_number().value(), 3);
    EXPECT_TRUE(store->get_notification("n-1"));
  }
}

TEST(SqliteStore, NewerSchemaIsRefusedWithAMessageNamingTheFile) {
  TempDir dir;
  std::string path = dir.file("future.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    open_sqlite_store(path);
    FAIL() << "a store from a newer version must be refused";
  } catch (const StoreOpenError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("99"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(kSchemaVersion)), std::string::npos) << what;
    EXPECT_NE(what.find("newer"), std::string::npos) << what;
  }
}

TEST(SqliteStore, UnopenablePathNamesThePath) {
  TempDir dir;
  std::string path = dir.file("missing-dir/sub/notify.db");
  try {
    open_sqlite_store(path);
    FAIL() << "opening a file in a missing directory must fail";
  } catch (const StoreOpenError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(SqliteStore, NonDatabaseFileIsRefused) {
  TempDir dir;
  std::string path = dir.file("text.db");
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "this is not a SQLite database, it is a long enough text file to be checked.\n"
        "this is not a SQLite database, it is a long enough text file to be checked.\n",
        f);
    std::fclose(f);
  }
  EXPECT_THROW(open_sqlite_store(path), StoreOpenError);
}

TEST(SqliteStore, MigrationToVersion4StartsTheStatusHistory) {
  TempDir dir;
  std::string path = dir.file("v3.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store->insert_notification(make_notification("old")));
  }
  {
    // Take the file back to what version 3 wrote.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TRIGGER notification_status_created; "
                           "DROP TRIGGER notification_status_changed; "
                           "DROP TRIGGER broadcast_provider_message_status_created; "
                           "DROP TRIGGER broadcast_provider_message_status_changed; "
                           "DROP TABLE notification_status_history; "
                           "DROP TABLE broadcast_provider_message_status_history; "
                           "PRAGMA user_version = 3",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  // Rows written before the migration have no history; changes after it do.
  EXPECT_TRUE(store->list_notification_status_history().empty());
  ASSERT_TRUE(store->update_status("old", status::kSending, kT0 + 1s));
  auto history = store->list_notification_status_history();
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].id, "old");
  EXPECT_EQ(history[0].status, "sending");
}

TEST(SqliteStore, MigrationToVersion6KeepsTheStatusHistoryAndItsOrder) {
  TempDir dir;
  std::string path = dir.file("v5.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store->insert_notification(make_notification("a")));
    ASSERT_TRUE(store->insert_notification(make_notification("b")));
    ASSERT_TRUE(store->update_status("a", status::kSending, kT0 + 1s));
  }
  {
    // Version 6 rebuilds the history tables; run it again over what it wrote.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 5", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  ASSERT_TRUE(store->update_status("b", status::kSending, kT0 + 2s));
  auto history = store->list_notification_status_history();
  ASSERT_EQ(history.size(), 4U);
  EXPECT_EQ(history[0].id, "a");
  EXPECT_EQ(history[0].status, "created");
  EXPECT_EQ(history[1].id, "b");
  EXPECT_EQ(history[2].id, "a");
  EXPECT_EQ(history[2].status, "sending");
  EXPECT_EQ(history[3].id, "b");
  EXPECT_EQ(history[3].status, "sending");
  EXPECT_EQ(history[3].at, kT0 + 2s);
}

TEST(SqliteStore, MigrationToVersion7LeavesEmptyReferencesOutOfTheReferenceIndex) {
  TempDir dir;
  std::string path = dir.file("v6.db");
  {
    auto store = open_sqlite_store(path);
    ASSERT_TRUE(store->insert_notification(make_notification("a")));
    ASSERT_TRUE(store->insert_notification(make_notification("b", kT0 + 1s)));
    ASSERT_TRUE(store->update_status("a", status::kSending, kT0 + 2s, "ses", "ref-a"));
  }
  auto index_sql = [&] {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT sql FROM sqlite_master "
                                 "WHERE name = 'notifications_by_reference'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    std::string sql;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      sql = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return sql;
  };
  {
    // Take the file back to what version 6 wrote: the index with every row in it, and no
    // error_detail column (version 10's).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX notifications_by_reference; "
                           "CREATE INDEX notifications_by_reference "
                           "ON notifications (provider, reference); "
                           "ALTER TABLE broadcast_provider_message_status_history "
                           "DROP COLUMN error_detail; "
                           "PRAGMA user_version = 6",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(index_sql().find("WHERE"), std::string::npos);
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  EXPECT_NE(index_sql().find("WHERE reference <> ''"), std::string::npos);
  EXPECT_EQ(store->find_by_reference("ses", "ref-a")->id, "a");
  EXPECT_EQ(store->find_by_reference("", "")->id, "b");
  ASSERT_TRUE(store->update_status("b", status::kSending, kT0 + 3s, "ses", "ref-b"));
  EXPECT_EQ(store->find_by_reference("ses", "ref-b")->id, "b");
  EXPECT_EQ(store->find_by_reference("", "").error(), errc::not_found);
  EXPECT_EQ(store->list_notification_status_history().size(), 4U);
}

}  // namespace
}  // namespace notify::store
