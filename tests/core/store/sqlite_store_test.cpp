// The SQLite store's rows: notifications, their status history, references, broadcasts and
// their provider messages, inbound SMS and route advice. Its file (reopen, migrations,
// refusals) is sqlite_store_files_test.cpp.
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
