#include "notify/outcome/errc.hpp"
#include "notify/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>
#include <filesystem>

namespace notify::store {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const runtime::TimePoint kT0 = runtime::VirtualClock::default_start();

Notification make_notification(std::string id, runtime::TimePoint at = kT0) {
  Notification n;
  n.id = std::move(id);
  n.type = "email";
  n.recipient = "someone@example.com";
  n.created_at = at;
  n.updated_at = at;
  return n;
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    auto base = fs::temp_directory_path();
    auto name = std::string("notify-store-test-") +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
                std::to_string(::getpid());
    path_ = base / name;
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TEST(SqliteStore, InsertAndGetNotification) {
  auto store = open_sqlite_store(":memory:");
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  Notification n = make_notification("n-1");
  n.sent_at = kT0 + 1s;
  ASSERT_TRUE(store->insert_notification(n));
  auto got = store->get_notification("n-1");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->id, "n-1");
  EXPECT_EQ(got->type, "email");
  EXPECT_EQ(got->recipient, "someone@example.com");
  EXPECT_EQ(got->status, status::kCreated);
  EXPECT_EQ(got->attempts, 0);
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->sent_at, kT0 + 1s);
}

TEST(SqliteStore, TimesKeepNanoseconds) {
  auto store = open_sqlite_store(":memory:");
  Notification n = make_notification("n-1", kT0 + 123456789ns);
  ASSERT_TRUE(store->insert_notification(n));
  EXPECT_EQ(store->get_notification("n-1")->created_at, kT0 + 123456789ns);
  EXPECT_FALSE(store->get_notification("n-1")->sent_at.has_value());
}

TEST(SqliteStore, MissingIdIsNotFound) {
  auto store = open_sqlite_store(":memory:");
  EXPECT_EQ(store->get_notification("nope").error(), errc::not_found);
  EXPECT_EQ(store->update_status("nope", status::kSent, kT0).error(), errc::not_found);
  EXPECT_EQ(store->increment_attempts("nope").error(), errc::not_found);
  EXPECT_EQ(store->find_by_reference("ses", "ref").error(), errc::not_found);
  EXPECT_EQ(store->get_broadcast_provider_message("nope").error(), errc::not_found);
  EXPECT_EQ(store->update_broadcast_provider_message_status("nope", "ack", kT0).error(),
            errc::not_found);
}

TEST(SqliteStore, DuplicateNotificationIsAnError) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  auto again = store->insert_notification(make_notification("n-1", kT0 + 1s));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), errc::store_error);
  // The failed insert left nothing behind: no second row, no history row, and the store goes on.
  EXPECT_EQ(store->list_notifications().size(), 1U);
  EXPECT_EQ(store->get_notification("n-1").value().created_at, kT0);
  EXPECT_EQ(store->list_notification_status_history().size(), 1U);
  ASSERT_TRUE(store->insert_notification(make_notification("n-2")));
  EXPECT_EQ(store->list_notification_status_history().size(), 2U);
}

TEST(SqliteStore, UpdateStatusSetsFieldsAndSentAt) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));

  ASSERT_TRUE(store->update_status("n-1", status::kSending, kT0 + 1s, "ses", "ref-1"));
  auto n = store->get_notification("n-1").value();
  EXPECT_EQ(n.status, status::kSending);
  EXPECT_EQ(n.provider, "ses");
  EXPECT_EQ(n.reference, "ref-1");
  EXPECT_EQ(n.updated_at, kT0 + 1s);
  EXPECT_EQ(n.sent_at, kT0 + 1s);

  // Empty provider and reference leave the stored ones alone; sent_at stays.
  ASSERT_TRUE(store->update_status("n-1", status::kTechnicalFailure, kT0 + 2s, "", "",
                                   "connection refused"));
  n = store->get_notification("n-1").value();
  EXPECT_EQ(n.status, status::kTechnicalFailure);
  EXPECT_EQ(n.provider, "ses");
  EXPECT_EQ(n.reference, "ref-1");
  EXPECT_EQ(n.failure_reason, "connection refused");
  EXPECT_EQ(n.updated_at, kT0 + 2s);
  EXPECT_EQ(n.sent_at, kT0 + 1s);
  EXPECT_EQ(store->count_by_status(status::kTechnicalFailure), 1u);
  EXPECT_EQ(store->count_by_status(status::kSending), 0u);
}

TEST(SqliteStore, CountsByTypeAndStatus) {
  auto store = open_sqlite_store(":memory:");
  Notification sms = make_notification("s-1");
  sms.type = "sms";
  ASSERT_TRUE(store->insert_notification(sms));
  ASSERT_TRUE(store->insert_notification(make_notification("e-1")));
  ASSERT_TRUE(store->insert_notification(make_notification("e-2")));
  ASSERT_TRUE(store->update_status("s-1", status::kSending, kT0 + 1s));
  ASSERT_TRUE(store->update_status("e-1", status::kSending, kT0 + 1s));
  EXPECT_EQ(store->count_by_type_status("email", status::kSending), 1u);
  EXPECT_EQ(store->count_by_type_status("sms", status::kSending), 1u);
  EXPECT_EQ(store->count_by_type_status("email", status::kCreated), 1u);
  EXPECT_EQ(store->count_by_type_status("sms", status::kCreated), 0u);
  EXPECT_EQ(store->count_by_status(status::kSending), 2u);
}

TEST(SqliteStore, FindByReference) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  ASSERT_TRUE(store->insert_notification(make_notification("n-2")));
  ASSERT_TRUE(store->update_status("n-1", status::kSending, kT0, "firetext", "abc"));
  ASSERT_TRUE(store->update_status("n-2", status::kSending, kT0, "mmg", "abc"));
  EXPECT_EQ(store->find_by_reference("firetext", "abc")->id, "n-1");
  EXPECT_EQ(store->find_by_reference("mmg", "abc")->id, "n-2");
  EXPECT_EQ(store->find_by_reference("ses", "abc").error(), errc::not_found);
}

// The index on references leaves out empty ones (schema version 7); a lookup by an empty
// reference still answers as it did with them.
TEST(SqliteStore, FindByEmptyReferenceFindsTheOldestNotificationWithoutOne) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-2", kT0 + 1s)));
  ASSERT_TRUE(store->insert_notification(make_notification("n-1", kT0)));
  EXPECT_EQ(store->find_by_reference("", "")->id, "n-1");
  ASSERT_TRUE(store->update_status("n-1", status::kSending, kT0 + 2s, "ses", "ref-1"));
  EXPECT_EQ(store->find_by_reference("", "")->id, "n-2");
  EXPECT_EQ(store->find_by_reference("ses", "ref-1")->id, "n-1");
  EXPECT_EQ(store->find_by_reference("ses", "").error(), errc::not_found);
  ASSERT_TRUE(store->update_status("n-2", status::kTechnicalFailure, kT0 + 3s, "", "", "broken"));
  EXPECT_EQ(store->find_by_reference("", "")->id, "n-2");
}

TEST(SqliteStore, IncrementAttempts) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  EXPECT_EQ(store->increment_attempts("n-1").value(), 1);
  EXPECT_EQ(store->increment_attempts("n-1").value(), 2);
  EXPECT_EQ(store->increment_attempts("n-1").value(), 3);
  EXPECT_EQ(store->get_notification("n-1")->attempts, 3);
}

// The store remembers where it wrote each notification (its rowid) and looks there first; a row
// that has since moved, or whose rowid another row now has, must still be the one found.
TEST(SqliteStore, NotificationsAreFoundByIdAfterTheirRowidChanged) {
  TempDir dir;
  std::string path = dir.file("moved.db");
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store->insert_notification(make_notification("a")));
  ASSERT_TRUE(store->insert_notification(make_notification("b")));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE notifications SET rowid = rowid + 100 WHERE id = 'a'; "
                           "UPDATE notifications SET rowid = rowid + 100 WHERE id = 'b'; "
                           "INSERT INTO notifications (rowid, id, type, recipient, status, "
                           "created_at, updated_at) SELECT rowid - 100, 'c', 'email', "
                           "'other@example.com', 'created', 0, 0 FROM notifications "
                           "WHERE id = 'a'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(store->get_notification("a")->id, "a");
  EXPECT_EQ(store->increment_attempts("b").value(), 1);
  ASSERT_TRUE(store->update_status("a", status::kSending, kT0 + 1s, "ses", "ref-a"));

  EXPECT_EQ(store->get_notification("a")->status, status::kSending);
  EXPECT_EQ(store->get_notification("a")->reference, "ref-a");
  EXPECT_EQ(store->get_notification("b")->attempts, 1);
  auto c = store->get_notification("c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, status::kCreated);
  EXPECT_EQ(c->attempts, 0);
  EXPECT_EQ(c->reference, "");
  auto history = store->list_notification_status_history();
  ASSERT_EQ(history.size(), 4U);
  EXPECT_EQ(history[3].id, "a");
  EXPECT_EQ(history[3].status, status::kSending);
}

TEST(SqliteStore, NotificationsDeletedBehindTheStoreAreNotFound) {
  TempDir dir;
  std::string path = dir.file("deleted.db");
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store->insert_notification(make_notification("a")));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "DELETE FROM notifications WHERE id = 'a'", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(store->get_notification("a").error(), errc::not_found);
  EXPECT_EQ(store->increment_attempts("a").error(), errc::not_found);
  EXPECT_EQ(store->update_status("a", status::kSending, kT0 + 1s).error(), errc::not_found);
  EXPECT_EQ(store->list_notification_status_history().size(), 1U);
}

TEST(SqliteStore, ListIsOrderedByCreatedAtThenId) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("c", kT0 + 1s)));
  ASSERT_TRUE(store->insert_notification(make_notification("b", kT0)));
  ASSERT_TRUE(store->insert_notification(make_notification("a", kT0 + 1s)));
  auto all = store->list_notifications();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "b");
  EXPECT_EQ(all[1].id, "a");
  EXPECT_EQ(all[2].id, "c");
  EXPECT_EQ(store->count_by_status(status::kCreated), 3u);
}

TEST(SqliteStore, SentStatusSetsSentAtAsSendingDoes) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  ASSERT_TRUE(store->update_status("n-1", status::kSent, kT0 + 2s, "mmg", "n-1"));
  EXPECT_EQ(store->get_notification("n-1")->sent_at, kT0 + 2s);
  ASSERT_TRUE(store->update_status("n-1", status::kDelivered, kT0 + 9s));
  EXPECT_EQ(store->get_notification("n-1")->sent_at, kT0 + 2s);
}

TEST(SqliteStore, ListSentSinceKeepsTypeWindowAndSentOnly) {
  auto store = open_sqlite_store(":memory:");
  auto sms = [](std::string id, runtime::TimePoint at) {
    auto n = make_notification(std::move(id), at);
    n.type = "sms";
    return n;
  };
  ASSERT_TRUE(store->insert_notification(sms("old", kT0)));
  ASSERT_TRUE(store->insert_notification(sms("unsent", kT0 + 60s)));
  ASSERT_TRUE(store->insert_notification(sms("b", kT0 + 61s)));
  ASSERT_TRUE(store->insert_notification(sms("a", kT0 + 61s)));
  ASSERT_TRUE(store->insert_notification(make_notification("email", kT0 + 62s)));
  for (auto id : {"old", "a", "b", "email"}) {
    ASSERT_TRUE(store->update_status(id, status::kSending, kT0 + 70s, "mmg", id));
  }
  auto sent = store->list_sent_since("sms", kT0 + 60s);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].id, "a");
  EXPECT_EQ(sent[1].id, "b");
  EXPECT_TRUE(store->list_sent_since("sms", kT0 + 62s).empty());
}

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

TEST(SqliteStore, BroadcastProviderMessagesAreUniquePerEventAndProvider) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_broadcast_message({"m-1", "broadcasting", "Flood warning", kT0}));
  ASSERT_TRUE(store->insert_broadcast_event({"e-1", "m-1", "alert", "{}", kT0}));
  BroadcastProviderMessage m{"p-1", "e-1", "vodafone", "sending", 7, kT0, kT0};
  ASSERT_TRUE(store->insert_broadcast_provider_message(m));

  BroadcastProviderMessage dup{"p-2", "e-1", "vodafone", "sending", std::nullopt, kT0, kT0};
  auto again = store->insert_broadcast_provider_message(dup);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), errc::invalid_argument);

  BroadcastProviderMessage other{"p-3", "e-1", "ee", "sending", std::nullopt, kT0, kT0};
  ASSERT_TRUE(store->insert_broadcast_provider_message(other));

  ASSERT_TRUE(store->update_broadcast_provider_message_status("p-1", "ack", kT0 + 5s));
  auto got = store->get_broadcast_provider_message("p-1").value();
  EXPECT_EQ(got.status, "ack");
  EXPECT_EQ(got.provider, "vodafone");
  EXPECT_EQ(got.broadcast_event_id, "e-1");
  EXPECT_EQ(got.message_number, 7);
  EXPECT_EQ(got.created_at, kT0);
  EXPECT_EQ(got.updated_at, kT0 + 5s);
  EXPECT_FALSE(store->get_broadcast_provider_message("p-3")->message_number.has_value());
}

TEST(SqliteStore, BroadcastEventsAndProviderMessagesAreFound) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_broadcast_message({"m-1", "broadcasting", "Flood warning", kT0}));
  ASSERT_TRUE(store->insert_broadcast_event({"e-2", "m-1", "cancel", "{}", kT0 + 2s}));
  ASSERT_TRUE(store->insert_broadcast_event({"e-1", "m-1", "alert", "{\"a\":1}", kT0 + 1s}));
  ASSERT_TRUE(store->insert_broadcast_event({"e-9", "m-2", "alert", "{}", kT0}));
  auto events = store->list_broadcast_events("m-1");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].id, "e-1");
  EXPECT_EQ(events[1].id, "e-2");
  auto e1 = store->get_broadcast_event("e-1");
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->payload_json, "{\"a\":1}");
  EXPECT_EQ(e1->sent_at, kT0 + 1s);
  EXPECT_EQ(store->get_broadcast_event("nope").error(), make_error_code(errc::not_found));

  ASSERT_TRUE(store->insert_broadcast_provider_message({"p-1", "e-1", "ee", "sending", {}, kT0, kT0}));
  auto found = store->find_broadcast_provider_message("e-1", "ee");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "p-1");
  EXPECT_EQ(store->find_broadcast_provider_message("e-1", "o2").error(),
            make_error_code(errc::not_found));
  EXPECT_EQ(store->list_broadcast_provider_messages().size(), 1U);
}

TEST(SqliteStore, MessageNumbersCount) {
  auto store = open_sqlite_store(":memory:");
  EXPECT_EQ(store->next_message_number().value(), 1);
  EXPECT_EQ(store->next_message_number().value(), 2);
  EXPECT_EQ(store->next_message_number().value(), 3);
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

TEST(SqliteStore, StatusHistoryRecordsEveryChangeInOrder) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(store->insert_notification(make_notification("n-1")));
  ASSERT_TRUE(store->insert_notification(make_notification("n-2")));
  ASSERT_TRUE(store->update_status("n-1", status::kSending, kT0 + 1s, "ses", "ref-1"));
  // A write that leaves the status as it was is no change.
  ASSERT_TRUE(store->update_status("n-1", status::kSending, kT0 + 2s));
  ASSERT_TRUE(store->update_status("n-2", status::kTechnicalFailure, kT0 + 3s));
  ASSERT_TRUE(store->update_status("n-1", status::kDelivered, kT0 + 4s));

  auto history = store->list_notification_status_history();
  ASSERT_EQ(history.size(), 5U);
  auto row = [&](std::size_t i) { return history[i].id + " " + history[i].status; };
  EXPECT_EQ(row(0), "n-1 created");
  EXPECT_EQ(row(1), "n-2 created");
  EXPECT_EQ(row(2), "n-1 sending");
  EXPECT_EQ(row(3), "n-2 technical-failure");
  EXPECT_EQ(row(4), "n-1 delivered");
  EXPECT_EQ(history[0].at, kT0);
  EXPECT_EQ(history[2].at, kT0 + 1s);
  EXPECT_EQ(history[4].at, kT0 + 4s);
}

TEST(SqliteStore, BroadcastProviderMessageStatusHistoryRecordsEveryChange) {
  auto store = open_sqlite_store(":memory:");
  ASSERT_TRUE(
      store->insert_broadcast_provider_message({"p-1", "e-1", "ee", "sending", {}, kT0, kT0}));
  ASSERT_TRUE(store->update_broadcast_provider_message_status("p-1", "sending", kT0 + 1s));
  ASSERT_TRUE(store->update_broadcast_provider_message_status("p-1", "returned-ack", kT0 + 2s));
  auto history = store->list_broadcast_provider_message_status_history();
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].status, "sending");
  EXPECT_EQ(history[1].status, "returned-ack");
  EXPECT_EQ(history[1].id, "p-1");
  EXPECT_EQ(history[1].at, kT0 + 2s);
  EXPECT_TRUE(store->list_notification_status_history().empty());
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

namespace notify::store {
namespace {

TEST(SqliteStore, InboundSmsRoundTripInArrivalOrder) {
  auto store = open_sqlite_store(":memory:");
  InboundSms a;
  a.id = "b-2";
  a.notify_number = "07700900000";
  a.user_number = "447700900123";
  a.provider = "mmg";
  a.provider_reference = "MMG-1";
  a.provider_date = runtime::TimePoint(std::chrono::seconds(1'700'000'000));
  a.content = "Yes please \xF0\x9F\x93\xA9";
  a.created_at = runtime::TimePoint(std::chrono::seconds(1'700'000'005));
  InboundSms b = a;
  b.id = "a-1";
  b.provider = "firetext";
  b.provider_reference.clear();
  b.provider_date.reset();
  b.created_at = a.created_at + std::chrono::seconds(1);
  ASSERT_TRUE(store->insert_inbound_sms(b));
  ASSERT_TRUE(store->insert_inbound_sms(a));
  EXPECT_FALSE(store->insert_inbound_sms(a)) << "an id is stored once";
  auto all = store->list_inbound_sms();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "b-2");
  EXPECT_EQ(all[0].provider_reference, "MMG-1");
  EXPECT_EQ(all[0].provider_date, a.provider_date);
  EXPECT_EQ(all[0].content, a.content);
  EXPECT_EQ(all[1].id, "a-1");
  EXPECT_FALSE(all[1].provider_date.has_value());
}

}  // namespace
}  // namespace notify::store

namespace notify::store {
namespace {

TEST(SqliteStore, RouteAdviceIsOnePerOperatorWithEveryWriteInItsHistory) {
  auto store = open_sqlite_store(":memory:");
  EXPECT_EQ(store->get_route_advice("ee").error(), make_error_code(errc::not_found));
  ASSERT_TRUE(store->set_route_advice({"ee", "ee-1-proxy", "cbc_b", kT0}));
  ASSERT_TRUE(store->set_route_advice({"o2", "o2-1-proxy", "cbc_a", kT0 + 1s}));
  ASSERT_TRUE(store->set_route_advice({"ee", "ee-2-proxy", "cbc_a", kT0 + 2s}));
  auto ee = store->get_route_advice("ee");
  ASSERT_TRUE(ee);
  EXPECT_EQ(ee->proxy, "ee-2-proxy");
  EXPECT_EQ(ee->target, "cbc_a");
  EXPECT_EQ(ee->updated_at, kT0 + 2s);
  auto history = store->list_route_advice_history();
  ASSERT_EQ(history.size(), 3U);
  EXPECT_EQ(history[0].proxy, "ee-1-proxy");
  EXPECT_EQ(history[1].mno, "o2");
  EXPECT_EQ(history[2].target, "cbc_a");
}

}  // namespace
}  // namespace notify::store
