// The store's schema and its migrations. The version lives in PRAGMA user_version; migration
// N takes a file from version N-1 to N, and all pending migrations run in one transaction, so
// a crash mid-way leaves the file at its old version.
#include "notify/store/store.hpp"
#include "sqlite.hpp"

#include <array>

namespace notify::store::sqlite {

namespace {

// Broadcast lookups: the send task reads the earlier events of a message, by sent_at, on every
// attempt for every provider. Kept apart from the others so that a migration added on another
// branch merges by renumbering.
constexpr const char* kBroadcastEventsByMessage = R"sql(
CREATE INDEX IF NOT EXISTS broadcast_events_by_message ON broadcast_events (broadcast_message_id, sent_at);
)sql";

// Status history: every status a notification or a broadcast provider message is created in or
// changed to, in write order. Triggers write it in the same statement as the change, so no code
// path can change a status without leaving a row, and the store's own statements stay as they
// are. Kept apart like the index above, so that it merges by renumbering.
constexpr const char* kStatusHistory = R"sql(
CREATE TABLE IF NOT EXISTS notification_status_history (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  notification_id TEXT NOT NULL,
  status          TEXT NOT NULL,
  at              INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS notification_status_created AFTER INSERT ON notifications
BEGIN
  INSERT INTO notification_status_history (notification_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
CREATE TRIGGER IF NOT EXISTS notification_status_changed AFTER UPDATE OF status ON notifications
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO notification_status_history (notification_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;

CREATE TABLE IF NOT EXISTS broadcast_provider_message_status_history (
  seq                           INTEGER PRIMARY KEY AUTOINCREMENT,
  broadcast_provider_message_id TEXT NOT NULL,
  status                        TEXT NOT NULL,
  at                            INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS broadcast_provider_message_status_created
AFTER INSERT ON broadcast_provider_messages
BEGIN
  INSERT INTO broadcast_provider_message_status_history (broadcast_provider_message_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
CREATE TRIGGER IF NOT EXISTS broadcast_provider_message_status_changed
AFTER UPDATE OF status ON broadcast_provider_messages
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO broadcast_provider_message_status_history (broadcast_provider_message_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
)sql";

// The status histories again, with seq a plain INTEGER PRIMARY KEY: AUTOINCREMENT read and
// rewrote the table's row in sqlite_sequence on every history row, two more B-tree writes per
// status. Rows are never deleted, so the next rowid (the largest plus one) is the same number
// AUTOINCREMENT gave, and seq keeps the write order. The triggers are dropped first, since
// ALTER TABLE refuses while a trigger names a missing table, and created again as they were.
constexpr const char* kStatusHistoryRowid = R"sql(
DROP TRIGGER IF EXISTS notification_status_created;
DROP TRIGGER IF EXISTS notification_status_changed;
DROP TRIGGER IF EXISTS broadcast_provider_message_status_created;
DROP TRIGGER IF EXISTS broadcast_provider_message_status_changed;

CREATE TABLE notification_status_history_new (
  seq             INTEGER PRIMARY KEY,
  notification_id TEXT NOT NULL,
  status          TEXT NOT NULL,
  at              INTEGER NOT NULL
);
INSERT INTO notification_status_history_new (seq, notification_id, status, at)
SELECT seq, notification_id, status, at FROM notification_status_history ORDER BY seq;
DROP TABLE notification_status_history;
ALTER TABLE notification_status_history_new RENAME TO notification_status_history;

CREATE TABLE broadcast_provider_message_status_history_new (
  seq                           INTEGER PRIMARY KEY,
  broadcast_provider_message_id TEXT NOT NULL,
  status                        TEXT NOT NULL,
  at                            INTEGER NOT NULL
);
INSERT INTO broadcast_provider_message_status_history_new
  (seq, broadcast_provider_message_id, status, at)
SELECT seq, broadcast_provider_message_id, status, at
FROM broadcast_provider_message_status_history ORDER BY seq;
DROP TABLE broadcast_provider_message_status_history;
ALTER TABLE broadcast_provider_message_status_history_new
  RENAME TO broadcast_provider_message_status_history;

CREATE TRIGGER notification_status_created AFTER INSERT ON notifications
BEGIN
  INSERT INTO notification_status_history (notification_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
CREATE TRIGGER notification_status_changed AFTER UPDATE OF status ON notifications
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO notification_status_history (notification_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
CREATE TRIGGER broadcast_provider_message_status_created
AFTER INSERT ON broadcast_provider_messages
BEGIN
  INSERT INTO broadcast_provider_message_status_history (broadcast_provider_message_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
CREATE TRIGGER broadcast_provider_message_status_changed
AFTER UPDATE OF status ON broadcast_provider_messages
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO broadcast_provider_message_status_history (broadcast_provider_message_id, status, at)
  VALUES (NEW.id, NEW.status, NEW.updated_at);
END;
)sql";

// The index on (provider, reference) without the rows that have no reference yet. Every
// notification is created with an empty reference and given one when it is sent, so the full
// index gained an entry ('', '') on every insert and moved it on every send, for lookups by an
// empty reference, which no provider's receipt makes (the store answers those by a scan).
constexpr const char* kReferenceIndexPartial = R"sql(
DROP INDEX IF EXISTS notifications_by_reference;
CREATE INDEX notifications_by_reference ON notifications (provider, reference)
WHERE reference <> '';
)sql";

// Inbound SMS: what users send to a service's number (Notify's inbound_sms, content not
// encrypted here). Kept apart so that it merges by renumbering.
constexpr const char* kInboundSms = R"sql(
CREATE TABLE IF NOT EXISTS inbound_sms (
  id                 TEXT PRIMARY KEY,
  notify_number      TEXT NOT NULL,
  user_number        TEXT NOT NULL,
  provider           TEXT NOT NULL,
  provider_reference TEXT NOT NULL,
  provider_date      INTEGER,
  content            TEXT NOT NULL,
  created_at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbound_sms_by_created ON inbound_sms (created_at, id);
)sql";

// The route advisor (Emergency Alerts' route_advisor: mno, proxy, target, updated_at) and the
// history of what it advised, written by triggers like the status histories. Idempotent, as the
// tests that rewind a file's version expect.
constexpr const char* kRouteAdvisor = R"sql(
CREATE TABLE IF NOT EXISTS route_advisor (
  mno        TEXT PRIMARY KEY,
  proxy      TEXT NOT NULL,
  target     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS route_advisor_history (
  seq        INTEGER PRIMARY KEY,
  mno        TEXT NOT NULL,
  proxy      TEXT NOT NULL,
  target     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS route_advisor_created AFTER INSERT ON route_advisor
BEGIN
  INSERT INTO route_advisor_history (mno, proxy, target, updated_at)
  VALUES (NEW.mno, NEW.proxy, NEW.target, NEW.updated_at);
END;
CREATE TRIGGER IF NOT EXISTS route_advisor_changed AFTER UPDATE ON route_advisor
BEGIN
  INSERT INTO route_advisor_history (mno, proxy, target, updated_at)
  VALUES (NEW.mno, NEW.proxy, NEW.target, NEW.updated_at);
END;
)sql";

// kMigrations[i] takes the schema from version i to i + 1. Times are integer nanoseconds
// since the Unix epoch (UTC).
constexpr std::array<const char*, 10> kMigrations = {
    R"sql(
CREATE TABLE notifications (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  recipient      TEXT NOT NULL,
  status         TEXT NOT NULL,
  provider       TEXT NOT NULL DEFAULT '',
  reference      TEXT NOT NULL DEFAULT '',
  attempts       INTEGER NOT NULL DEFAULT 0,
  failure_reason TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  sent_at        INTEGER
);
CREATE INDEX notifications_by_reference ON notifications (provider, reference);
CREATE INDEX notifications_by_status ON notifications (status);

CREATE TABLE broadcast_messages (
  id         TEXT PRIMARY KEY,
  status     TEXT NOT NULL,
  content    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE broadcast_events (
  id                   TEXT PRIMARY KEY,
  broadcast_message_id TEXT NOT NULL,
  message_type         TEXT NOT NULL,
  payload_json         TEXT NOT NULL,
  sent_at              INTEGER NOT NULL
);

CREATE TABLE broadcast_provider_messages (
  id                 TEXT PRIMARY KEY,
  broadcast_event_id TEXT NOT NULL,
  provider           TEXT NOT NULL,
  status             TEXT NOT NULL,
  message_number     INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (broadcast_event_id, provider)
);

-- Notify's broadcast_provider_message_number_seq, as a one-row-per-sequence table.
CREATE TABLE sequences (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO sequences (name, value) VALUES ('broadcast_provider_message_number', 0);
)sql",
    // Version 2: the SMS slow-delivery check reads the last few minutes of sent notifications of
    // one type every minute; without this index it would scan the whole table.
    R"sql(
CREATE INDEX notifications_by_type_created ON notifications (type, created_at);
)sql",
    // Version 3: broadcast lookups.
    kBroadcastEventsByMessage,
    // Version 4: status history.
    kStatusHistory,
    // Version 5: no index on status. Every status change rewrote an entry of it, for
    // count_by_status alone, which runs a few times at the end of a run, where a scan of the
    // table is quick enough.
    R"sql(
DROP INDEX IF EXISTS notifications_by_status;
)sql",
    // Version 6: status histories keyed by a plain rowid.
    kStatusHistoryRowid,
    // Version 7: no index entries for notifications without a reference.
    kReferenceIndexPartial,
    // Version 8: inbound SMS.
    kInboundSms,
    // Version 9: the broadcast route advisor.
    kRouteAdvisor,
    // Version 10: a broadcast status entry's error detail, as Emergency Alerts'
    // broadcast_provider_message_status.error_detail keeps {"exception": ...} for every failure.
    R"sql(
ALTER TABLE broadcast_provider_message_status_history ADD COLUMN error_detail TEXT;
)sql",
};

static_assert(kMigrations.size() == kSchemaVersion);

}  // namespace

void migrate(Db& db, const std::string& path) {
  auto fail = [&](const std::string& what) {
    return StoreOpenError("cannot use store '" + path + "': " + what);
  };
  auto version = db.query_int("PRAGMA user_version");
  if (!version) throw fail(db.last_error() + " (is it a SQLite database?)");
  if (*version > kSchemaVersion) {
    throw StoreOpenError("store '" + path + "' has schema version " + std::to_string(*version) +
                         ", but this notify-sim supports schema version " +
                         std::to_string(kSchemaVersion) +
                         " at most: a newer notify-sim wrote it. Use that notify-sim, or a new "
                         "store file.");
  }
  if (*version == kSchemaVersion) return;

  if (auto err = db.exec("BEGIN IMMEDIATE")) throw fail(*err);
  for (auto v = *version; v < kSchemaVersion; ++v) {
    if (auto err = db.exec(kMigrations[static_cast<std::size_t>(v)])) {
      db.exec("ROLLBACK");
      throw fail("migration to schema version " + std::to_string(v + 1) + " failed: " + *err);
    }
  }
  std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto err = db.exec(set_version.c_str())) {
    db.exec("ROLLBACK");
    throw fail(*err);
  }
  if (auto err = db.exec("COMMIT")) {
    db.exec("ROLLBACK");
    throw fail(*err);
  }
}

}  // namespace notify::store::sqlite
