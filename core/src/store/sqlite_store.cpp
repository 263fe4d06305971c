// The SQLite Store. Each operation is one prepared statement (or two in a transaction), run
// under a mutex: in wire mode the delivery tasks and the receipt endpoint may share a store.
#include "notify/outcome/errc.hpp"
#include "notify/store/store.hpp"
#include "rowid_cache.hpp"
#include "sqlite.hpp"

#include <sqlite3.h>

#include <mutex>

namespace notify::store {

namespace {

using boost::system::result;
using sqlite::ResetGuard;
using sqlite::Statement;

std::int64_t to_ns(runtime::TimePoint t) { return t.time_since_epoch().count(); }
runtime::TimePoint from_ns(std::int64_t ns) { return runtime::TimePoint(runtime::Duration(ns)); }

boost::system::error_code store_error() { return make_error_code(errc::store_error); }
boost::system::error_code not_found() { return make_error_code(errc::not_found); }

constexpr const char* kNotificationColumns =
    "id, type, recipient, status, provider, reference, attempts, failure_reason, created_at, "
    "updated_at, sent_at";

std::string select_notifications(const char* where) {
  return std::string("SELECT ") + kNotificationColumns + " FROM notifications " + where;
}

// The columns above, then the rowid, for the lookups by id that fill the rowid cache.
std::string select_notifications_and_rowid(const char* where) {
  return std::string("SELECT ") + kNotificationColumns + ", rowid FROM notifications " + where;
}
constexpr int kRowidColumn = 11;

// The status update's SET clause. ?1 is the id, ?2 the status, ?3 the time, ?4 the provider,
// ?5 the reference, ?6 the failure reason; an empty provider, reference or reason keeps the
// stored one.
std::string update_status_where(const char* where) {
  return std::string(
             "UPDATE OR FAIL notifications SET status = ?2, updated_at = ?3, "
             "provider = CASE WHEN ?4 <> '' THEN ?4 ELSE provider END, "
             "reference = CASE WHEN ?5 <> '' THEN ?5 ELSE reference END, "
             "failure_reason = CASE WHEN ?6 <> '' THEN ?6 ELSE failure_reason END, "
             "sent_at = CASE WHEN ?2 IN ('sending', 'sent') THEN ?3 ELSE sent_at END ") +
         where;
}

Notification read_notification(const Statement& s) {
  Notification n;
  n.id = s.column_text(0);
  n.type = s.column_text(1);
  n.recipient = s.column_text(2);
  n.status = s.column_text(3);
  n.provider = s.column_text(4);
  n.reference = s.column_text(5);
  n.attempts = static_cast<int>(s.column_int(6));
  n.failure_reason = s.column_text(7);
  n.created_at = from_ns(s.column_int(8));
  n.updated_at = from_ns(s.column_int(9));
  if (!s.column_is_null(10)) n.sent_at = from_ns(s.column_int(10));
  return n;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : db_(path),
        schema_version_(prepare_schema(db_, path)),
        batched_(path == ":memory:"),
        // OR FAIL on the two statements that fire a status-history trigger: with the default
        // (ABORT), a statement that writes twice opens a statement journal inside a batched
        // store's transaction, so that a constraint failure can undo its first write. Each of
        // these writes one row, found or checked by its unique id, and every constraint of that
        // row is checked before it is written; the trigger's insert cannot violate any (its
        // values come from NOT NULL columns). A failing statement has written nothing, the case
        // in which FAIL and ABORT are the same.
        insert_notification_(db_,
                             "INSERT OR FAIL INTO notifications (id, type, recipient, status, "
                             "provider, reference, attempts, failure_reason, created_at, "
                             "updated_at, sent_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        get_notification_(db_, select_notifications_and_rowid("WHERE id = ?1").c_str()),
        // The statements "at" a rowid take it from the rowid cache, and check the id as well:
        // a lookup by rowid is one descent of the table's B-tree, where one by id first
        // descends the index on the random-UUID id, whose pages are rarely in the CPU's caches.
        get_notification_at_(db_, select_notifications("WHERE rowid = ?2 AND id = ?1").c_str()),
        // The index on (provider, reference) leaves out empty references (schema version 7),
        // so a lookup by one says so to use it, and a lookup by an empty one scans the table.
        find_by_reference_(db_, select_notifications("WHERE provider = ?1 AND reference = ?2 "
                                                     "AND reference <> '' "
                                                     "ORDER BY created_at, id LIMIT 1")
                                    .c_str()),
        find_by_empty_reference_(db_, select_notifications("WHERE provider = ?1 AND reference = '' "
                                                           "ORDER BY created_at, id LIMIT 1")
                                          .c_str()),
        update_status_(db_, update_status_where("WHERE id = ?1").c_str()),
        update_status_at_(db_, update_status_where("WHERE rowid = ?7 AND id = ?1").c_str()),
        increment_attempts_(db_, "UPDATE notifications SET attempts = attempts + 1 WHERE id = ?1"),
        increment_attempts_at_(db_,
                               "UPDATE notifications SET attempts = attempts + 1 "
                               "WHERE rowid = ?2 AND id = ?1"),
        get_attempts_(db_, "SELECT attempts, rowid FROM notifications WHERE id = ?1"),
        get_attempts_at_(db_, "SELECT attempts FROM notifications WHERE rowid = ?1"),
        list_notifications_(db_, select_notifications("ORDER BY created_at, id").c_str()),
        count_by_status_(db_, "SELECT COUNT(*) FROM notifications WHERE status = ?1"),
        count_by_type_status_(
            db_, "SELECT COUNT(*) FROM notifications WHERE type = ?1 AND status = ?2"),
        list_sent_since_(db_, select_notifications("WHERE type = ?1 AND created_at >= ?2 AND "
                                                   "sent_at IS NOT NULL ORDER BY created_at, id")
                                  .c_str()),
        insert_broadcast_message_(db_,
                                  "INSERT INTO broadcast_messages (id, status, content, "
                                  "created_at) VALUES (?1, ?2, ?3, ?4)"),
        insert_broadcast_event_(db_,
                                "INSERT INTO broadcast_events (id, broadcast_message_id, "
                                "message_type, payload_json, sent_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"),
        insert_provider_message_(db_,
                                 "INSERT INTO broadcast_provider_messages (id, "
                                 "broadcast_event_id, provider, status, message_number, "
                                 "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        update_provider_message_status_(db_,
                                        "UPDATE broadcast_provider_messages SET status = ?2, "
                                        "updated_at = ?3 WHERE id = ?1"),
        get_provider_message_(db_,
                              "SELECT id, broadcast_event_id, provider, status, message_number, "
                              "created_at, updated_at FROM broadcast_provider_messages "
                              "WHERE id = ?1"),
        next_message_number_(db_,
                             "UPDATE sequences SET value = value + 1 "
                             "WHERE name = 'broadcast_provider_message_number' "
                             "RETURNING value"),
        get_broadcast_event_(db_,
                             "SELECT id, broadcast_message_id, message_type, payload_json, sent_at "
                             "FROM broadcast_events WHERE id = ?1"),
        list_broadcast_events_(db_,
                               "SELECT id, broadcast_message_id, message_type, payload_json, "
                               "sent_at FROM broadcast_events WHERE broadcast_message_id = ?1 "
                               "ORDER BY sent_at, id"),
        find_provider_message_(db_,
                               "SELECT id, broadcast_event_id, provider, status, message_number, "
                               "created_at, updated_at FROM broadcast_provider_messages "
                               "WHERE broadcast_event_id = ?1 AND provider = ?2"),
        list_provider_messages_(db_,
                                "SELECT id, broadcast_event_id, provider, status, message_number, "
                                "created_at, updated_at FROM broadcast_provider_messages "
                                "ORDER BY created_at, id") {
    if (batched_) begin_batch();
  }

  ~SqliteStore() override {
    if (batched_) db_.exec("COMMIT");
  }

  result<void> insert_notification(const Notification& n) override {
    Access access(*this);
    Statement& s = insert_notification_;
    ResetGuard guard(s);
    s.bind(1, n.id).bind(2, n.type).bind(3, n.recipient).bind(4, n.status).bind(5, n.provider);
    s.bind(6, n.reference).bind(7, std::int64_t{n.attempts}).bind(8, n.failure_reason);
    s.bind(9, to_ns(n.created_at)).bind(10, to_ns(n.updated_at));
    if (n.sent_at) {
      s.bind(11, to_ns(*n.sent_at));
    } else {
      s.bind_null(11);
    }
    if (s.step() != SQLITE_DONE) return store_error();
    rowids_.remember(n.id, db_.last_insert_rowid());
    return {};
  }

  result<Notification> get_notification(const std::string& id) override {
    Access access(*this);
    if (auto rowid = rowids_.find(id)) {
      Statement& s = get_notification_at_;
      ResetGuard guard(s);
      s.bind(1, id).bind(2, *rowid);
      int rc = s.step();
      if (rc == SQLITE_ROW) return read_notification(s);
      if (rc != SQLITE_DONE) return store_error();
    }
    Statement& s = get_notification_;
    ResetGuard guard(s);
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    rowids_.remember(id, s.column_int(kRowidColumn));
    return read_notification(s);
  }

  result<Notification> find_by_reference(const std::string& provider,
                                         const std::string& reference) override {
    Access access(*this);
    if (reference.empty()) {
      Statement& s = find_by_empty_reference_;
      ResetGuard guard(s);
      s.bind(1, provider);
      return read_one(s);
    }
    Statement& s = find_by_reference_;
    ResetGuard guard(s);
    s.bind(1, provider).bind(2, reference);
    return read_one(s);
  }

  result<void> update_status(const std::string& id, const std::string& new_status,
                             runtime::TimePoint at, const std::string& provider,
                             const std::string& reference,
                             const std::string& failure_reason) override {
    Access access(*this);
    if (auto rowid = rowids_.find(id)) {
      Statement& s = update_status_at_;
      ResetGuard guard(s);
      s.bind(1, id).bind(2, new_status).bind(3, to_ns(at)).bind(4, provider).bind(5, reference);
      s.bind(6, failure_reason).bind(7, *rowid);
      if (s.step() != SQLITE_DONE) return store_error();
      if (db_.changes() != 0) return {};
    }
    Statement& s = update_status_;
    ResetGuard guard(s);
    s.bind(1, id).bind(2, new_status).bind(3, to_ns(at)).bind(4, provider).bind(5, reference);
    s.bind(6, failure_reason);
    if (s.step() != SQLITE_DONE) return store_error();
    if (db_.changes() == 0) return not_found();
    return {};
  }

  result<int> increment_attempts(const std::string& id) override {
    Access access(*this);
    // An UPDATE and a SELECT under the store's mutex rather than UPDATE ... RETURNING, which
    // builds an ephemeral table for its one row and cost more than both.
    if (auto rowid = rowids_.find(id)) {
      bool updated = false;
      {
        Statement& s = increment_attempts_at_;
        ResetGuard guard(s);
        s.bind(1, id).bind(2, *rowid);
        if (s.step() != SQLITE_DONE) return store_error();
        updated = db_.changes() != 0;
      }
      if (updated) {
        // The UPDATE has just found the id at this rowid: read the count back by rowid alone.
        Statement& s = get_attempts_at_;
        ResetGuard guard(s);
        s.bind(1, *rowid);
        if (s.step() != SQLITE_ROW) return store_error();
        return static_cast<int>(s.column_int(0));
      }
    }
    {
      Statement& s = increment_attempts_;
      ResetGuard guard(s);
      s.bind(1, id);
      if (s.step() != SQLITE_DONE) return store_error();
      if (db_.changes() == 0) return not_found();
    }
    Statement& s = get_attempts_;
    ResetGuard guard(s);
    s.bind(1, id);
    if (s.step() != SQLITE_ROW) return store_error();
    rowids_.remember(id, s.column_int(1));
    return static_cast<int>(s.column_int(0));
  }

  std::vector<Notification> list_notifications() override {
    Access access(*this);
    Statement& s = list_notifications_;
    ResetGuard guard(s);
    std::vector<Notification> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_notification(s));
    return out;
  }

  std::size_t count_by_status(const std::string& status) override {
    Access access(*this);
    Statement& s = count_by_status_;
    ResetGuard guard(s);
    s.bind(1, status);
    if (s.step() != SQLITE_ROW) return 0;
    return static_cast<std::size_t>(s.column_int(0));
  }

  std::size_t count_by_type_status(const std::string& type, const std::string& status) override {
    Access access(*this);
    Statement& s = count_by_type_status_;
    ResetGuard guard(s);
    s.bind(1, type);
    s.bind(2, status);
    if (s.step() != SQLITE_ROW) return 0;
    return static_cast<std::size_t>(s.column_int(0));
  }

  std::vector<Notification> list_sent_since(const std::string& type,
                                            runtime::TimePoint since) override {
    Access access(*this);
    Statement& s = list_sent_since_;
    ResetGuard guard(s);
    s.bind(1, type).bind(2, to_ns(since));
    std::vector<Notification> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_notification(s));
    return out;
  }

  result<void> insert_broadcast_message(const BroadcastMessage& m) override {
    Access access(*this);
    Statement& s = insert_broadcast_message_;
    ResetGuard guard(s);
    s.bind(1, m.id).bind(2, m.status).bind(3, m.content).bind(4, to_ns(m.created_at));
    if (s.step() != SQLITE_DONE) return store_error();
    return {};
  }

  result<void> insert_broadcast_event(const BroadcastEvent& e) override {
    Access access(*this);
    Statement& s = insert_broadcast_event_;
    ResetGuard guard(s);
    s.bind(1, e.id).bind(2, e.broadcast_message_id).bind(3, e.message_type);
    s.bind(4, e.payload_json).bind(5, to_ns(e.sent_at));
    if (s.step() != SQLITE_DONE) return store_error();
    return {};
  }

  result<void> insert_broadcast_provider_message(const BroadcastProviderMessage& m) override {
    Access access(*this);
    Statement& s = insert_provider_message_;
    ResetGuard guard(s);
    s.bind(1, m.id).bind(2, m.broadcast_event_id).bind(3, m.provider).bind(4, m.status);
    if (m.message_number) {
      s.bind(5, *m.message_number);
    } else {
      s.bind_null(5);
    }
    s.bind(6, to_ns(m.created_at)).bind(7, to_ns(m.updated_at));
    if (s.step() == SQLITE_DONE) return {};
    // The UNIQUE (broadcast_event_id, provider) constraint: Notify's guard against sending the
    // same event to one provider twice. The caller's mistake, not the store's failure.
    if (sqlite3_extended_errcode(db_.handle()) == SQLITE_CONSTRAINT_UNIQUE) {
      return make_error_code(errc::invalid_argument);
    }
    return store_error();
  }

  result<void> update_broadcast_provider_message_status(const std::string& id,
                                                        const std::string& status,
                                                        runtime::TimePoint at) override {
    Access access(*this);
    Statement& s = update_provider_message_status_;
    ResetGuard guard(s);
    s.bind(1, id).bind(2, status).bind(3, to_ns(at));
    if (s.step() != SQLITE_DONE) return store_error();
    if (db_.changes() == 0) return not_found();
    return {};
  }

  // Rare (one per failed send): its statements beyond the status update are prepared when used.
  result<void> add_broadcast_provider_message_error(const std::string& id,
                                                    const std::string& status,
                                                    runtime::TimePoint at,
                                                    const std::string& error_detail) override {
    Access access(*this);
    {
      Statement& u = update_provider_message_status_;
      ResetGuard guard(u);
      u.bind(1, id).bind(2, status).bind(3, to_ns(at));
      if (u.step() != SQLITE_DONE) return store_error();
      if (db_.changes() == 0) return not_found();
    }
    // A change of status made the trigger write the entry: the detail goes onto it. The same
    // status again wrote none: the entry is added here.
    Statement d(db_,
                "UPDATE broadcast_provider_message_status_history SET error_detail = ?2 "
                "WHERE seq = (SELECT max(seq) FROM broadcast_provider_message_status_history) "
                "AND broadcast_provider_message_id = ?1 AND error_detail IS NULL");
    d.bind(1, id).bind(2, error_detail);
    if (d.step() != SQLITE_DONE) return store_error();
    if (db_.changes() > 0) return {};
    Statement i(db_,
                "INSERT INTO broadcast_provider_message_status_history "
                "(broadcast_provider_message_id, status, at, error_detail) "
                "VALUES (?1, ?2, ?3, ?4)");
    i.bind(1, id).bind(2, status).bind(3, to_ns(at)).bind(4, error_detail);
    if (i.step() != SQLITE_DONE) return store_error();
    return {};
  }

  result<BroadcastProviderMessage> get_broadcast_provider_message(const std::string& id) override {
    Access access(*this);
    Statement& s = get_provider_message_;
    ResetGuard guard(s);
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    return read_provider_message(s);
  }

  result<BroadcastEvent> get_broadcast_event(const std::string& id) override {
    Access access(*this);
    Statement& s = get_broadcast_event_;
    ResetGuard guard(s);
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    return read_event(s);
  }

  std::vector<BroadcastEvent> list_broadcast_events(const std::string& message_id) override {
    Access access(*this);
    Statement& s = list_broadcast_events_;
    ResetGuard guard(s);
    s.bind(1, message_id);
    std::vector<BroadcastEvent> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_event(s));
    return out;
  }

  result<BroadcastProviderMessage> find_broadcast_provider_message(
      const std::string& event_id, const std::string& provider) override {
    Access access(*this);
    Statement& s = find_provider_message_;
    ResetGuard guard(s);
    s.bind(1, event_id).bind(2, provider);
    int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    return read_provider_message(s);
  }

  std::vector<BroadcastProviderMessage> list_broadcast_provider_messages() override {
    Access access(*this);
    Statement& s = list_provider_messages_;
    ResetGuard guard(s);
    std::vector<BroadcastProviderMessage> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_provider_message(s));
    return out;
  }

  result<std::int64_t> next_message_number() override {
    Access access(*this);
    Statement& s = next_message_number_;
    ResetGuard guard(s);
    if (s.step() != SQLITE_ROW) return store_error();
    std::int64_t value = s.column_int(0);
    if (s.step() != SQLITE_DONE) return store_error();
    return value;
  }

  std::vector<StatusChange> list_notification_status_history() override {
    return list_history(
        "SELECT notification_id, status, at, NULL FROM notification_status_history ORDER BY seq");
  }

  std::vector<StatusChange> list_broadcast_provider_message_status_history() override {
    return list_history(
        "SELECT broadcast_provider_message_id, status, at, error_detail "
        "FROM broadcast_provider_message_status_history ORDER BY seq");
  }

  // Inbound messages are rare next to sends: their statements are prepared when used.
  result<void> insert_inbound_sms(const InboundSms& m) override {
    Access access(*this);
    Statement s(db_,
                "INSERT INTO inbound_sms (id, notify_number, user_number, provider, "
                "provider_reference, provider_date, content, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.bind(1, m.id).bind(2, m.notify_number).bind(3, m.user_number).bind(4, m.provider);
    s.bind(5, m.provider_reference);
    if (m.provider_date) {
      s.bind(6, to_ns(*m.provider_date));
    } else {
      s.bind_null(6);
    }
    s.bind(7, m.content).bind(8, to_ns(m.created_at));
    if (s.step() != SQLITE_DONE) return store_error();
    return {};
  }

  std::vector<InboundSms> list_inbound_sms() override {
    Access access(*this);
    Statement s(db_,
                "SELECT id, notify_number, user_number, provider, provider_reference, "
                "provider_date, content, created_at FROM inbound_sms ORDER BY created_at, id");
    std::vector<InboundSms> out;
    while (s.step() == SQLITE_ROW) {
      InboundSms m;
      m.id = s.column_text(0);
      m.notify_number = s.column_text(1);
      m.user_number = s.column_text(2);
      m.provider = s.column_text(3);
      m.provider_reference = s.column_text(4);
      if (!s.column_is_null(5)) m.provider_date = from_ns(s.column_int(5));
      m.content = s.column_text(6);
      m.created_at = from_ns(s.column_int(7));
      out.push_back(std::move(m));
    }
    return out;
  }

  // The advisor is read once per broadcast send and written by link tests: prepared when used.
  result<RouteAdvice> get_route_advice(const std::string& mno) override {
    Access access(*this);
    Statement s(db_, "SELECT mno, proxy, target, updated_at FROM route_advisor WHERE mno = ?1");
    s.bind(1, mno);
    const int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    return RouteAdvice{s.column_text(0), s.column_text(1), s.column_text(2),
                       from_ns(s.column_int(3))};
  }

  result<void> set_route_advice(const RouteAdvice& a) override {
    Access access(*this);
    Statement s(db_,
                "INSERT INTO route_advisor (mno, proxy, target, updated_at) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (mno) DO UPDATE SET proxy = excluded.proxy, target = excluded.target, "
                "updated_at = excluded.updated_at");
    s.bind(1, a.mno).bind(2, a.proxy).bind(3, a.target).bind(4, to_ns(a.updated_at));
    if (s.step() != SQLITE_DONE) return store_error();
    return {};
  }

  std::vector<RouteAdvice> list_route_advice_history() override {
    Access access(*this);
    Statement s(db_,
                "SELECT mno, proxy, target, updated_at FROM route_advisor_history ORDER BY seq");
    std::vector<RouteAdvice> out;
    while (s.step() == SQLITE_ROW)
      out.push_back(RouteAdvice{s.column_text(0), s.column_text(1), s.column_text(2),
                                from_ns(s.column_int(3))});
    return out;
  }

  int schema_version() const override { return schema_version_; }

 private:
  // Runs before any statement is prepared: the statements need the migrated schema.
  static int prepare_schema(sqlite::Db& db, const std::string& path) {
    sqlite::migrate(db, path);
    // WAL lets a reader (the sqlite3 shell, a report) look at a file while a run writes it.
    if (path != ":memory:" && !path.empty()) {
      if (auto err = db.exec("PRAGMA journal_mode = WAL")) {
        throw StoreOpenError("cannot use store '" + path + "': " + *err);
      }
    }
    return kSchemaVersion;
  }

  // Histories are read once per report, not on a delivery path: prepared when asked for.
  std::vector<StatusChange> list_history(const char* sql) {
    std::lock_guard lock(mutex_);
    Statement s(db_, sql);
    std::vector<StatusChange> out;
    while (s.step() == SQLITE_ROW)
      out.push_back({s.column_text(0), s.column_text(1), from_ns(s.column_int(2)),
                     s.column_text(3)});
    return out;
  }

  static result<Notification> read_one(Statement& s) {
    int rc = s.step();
    if (rc == SQLITE_DONE) return not_found();
    if (rc != SQLITE_ROW) return store_error();
    return read_notification(s);
  }

  static BroadcastProviderMessage read_provider_message(Statement& s) {
    BroadcastProviderMessage m;
    m.id = s.column_text(0);
    m.broadcast_event_id = s.column_text(1);
    m.provider = s.column_text(2);
    m.status = s.column_text(3);
    if (!s.column_is_null(4)) m.message_number = s.column_int(4);
    m.created_at = from_ns(s.column_int(5));
    m.updated_at = from_ns(s.column_int(6));
    return m;
  }

  static BroadcastEvent read_event(Statement& s) {
    BroadcastEvent e;
    e.id = s.column_text(0);
    e.broadcast_message_id = s.column_text(1);
    e.message_type = s.column_text(2);
    e.payload_json = s.column_text(3);
    e.sent_at = from_ns(s.column_int(4));
    return e;
  }

  // Every call holds the mutex for its statements. An in-memory store, which no other connection
  // can see, runs its statements in one long transaction committed every kCallsPerCommit calls:
  // a write in its own transaction copies each page it touches into the rollback journal and
  // back, which cost more than the write itself. A failed statement still rolls back alone
  // (SQLite's statement journal); should an error end the whole transaction, the next call
  // opens a new one. The first write to a page in a transaction copies it into the (in-memory)
  // journal, and ids and references are random, so nearly every insert lands on an index page
  // not yet copied in a short batch; 65536 calls (about 16,000 emails) reuse more of them. The
  // journal holds at most a page per page written in the batch, nearly every index page once a
  // batch is long: about 2 MB more peak memory than batches of 8192 over 110,000 emails in
  // BM_DeliverEmailEndToEnd. The commit frees the journal a 1 KB chunk at a time, 3-4 % of the
  // benchmark at 8192 calls.
  static constexpr int kCallsPerCommit = 65536;
  class Access {
   public:
    explicit Access(SqliteStore& store) : store_(store), lock_(store.mutex_) {
      if (store_.batched_ && sqlite3_get_autocommit(store_.db_.handle()) != 0) {
        store_.begin_batch();
      }
    }
    ~Access() {
      if (store_.batched_ && ++store_.calls_ >= kCallsPerCommit) {
        store_.calls_ = 0;
        store_.db_.exec("COMMIT");
        store_.begin_batch();
      }
    }
    Access(const Access&) = delete;
    Access& operator=(const Access&) = delete;

   private:
    SqliteStore& store_;
    std::lock_guard<std::mutex> lock_;
  };
  void begin_batch() { db_.exec("BEGIN"); }

  std::mutex mutex_;
  sqlite::Db db_;
  int schema_version_;
  const bool batched_;
  int calls_ = 0;  // since the last commit of a batched store
  sqlite::RowidCache rowids_;
  Statement insert_notification_;
  Statement get_notification_;
  Statement get_notification_at_;
  Statement find_by_reference_;
  Statement find_by_empty_reference_;
  Statement update_status_;
  Statement update_status_at_;
  Statement increment_attempts_;
  Statement increment_attempts_at_;
  Statement get_attempts_;
  Statement get_attempts_at_;
  Statement list_notifications_;
  Statement count_by_status_;
  Statement count_by_type_status_;
  Statement list_sent_since_;
  Statement insert_broadcast_message_;
  Statement insert_broadcast_event_;
  Statement insert_provider_message_;
  Statement update_provider_message_status_;
  Statement get_provider_message_;
  Statement next_message_number_;
  Statement get_broadcast_event_;
  Statement list_broadcast_events_;
  Statement find_provider_message_;
  Statement list_provider_messages_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace notify::store
