// SigV4 on SES requests. By default the stub takes any well-formed Authorization header, or
// none, as aws-ses-v2-local and moto do; in strict mode (configured credentials) it checks the
// signature the way SES does and answers with SES's common auth errors (AWS's common errors for
// signed requests).
#include "core.hpp"

#include "notify/aws/sigv4.hpp"

#include <chrono>
#include <cstdlib>

namespace notify::stubs::ses {

namespace {

constexpr auto kMaxSkew = std::chrono::minutes(15);

// "20261127T230159Z" -> time point; nullopt when malformed.
std::optional<runtime::TimePoint> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2), se = num(13, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 60) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  auto days = std::chrono::sys_days(ymd);
  return runtime::TimePoint(days.time_since_epoch() + std::chrono::hours(h) +
                            std::chrono::minutes(mi) + std::chrono::seconds(se));
}

std::string shorten(std::string_view s) {
  constexpr std::size_t kMax = 80;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

}  // namespace

std::optional<SesError> Core::check_auth(const transport::Request& request) {
  const bool strict = !options.strict_sigv4.empty();
  auto header = request.headers.get("Authorization");
  if (!header) {
    if (!strict) return std::nullopt;
    return SesError{403, "MissingAuthenticationToken", "Request is missing Authentication Token"};
  }
  auto parsed = aws::parse_authorization(*header);
  if (!parsed) {
    return SesError{400, "IncompleteSignature",
                    "The request signature does not conform to AWS standards: expected "
                    "'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...', got '" +
                        shorten(*header) + "'"};
  }
  if (!strict) return std::nullopt;
  if (parsed->service != "ses") {
    return SesError{403, "SignatureDoesNotMatch",
                    "Credential should be scoped to correct service: 'ses'. "};
  }
  auto key = options.strict_sigv4.find(parsed->access_key_id);
  if (key == options.strict_sigv4.end()) {
    return SesError{403, "InvalidClientTokenId",
                    "The security token included in the request is invalid."};
  }
  std::string_view amz_date = request.headers.get_or("X-Amz-Date", "");
  auto signed_at = parse_amz_date(amz_date);
  if (signed_at) {
    auto t = now();
    if (*signed_at + kMaxSkew < t || *signed_at - kMaxSkew > t) {
      return SesError{400, "RequestExpired",
                      "Signature expired: " + std::string(amz_date) +
                          " is not within 15 minutes of the server time " +
                          runtime::format_amz_date(t) + "."};
    }
  }
  std::string reason = aws::verify_request(request, key->second);
  if (!reason.empty()) {
    return SesError{403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details."};
  }
  return std::nullopt;
}

}  // namespace notify::stubs::ses
