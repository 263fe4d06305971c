// AWS Signature Version 4 (AWS General Reference): one canonicalisation shared by the signer and
// the verifier, so a request this code signs always verifies, and the verifier reproduces what
// boto3 and the AWS CLI sign.
#include "notify/aws/sigv4.hpp"

#include "notify/runtime/assert.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace notify::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Header values as SigV4 wants them: outer whitespace trimmed, inner runs of spaces collapsed.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string_view date_of(std::string_view amz_date) { return amz_date.substr(0, 8); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s = s.substr(pos + 1);
  }
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string signature_for(const SigV4Scope& scope, std::string_view amz_date,
                          std::string_view canonical) {
  auto credential_scope =
      std::string(date_of(amz_date)) + "/" + scope.region + "/" + scope.service + "/aws4_request";
  auto string_to_sign = std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" +
                        credential_scope + "\n" + sha256_hex(canonical);
  auto key =
      derive_signing_key(scope.secret_access_key, date_of(amz_date), scope.region, scope.service);
  auto raw = hmac_sha256(key, string_to_sign);
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

// Constant-time so that a strict stub does not leak how much of a signature matched.
bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  int ok = EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  NOTIFY_ASSERT(ok == 1);
  return hex(digest, length);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  auto* out =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  NOTIFY_ASSERT(out != nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service) {
  auto k_date = hmac_sha256("AWS4" + std::string(secret), date);
  auto k_region = hmac_sha256(k_date, region);
  auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string canonical_request(const transport::Request& request, std::string_view origin_target,
                              std::string_view signed_headers) {
  auto query_at = origin_target.find('?');
  auto path = origin_target.substr(0, query_at);
  auto query =
      query_at == std::string_view::npos ? std::string_view{} : origin_target.substr(query_at + 1);

  // Every service but S3 encodes the path as received once more ("%3A" -> "%253A").
  std::string canonical_uri = path.empty() ? "/" : transport::percent_encode(path, true);

  std::vector<std::pair<std::string, std::string>> params;
  if (!query.empty()) {
    for (auto pair : split(query, '&')) {
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      auto name = transport::percent_decode(pair.substr(0, eq));
      auto value = eq == std::string_view::npos ? std::string{}
                                                : transport::percent_decode(pair.substr(eq + 1));
      params.emplace_back(transport::percent_encode(name), transport::percent_encode(value));
    }
  }
  std::sort(params.begin(), params.end());
  std::string canonical_query;
  for (const auto& [name, value] : params) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += name + "=" + value;
  }

  std::string canonical_headers;
  for (auto name : split(signed_headers, ';')) {
    // Repeated headers are joined with commas, in the order they arrived.
    std::string joined;
    bool first = true;
    for (const auto& [field, value] : request.headers) {
      if (!transport::iequals(field, name)) continue;
      if (!first) joined += ',';
      joined += canonical_value(value);
      first = false;
    }
    canonical_headers += lower(name) + ":" + joined + "\n";
  }

  return std::string(request.method) + "\n" + canonical_uri + "\n" + canonical_query + "\n" +
         canonical_headers + "\n" + std::string(signed_headers) + "\n" + sha256_hex(request.body);
}

void sign_request(transport::Request& request, const SigV4Scope& scope, runtime::TimePoint now) {
  auto url = transport::parse_url(request.target);
  NOTIFY_ASSERT(url.has_value());  // the caller builds the target from a checked URL
  auto amz_date = runtime::format_amz_date(now);
  request.headers.set("Host", url->authority());
  request.headers.set("X-Amz-Date", amz_date);
  if (!scope.session_token.empty()) {
    request.headers.set("X-Amz-Security-Token", scope.session_token);
  } else {
    request.headers.erase("X-Amz-Security-Token");
  }
  request.headers.erase("Authorization");

  std::string signed_headers;
  if (request.headers.contains("Content-Type")) signed_headers += "content-type;";
  signed_headers += "host;x-amz-date";
  if (!scope.session_token.empty()) signed_headers += ";x-amz-security-token";

  auto canonical = canonical_request(request, url->target, signed_headers);
  auto signature = signature_for(scope, amz_date, canonical);
  request.headers.set("Authorization",
                      std::string(kAlgorithm) + " Credential=" + scope.access_key_id + "/" +
                          std::string(date_of(amz_date)) + "/" + scope.region + "/" +
                          scope.service + "/aws4_request, SignedHeaders=" + signed_headers +
                          ", Signature=" + signature);
}

std::optional<ParsedAuthorization> parse_authorization(std::string_view header) {
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  header.remove_prefix(kAlgorithm.size());
  if (header.empty() || header.front() != ' ') return std::nullopt;
  ParsedAuthorization out;
  std::string credential;
  for (auto part : split(header, ',')) {
    auto item = trim(part);
    auto eq = item.find('=');
    if (eq == std::string::npos) return std::nullopt;
    auto key = item.substr(0, eq);
    auto value = item.substr(eq + 1);
    if (key == "Credential") {
      credential = value;
    } else if (key == "SignedHeaders") {
      out.signed_headers = value;
    } else if (key == "Signature") {
      out.signature = value;
    }
  }
  auto fields = split(credential, '/');
  if (fields.size() != 5 || fields[4] != "aws4_request" || out.signed_headers.empty() ||
      out.signature.empty()) {
    return std::nullopt;
  }
  out.access_key_id = std::string(fields[0]);
  out.date = std::string(fields[1]);
  out.region = std::string(fields[2]);
  out.service = std::string(fields[3]);
  if (out.access_key_id.empty() || out.date.size() != 8) return std::nullopt;
  return out;
}

std::string verify_request(const transport::Request& request, std::string_view secret) {
  auto header = request.headers.get("Authorization");
  if (!header) return "the request has no Authorization header";
  auto auth = parse_authorization(*header);
  if (!auth) {
    return "the Authorization header is not 'AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/"
           "service/aws4_request, SignedHeaders=..., Signature=...'";
  }
  auto amz_date = request.headers.get("X-Amz-Date");
  if (!amz_date) return "the request has no X-Amz-Date header";
  if (amz_date->size() != 16 || date_of(*amz_date) != auth->date) {
    return "X-Amz-Date '" + std::string(*amz_date) + "' does not match the credential date '" +
           auth->date + "'";
  }
  auto names = split(auth->signed_headers, ';');
  if (!std::is_sorted(names.begin(), names.end())) {
    return "SignedHeaders '" + auth->signed_headers + "' is not sorted";
  }
  for (std::string_view required : {"host", "x-amz-date"}) {
    if (std::find(names.begin(), names.end(), required) == names.end()) {
      return "SignedHeaders '" + auth->signed_headers + "' does not include " +
             std::string(required);
    }
  }
  for (auto name : names) {
    if (lower(name) != name) return "SignedHeaders must be lower case";
    if (!request.headers.contains(name)) {
      return "signed header '" + std::string(name) + "' is missing from the request";
    }
  }
  if (request.headers.contains("X-Amz-Security-Token") &&
      std::find(names.begin(), names.end(), "x-amz-security-token") == names.end()) {
    return "X-Amz-Security-Token is present but not signed";
  }

  SigV4Scope scope{auth->access_key_id, std::string(secret), {}, auth->region, auth->service};
  auto canonical = canonical_request(request, request.target, auth->signed_headers);
  auto expected = signature_for(scope, *amz_date, canonical);
  if (!equal_constant_time(expected, auth->signature)) {
    return "the signature does not match: the request was changed after signing, or was signed "
           "with another secret key";
  }
  return {};
}

}  // namespace notify::aws
