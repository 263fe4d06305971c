// The times a delivery receipt carries, read as today's Notify reads them (notifications-api
// 50c2fac3f, 98e960410, fdbd106cf, 05e14d7f5): Python's datetime.fromisoformat, with a value
// without an offset taken as Europe/London local time for SMS receipts, and the offset dropped
// (not applied) for SES events.
#pragma once

#include "notify/runtime/clock.hpp"

#include <optional>
#include <string_view>

namespace notify::delivery {

/// What a value without a UTC offset means, and what happens to one that has an offset.
enum class NaiveTime {
  london,       // SMS: naive = Europe/London (GMT/BST); an offset is applied
  drop_offset,  // SES: `.replace(tzinfo=None)`: the wall time is read as UTC, offset ignored
};

/// Python 3.11+ datetime.fromisoformat for the forms providers send: "YYYY-MM-DD",
/// "YYYY-MM-DD[T or space]HH:MM[:SS[.fraction]]" with an optional "Z" or "+HH:MM"/"-HH:MM"
/// (also "+HHMM", "+HH"). nullopt for anything else, as Notify's `except ValueError` gives None.
std::optional<runtime::TimePoint> parse_receipt_time(std::string_view text, NaiveTime naive);

/// UTC for a Europe/London wall time given as seconds since the epoch of that wall time. BST is
/// from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October; a
/// repeated hour is read as BST and a skipped hour as GMT (zoneinfo with fold=0).
std::int64_t london_wall_to_utc(std::int64_t wall_seconds);

}  // namespace notify::delivery
