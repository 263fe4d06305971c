// scrub_pii: the one function between a log line and a sink. It errs towards scrubbing (a
// mangled log line costs little, a leaked recipient costs a lot), but it must leave the ids
// people search logs by, UUIDs and timestamps, intact.
#include "notify/telemetry/logger.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace notify::telemetry {

namespace {

constexpr std::string_view kEmail = "<email>";
constexpr std::string_view kPhone = "<phone>";
// Phone numbers have at least this many digits; shorter runs are counts, ports, statuses.
constexpr int kPhoneDigitsMin = 7;
// A quoted local part ("john doe"@example.com) longer than this is not looked for.
constexpr std::size_t kQuotedLocalMax = 64;

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(unsigned char c) { return is_digit(c) || is_alpha(c); }
bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_word(unsigned char c) { return is_alnum(c) || c == '_'; }

// RFC 5322 atext plus '.', and any non-ASCII byte so that UTF-8 local parts go too.
bool is_local(unsigned char c) {
  if (is_alnum(c) || c >= 0x80) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
    case '.':
      return true;
    default:
      return false;
  }
}

// Host names, including internationalised ones still in UTF-8.
bool is_domain(unsigned char c) { return is_alnum(c) || c == '-' || c == '.' || c >= 0x80; }

bool has_alnum_or_utf8(std::string_view s) {
  for (unsigned char c : s) {
    if (is_alnum(c) || c >= 0x80) return true;
  }
  return false;
}

// Length of the '@' separator at `i`: 1 for '@', 3 for a percent-encoded "%40" as it appears in
// form bodies and URLs; 0 otherwise.
std::size_t at_sign_length(std::string_view text, std::size_t i) {
  if (text[i] == '@') return 1;
  if (text[i] == '%' && i + 2 < text.size() && text[i + 1] == '4' && text[i + 2] == '0') {
    return 3;
  }
  return 0;
}

std::string scrub_emails(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t emitted = 0;  // text[0, emitted) is already in `out`
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t at = at_sign_length(text, i);
    if (at == 0) {
      ++i;
      continue;
    }
    // The local part: a quoted string, or the run of local-part characters before the '@'.
    std::size_t start = i;
    if (i > emitted && text[i - 1] == '"') {
      auto open = text.rfind('"', i >= 2 ? i - 2 : 0);
      if (open != std::string_view::npos && open >= emitted && i - open <= kQuotedLocalMax &&
          text.substr(open, i - open).find('\n') == std::string_view::npos && open + 1 < i - 1) {
        start = open;
      }
    }
    if (start == i) {
      while (start > emitted && is_local(static_cast<unsigned char>(text[start - 1]))) --start;
    }
    // The domain: an address literal in brackets, or a host name without trailing dots/dashes.
    std::size_t end = i + at;
    if (end < text.size() && text[end] == '[') {
      auto close = text.find(']', end);
      end = close == std::string_view::npos ? end : close + 1;
    } else {
      while (end < text.size() && is_domain(static_cast<unsigned char>(text[end]))) ++end;
      while (end > i + at && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    }
    auto local = text.substr(start, i - start);
    auto domain = text.substr(i + at, end - (i + at));
    if (!has_alnum_or_utf8(local) || !has_alnum_or_utf8(domain)) {
      i += at;
      continue;
    }
    out.append(text.substr(emitted, start - emitted));
    out.append(kEmail);
    emitted = end;
    i = end;
  }
  out.append(text.substr(emitted));
  return out;
}

// Matches `pattern` at text[i]: 'h' a hex digit, 'd' a decimal digit, anything else itself.
bool matches(std::string_view text, std::size_t i, std::string_view pattern) {
  if (i + pattern.size() > text.size()) return false;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    auto c = static_cast<unsigned char>(text[i + k]);
    char p = pattern[k];
    if (p == 'h' ? !is_hex(c) : p == 'd' ? !is_digit(c) : c != static_cast<unsigned char>(p)) {
      return false;
    }
  }
  return true;
}

// Length of an ISO 8601 date or timestamp starting at text[i], or 0. Accepts
// YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)fraction]]][Z|(+|-)hh[[:]mm]].
std::size_t iso_timestamp_length(std::string_view text, std::size_t i) {
  if (!matches(text, i, "dddd-dd-dd")) return 0;
  if (i > 0 && is_digit(static_cast<unsigned char>(text[i - 1]))) return 0;
  std::size_t n = i + 10;
  if (n < text.size() && (text[n] == 'T' || text[n] == ' ') && matches(text, n + 1, "dd:dd")) {
    n += 6;
    if (matches(text, n, ":dd")) {
      n += 3;
      if (n + 1 < text.size() && (text[n] == '.' || text[n] == ',') &&
          is_digit(static_cast<unsigned char>(text[n + 1]))) {
        ++n;
        while (n < text.size() && is_digit(static_cast<unsigned char>(text[n]))) ++n;
      }
    }
    if (n < text.size() && text[n] == 'Z') {
      ++n;
    } else if (n < text.size() && (text[n] == '+' || text[n] == '-') &&
               matches(text, n + 1, "dd")) {
      n += 3;
      if (matches(text, n, ":dd")) {
        n += 3;
      } else if (matches(text, n, "dd")) {
        n += 2;
      }
    }
  }
  return n - i;
}

// A standalone yyyymmdd (1900-2099), as in a SigV4 credential scope. Eight-digit phone numbers
// rarely pass as a date, and the month and day checks keep most of them out.
bool is_compact_date(std::string_view text, std::size_t i) {
  if (!matches(text, i, "dddddddd")) return false;
  if (i > 0 && is_digit(static_cast<unsigned char>(text[i - 1]))) return false;
  if (i + 8 < text.size() && is_digit(static_cast<unsigned char>(text[i + 8]))) return false;
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) v = v * 10 + (text[at + k] - '0');
    return v;
  };
  int century = number(i, 2);
  int month = number(i + 4, 2);
  int day = number(i + 6, 2);
  return (century == 19 || century == 20) && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Marks the bytes of UUIDs, ISO timestamps and AWS account ids in a Lambda function's partial
// ARN, which the phone pass must not touch.
std::vector<bool> protected_spans(std::string_view text) {
  std::vector<bool> mask(text.size(), false);
  constexpr std::string_view kUuid = "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh";
  constexpr std::string_view kBasicTimestamp = "ddddddddTdddddd";
  // "123456789012:function:ee-1-proxy", as Emergency Alerts names a function in another account.
  constexpr std::string_view kPartialArn = "dddddddddddd:function:";
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 0;
    if (matches(text, i, kUuid)) {
      length = kUuid.size();
    } else if (matches(text, i, kPartialArn) &&
               (i == 0 || !is_digit(static_cast<unsigned char>(text[i - 1])))) {
      length = kPartialArn.size();
    } else if (matches(text, i, kBasicTimestamp) &&
               (i == 0 || !is_digit(static_cast<unsigned char>(text[i - 1])))) {
      // SigV4's X-Amz-Date and other ISO 8601 basic-format times.
      length = kBasicTimestamp.size();
      if (i + length < text.size() && text[i + length] == 'Z') ++length;
    } else if (is_compact_date(text, i)) {
      length = 8;
    } else {
      length = iso_timestamp_length(text, i);
    }
    if (length == 0) {
      ++i;
      continue;
    }
    for (std::size_t k = i; k < i + length; ++k) mask[k] = true;
    i += length;
  }
  return mask;
}

// "00000001", an IBAG message number or another zero-padded counter: "00" opens an
// international number, which then needs a country code and a subscriber number, ten digits at
// least, so a shorter run of bare digits after it dials nothing.
bool is_zero_padded_counter(std::string_view span) {
  constexpr std::size_t kInternationalDigitsMin = 10;
  if (span.size() >= kInternationalDigitsMin || !span.starts_with("00")) return false;
  return std::all_of(span.begin(), span.end(),
                     [](char c) { return is_digit(static_cast<unsigned char>(c)); });
}

bool is_phone_char(char c) {
  return is_digit(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '(' || c == ')' ||
         c == '+';
}

std::string scrub_phones(std::string_view text) {
  auto guarded = protected_spans(text);
  auto word_at = [&](std::size_t k) {
    return !guarded[k] && is_word(static_cast<unsigned char>(text[k]));
  };
  // Whether the word glued to text[at] (ending before it, or starting at it) is all hex digits.
  auto hex_token_before = [&](std::size_t at) {
    for (std::size_t k = at; k > 0 && word_at(k - 1); --k) {
      if (!is_hex(static_cast<unsigned char>(text[k - 1]))) return false;
    }
    return true;
  };
  auto hex_token_after = [&](std::size_t at) {
    for (std::size_t k = at; k < text.size() && word_at(k); ++k) {
      if (!is_hex(static_cast<unsigned char>(text[k]))) return false;
    }
    return true;
  };
  std::string out;
  out.reserve(text.size());
  std::size_t emitted = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (guarded[i] || !is_phone_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t run_end = i;
    while (run_end < text.size() && !guarded[run_end] && is_phone_char(text[run_end])) ++run_end;
    std::size_t run_start = i;
    i = run_end;
    // Spaces separate tokens; a dash or bracket joins the run to its neighbour.
    while (run_start < run_end && text[run_start] == ' ') ++run_start;
    while (run_end > run_start && text[run_end - 1] == ' ') --run_end;
    if (run_start == run_end) continue;

    // A run glued to a token made only of hex digits is part of an id (an SES message id, a
    // hash); one next to a decimal point is a number such as an elapsed time. A run glued to
    // other letters ("Tel07700900123") is still scrubbed, and the letters are kept.
    if (run_start > 0 && word_at(run_start - 1) && hex_token_before(run_start)) continue;
    if (run_end < text.size() && word_at(run_end) && hex_token_after(run_end)) continue;
    if (run_start >= 2 && text[run_start - 1] == '.' &&
        is_digit(static_cast<unsigned char>(text[run_start - 2]))) {
      continue;
    }
    if (run_end + 1 < text.size() && text[run_end] == '.' &&
        is_digit(static_cast<unsigned char>(text[run_end + 1]))) {
      continue;
    }

    // Keep the separators around the number in the line; drop unmatched brackets.
    std::size_t s = run_start;
    std::size_t e = run_end;
    while (s < e && (text[s] == ' ' || text[s] == '-' || text[s] == ')')) ++s;
    while (e > s &&
           (text[e - 1] == ' ' || text[e - 1] == '-' || text[e - 1] == '(' || text[e - 1] == '+')) {
      --e;
    }
    auto span = text.substr(s, e - s);
    int digits = 0;
    int open = 0;
    int close = 0;
    for (char c : span) {
      digits += is_digit(static_cast<unsigned char>(c)) ? 1 : 0;
      open += c == '(' ? 1 : 0;
      close += c == ')' ? 1 : 0;
    }
    if (digits < kPhoneDigitsMin) continue;
    if (is_zero_padded_counter(span)) continue;
    if (!span.empty() && span.front() == '(' && open > close) ++s;
    if (e > s && text[e - 1] == ')' && close > open) --e;

    out.append(text.substr(emitted, s - emitted));
    out.append(kPhone);
    emitted = e;
  }
  out.append(text.substr(emitted));
  return out;
}

// Whether either scrubber could change `text`. scrub_emails acts only at an '@' or a "%40";
// scrub_phones only on a span of at least kPhoneDigitsMin digits inside a run of phone
// characters. Most log lines (ids, statuses, short numbers) have neither, and are kept as they
// are without the scrubbers' copies and masks.
bool may_hold_pii(std::string_view text) {
  int run_digits = 0;
  for (char c : text) {
    if (c == '@' || c == '%') return true;
    if (!is_phone_char(c)) {
      run_digits = 0;
    } else if (is_digit(static_cast<unsigned char>(c)) && ++run_digits >= kPhoneDigitsMin) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string scrub_pii(std::string_view text) {
  if (!may_hold_pii(text)) return std::string(text);
  // Addresses first: a local part made of digits must become <email>, not <phone>@domain.
  return scrub_phones(scrub_emails(text));
}

}  // namespace notify::telemetry
