// Celery's task message, as kombu 5.2's SQS transport sends it (checked against Debian's
// python3-celery 5.2.6 and python3-kombu 5.2.4: celery/app/amqp.py as_task_v2,
// kombu/transport/virtual/base.py, kombu/transport/SQS.py _put, celery/utils/saferepr.py).
#include "celery.hpp"

#include "notify/aws/sigv4.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

namespace notify::stubs::ses {

namespace {

using ordered = nlohmann::ordered_json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::size_t kReprMax = 1024;  // Celery's argsrepr_maxsize

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
             (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void put_u16(std::string& out, unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

void python_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20)
            put_u16(out, c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // UTF-8 to a code point; ensure_ascii writes it as \uXXXX (a surrogate pair above U+FFFF).
    std::size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    std::uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : n == 4 ? c & 0x07 : 0xFFFD;
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put_u16(out, 0xD800 + (cp >> 10));
      put_u16(out, 0xDC00 + (cp & 0x3FF));
    } else {
      put_u16(out, cp);
    }
    i += n;
  }
  out += '"';
}

void python_dump(std::string& out, const ordered& v) {
  switch (v.type()) {
    case ordered::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        if (!first) out += ", ";
        first = false;
        python_string(out, k);
        out += ": ";
        python_dump(out, x);
      }
      out += '}';
      return;
    }
    case ordered::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v) {
        if (!first) out += ", ";
        first = false;
        python_dump(out, x);
      }
      out += ']';
      return;
    }
    case ordered::value_t::string:
      python_string(out, v.get_ref<const std::string&>());
      return;
    case ordered::value_t::null:
      out += "null";
      return;
    case ordered::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    default:
      out += v.dump();
  }
}

// celery.utils.text.truncate: cut at maxlen, back to the last space, then "...".
std::string truncate(std::string_view s, std::int64_t maxlen) {
  if (maxlen > 0 && static_cast<std::int64_t>(s.size()) >= maxlen) {
    std::string_view head = s.substr(0, static_cast<std::size_t>(maxlen));
    auto space = head.rfind(' ');
    if (space != std::string_view::npos) head = head.substr(0, space);
    return std::string(head) + "...";
  }
  return std::string(s);
}

// _format_chars: the text in single quotes, its single quotes backslashed, nothing else escaped.
std::string quoted(std::string_view s, std::int64_t maxlen) {
  std::string t = truncate(s, maxlen);
  std::string out = "'";
  for (char c : t) {
    if (c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string python_json(const ordered& value) {
  std::string out;
  python_dump(out, value);
  return out;
}

std::string celery_argsrepr(std::string_view message, const std::optional<std::string>& extra) {
  // saferepr's token stream for ({'Message': message}[, extra]). Each token spends its length
  // from the budget; the first token met with the budget spent is replaced by ", ..." and only
  // the closing brackets still to come are written after it.
  struct Token {
    enum Kind { literal, key, text } kind;
    std::string value;
    bool droppable = false;  // separators, dropped after the budget is spent
  };
  std::vector<Token> tokens{{Token::literal, "("},
                            {Token::literal, "{"},
                            {Token::key, "Message"},
                            {Token::literal, ": ", true},
                            {Token::text, std::string(message)},
                            {Token::literal, "}"}};
  if (extra) {
    tokens.push_back({Token::literal, ", ", true});
    tokens.push_back({Token::text, *extra});
    tokens.push_back({Token::literal, ")"});
  } else {
    tokens.push_back({Token::literal, ",)"});
  }
  std::string out;
  auto budget = static_cast<std::int64_t>(kReprMax);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (budget <= 0) {
      out += ", ...";
      for (std::size_t j = i + 1; j < tokens.size(); ++j)
        if (tokens[j].kind == Token::literal && !tokens[j].droppable) out += tokens[j].value;
      break;
    }
    std::string v =
        tokens[i].kind == Token::literal ? tokens[i].value : quoted(tokens[i].value, budget);
    out += v;
    budget -= static_cast<std::int64_t>(v.size());
  }
  return out;
}

std::string python_isoformat(runtime::TimePoint t, std::string_view suffix) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  const auto secs = std::chrono::floor<std::chrono::seconds>(us);
  const auto days = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{std::chrono::sys_days(days)};
  const std::chrono::hh_mm_ss hms{secs - days};
  const auto fraction = (us - secs).count();
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", int(ymd.year()),
      unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long long>(hms.hours().count()),
      static_cast<long long>(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  std::string out = buf;
  if (fraction != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(fraction));
    out += buf;
  }
  return out + std::string(suffix);
}

std::string celery_message_body(std::string_view task, std::string_view message,
                                const std::optional<std::string>& extra,
                                std::string_view routing_key, runtime::TimePoint now,
                                std::chrono::seconds countdown, const CeleryIds& ids) {
  ordered args = ordered::array({ordered{{"Message", message}}});
  if (extra) args.push_back(*extra);
  ordered body = ordered::array(
      {args, ordered::object(),
       ordered{
           {"callbacks", nullptr}, {"errbacks", nullptr}, {"chain", nullptr}, {"chord", nullptr}}});
  ordered headers{{"lang", "py"},
                  {"task", task},
                  {"id", ids.task_id},
                  {"shadow", nullptr},
                  {"eta", python_isoformat(now + countdown, "+00:00")},
                  {"expires", nullptr},
                  {"group", nullptr},
                  {"group_index", nullptr},
                  {"retries", 0},
                  {"timelimit", ordered::array({nullptr, nullptr})},
                  {"root_id", ids.task_id},
                  {"parent_id", nullptr},
                  {"argsrepr", celery_argsrepr(message, extra)},
                  {"kwargsrepr", "{}"},
                  {"origin", ids.origin},
                  {"ignore_result", false}};
  ordered envelope{{"body", base64(python_json(body))},
                   {"content-encoding", "utf-8"},
                   {"content-type", "application/json"},
                   {"headers", std::move(headers)},
                   {"properties",
                    {{"correlation_id", ids.task_id},
                     {"reply_to", ids.reply_to},
                     {"delivery_mode", 2},
                     {"delivery_info", {{"exchange", ""}, {"routing_key", routing_key}}},
                     {"priority", 0},
                     {"body_encoding", "base64"},
                     {"delivery_tag", ids.delivery_tag}}}};
  return base64(python_json(envelope));
}

transport::Request celery_send_request(const SesCeleryOptions& options, const std::string& sqs_base,
                                       const std::string& message_body, runtime::TimePoint now) {
  const std::string queue_url =
      sqs_base + "/" + options.account + "/" + options.queue_prefix + options.queue;
  transport::Request r;
  r.method = "POST";
  r.target = sqs_base + "/";
  r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  r.body = "Action=SendMessage&Version=2012-11-05&QueueUrl=" + transport::url_encode(queue_url) +
           "&MessageBody=" + transport::url_encode(message_body);
  aws::SigV4Scope scope{options.access_key_id, options.secret_access_key, "", options.region,
                        "sqs"};
  aws::sign_request(r, scope, now);
  return r;
}

std::string sqs_error_code(const transport::Response& response) {
  if (auto header = response.headers.get("x-amzn-query-error"))
    return std::string(header->substr(0, header->find(';')));
  const auto open = response.body.find("<Code>");
  if (open == std::string::npos) return {};
  const auto start = open + 6;
  const auto close = response.body.find("</Code>", start);
  return close == std::string::npos ? std::string() : response.body.substr(start, close - start);
}

bool botocore_legacy_retries(const transport::SendResult& result) {
  if (!result) return true;  // general_socket_errors
  switch (result->status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
    case 509:
      return true;
    case 400: {
      const std::string code = sqs_error_code(*result);
      return code == "Throttling" || code == "ThrottlingException" ||
             code == "ThrottledException" || code == "RequestThrottledException";
    }
    case 403:
      return sqs_error_code(*result) == "RequestThrottled";  // sqs: request_limit_exceeded
    default:
      return false;
  }
}

std::optional<CallbackRetry> celery_sender_retry(const SesCeleryOptions& options,
                                                 const transport::SendResult& result,
                                                 const CallbackAttempt& attempt,
                                                 runtime::Rng& rng) {
  if (attempt.sends < options.sdk_attempts_max && botocore_legacy_retries(result)) {
    const double seconds = rng.uniform01() * std::pow(2.0, attempt.sends - 1);
    return CallbackRetry{
        std::chrono::duration_cast<runtime::Duration>(std::chrono::duration<double>(seconds)),
        false};
  }
  // The run raised: Lambda's asynchronous invocation runs the function again, a minute after
  // the first run and two minutes after the second (AWS Lambda Developer Guide, "How Lambda
  // handles errors and retries with asynchronous invocation").
  if (attempt.builds <= options.invocation_retries)
    return CallbackRetry{std::chrono::minutes(attempt.builds), true};
  return std::nullopt;
}

}  // namespace notify::stubs::ses
