// The otel recordings of the delivery tasks (see otel_records.hpp).
#include "otel_records.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>

namespace notify::delivery {

namespace {

double seconds(runtime::Duration d) { return std::chrono::duration<double>(d).count(); }

// The keys of notifications-utils' international_billing_rates.yml (v127.0.0, a9af02ae), which
// is what PhoneNumber.prefix can return: country calling codes, which no other code begins, and
// the North American plan's "1" followed by an area code that the table bills on its own.
// Sorted, for binary search.
constexpr std::string_view kCountryPrefixes[] = {
    "1",   "20",  "211", "212", "213", "216", "218", "220", "221", "222", "223", "224", "225",
    "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238",
    "239", "240", "241", "242", "243", "244", "245", "246", "248", "249", "250", "251", "252",
    "253", "254", "255", "256", "257", "258", "260", "261", "262", "263", "264", "265", "266",
    "267", "268", "269", "27",  "291", "297", "298", "299", "30",  "31",  "32",  "33",  "34",
    "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "36",  "370", "371",
    "372", "373", "374", "375", "376", "377", "378", "380", "381", "382", "383", "385", "386",
    "387", "389", "39",  "40",  "41",  "420", "421", "423", "43",  "44",  "45",  "46",  "47",
    "48",  "49",  "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "51",
    "52",  "53",  "54",  "55",  "56",  "57",  "58",  "590", "591", "592", "593", "594", "595",
    "596", "597", "598", "599", "60",  "61",  "62",  "63",  "64",  "65",  "66",  "670", "672",
    "673", "674", "675", "676", "677", "678", "679", "680", "681", "682", "683", "685", "686",
    "687", "689", "690", "691", "692", "7",   "81",  "82",  "84",  "852", "853", "855", "856",
    "86",  "880", "886", "90",  "91",  "92",  "93",  "94",  "95",  "960", "961", "962", "963",
    "964", "965", "966", "967", "968", "970", "971", "972", "973", "974", "975", "976", "977",
    "98",  "992", "993", "994", "995", "996", "998"};
constexpr std::string_view kNorthAmericanPrefixes[] = {
    "1242", "1246", "1264", "1268", "1284", "1345", "1441", "1473", "1649", "1664", "1684",
    "1721", "1758", "1767", "1784", "1809", "1829", "1849", "1868", "1869", "1876"};

template <std::size_t N>
bool listed(const std::string_view (&table)[N], std::string_view prefix) {
  return std::binary_search(std::begin(table), std::end(table), prefix);
}

}  // namespace

std::string otel_key_type(std::string_view key_type) {
  return key_type == "test-key" ? "test" : "normal";
}

void record_send_duration(telemetry::Metrics& metrics, runtime::Duration since_created,
                          const std::string& key_type, const std::string& notification_type,
                          const std::string& provider, const std::string& error_type) {
  if (!metrics.otel()) return;
  // Keys in sorted order, as make_attributes() would put them.
  if (error_type.empty()) {
    metrics.record_strings("notification.send.duration", seconds(since_created),
                           {{"key.type", key_type},
                            {"notification.type", notification_type},
                            {"provider.name", provider}});
  } else {
    metrics.record_strings("notification.send.duration", seconds(since_created),
                           {{"error.type", error_type},
                            {"key.type", key_type},
                            {"notification.type", notification_type},
                            {"provider.name", provider}});
  }
}

bool is_international_number(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.rfind("00", 0) == 0) digits.erase(0, 2);
  // A UK mobile is 07... nationally or 447... with the country code.
  return !(digits.rfind("44", 0) == 0 || digits.rfind("07", 0) == 0);
}

std::string sms_country_prefix(std::string_view number) {
  std::string digits;
  for (char c : number) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.rfind("00", 0) == 0) {
    digits.erase(0, 2);
  } else if (digits.rfind('0', 0) == 0) {
    return "44";  // a national UK number, which Notify parses as GB
  }
  if (digits.rfind('1', 0) == 0) {
    const std::string area = digits.substr(0, 4);
    return listed(kNorthAmericanPrefixes, area) ? area : "1";
  }
  for (std::size_t length = 1; length <= 3 && length <= digits.size(); ++length) {
    const std::string_view prefix(digits.data(), length);
    if (listed(kCountryPrefixes, prefix)) return std::string(prefix);
  }
  return "unsupported";
}

void record_international_sms(telemetry::Metrics& metrics, std::string_view status,
                              std::string_view number) {
  const std::string country_code = sms_country_prefix(number);
  // Keys in sorted order, as make_attributes() would put them.
  metrics.record_strings(
      "notification.sms.internationals", 1,
      {{"notification.sms.country_code", country_code}, {"notification.status", status}});
}

void record_receipt_durations(telemetry::Metrics& metrics, const store::Notification& notification,
                              const std::string& status, const std::string& provider,
                              std::optional<runtime::TimePoint> delivered_at,
                              runtime::TimePoint received_at) {
  if (!metrics.otel()) return;
  // The core has no API keys: every notification is a live ("normal") key's. Keys in sorted
  // order, as make_attributes() would put them.
  const bool sms = notification.type == "sms";
  // Notify writes the boolean JSON-encoded, as OTel's conventions ask.
  const std::string_view international =
      sms && is_international_number(notification.recipient) ? "true" : "false";
  auto record = [&](std::string_view instrument, double value) {
    if (sms) {
      metrics.record_strings(instrument, value,
                             {{"key.type", "normal"},
                              {"notification.sms.international", international},
                              {"notification.status", status},
                              {"notification.type", notification.type},
                              {"provider.name", provider}});
    } else {
      metrics.record_strings(instrument, value,
                             {{"key.type", "normal"},
                              {"notification.status", status},
                              {"notification.type", notification.type},
                              {"provider.name", provider}});
    }
  };
  record("notification.callback.duration", seconds(received_at - notification.created_at));
  if (delivered_at) {
    record("notification.deliver.duration", seconds(*delivered_at - notification.created_at));
  }
}

}  // namespace notify::delivery
