// AWS Signature Version 4 (AWS General Reference): one canonicalisation shared by the signer and
// the verifier, so a request this code signs always verifies, and the verifier reproduces what
// boto3 and the AWS CLI sign.
#include "notify/aws/sigv4.hpp"

#include "notify/runtime/assert.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

namespace notify::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Sized once and written by index: six digests per signed and verified request.
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
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

// Appends a header value as SigV4 wants it: outer whitespace trimmed, inner runs of spaces
// collapsed.
void append_canonical_value(std::string& out, std::string_view v) {
  const std::size_t start = out.size();
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = out.size() != start;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
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

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

using Digest = std::array<unsigned char, 32>;

// SHA-256 through one digest context per thread, with the algorithm fetched once: OpenSSL 3's
// one-shot EVP_Digest and HMAC fetch the algorithm and allocate a context on every call, which
// cost more than hashing a SendEmail request.
class Sha256 {
 public:
  static Sha256& local() {
    thread_local Sha256 instance;
    return instance;
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }

  void begin() { NOTIFY_ASSERT(EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1); }
  void update(std::string_view data) {
    NOTIFY_ASSERT(EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1);
  }
  void update(const unsigned char* data, std::size_t size) {
    NOTIFY_ASSERT(EVP_DigestUpdate(ctx_, data, size) == 1);
  }
  Digest end() {
    Digest out{};
    unsigned int length = 0;
    NOTIFY_ASSERT(EVP_DigestFinal_ex(ctx_, out.data(), &length) == 1 && length == out.size());
    return out;
  }
  Digest digest(std::string_view data) {
    begin();
    update(data);
    return end();
  }

  // RFC 2104 over SHA-256 (block size 64).
  Digest hmac(std::string_view key, std::string_view data) {
    std::array<unsigned char, 64> block{};
    if (key.size() > block.size()) {
      Digest hashed = digest(key);
      std::memcpy(block.data(), hashed.data(), hashed.size());
    } else {
      std::memcpy(block.data(), key.data(), key.size());
    }
    std::array<unsigned char, 64> pad;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
    begin();
    update(pad.data(), pad.size());
    update(data);
    Digest inner = end();
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
    begin();
    update(pad.data(), pad.size());
    update(inner.data(), inner.size());
    return end();
  }

 private:
  Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
    NOTIFY_ASSERT(md_ != nullptr && ctx_ != nullptr);
  }
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

std::string_view as_text(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// The signing key changes once a day per secret, region and service, but derives with four
// HMACs; the last one is kept per thread (a process signs for one or two scopes a day).
const std::string& cached_signing_key(std::string_view secret, std::string_view date,
                                      std::string_view region, std::string_view service) {
  struct Cached {
    std::string secret, date, region, service, key;
  };
  thread_local Cached cached;
  if (cached.key.empty() || cached.secret != secret || cached.date != date ||
      cached.region != region || cached.service != service) {
    cached.key = derive_signing_key(secret, date, region, service);
    cached.secret = secret;
    cached.date = date;
    cached.region = region;
    cached.service = service;
  }
  return cached.key;
}

std::string signature_for(const SigV4Scope& scope, std::string_view amz_date,
                          std::string_view canonical) {
  Sha256& sha = Sha256::local();
  const Digest canonical_hash = sha.digest(canonical);
  std::string string_to_sign;
  string_to_sign.reserve(160);
  string_to_sign += kAlgorithm;
  string_to_sign += '\n';
  string_to_sign += amz_date;
  string_to_sign += '\n';
  string_to_sign += date_of(amz_date);
  string_to_sign += '/';
  string_to_sign += scope.region;
  string_to_sign += '/';
  string_to_sign += scope.service;
  string_to_sign += "/aws4_request\n";
  string_to_sign += hex(canonical_hash.data(), canonical_hash.size());
  const std::string& key =
      cached_signing_key(scope.secret_access_key, date_of(amz_date), scope.region, scope.service);
  const Digest raw = sha.hmac(key, string_to_sign);
  return hex(raw.data(), raw.size());
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
  const Digest d = Sha256::local().digest(data);
  return hex(d.data(), d.size());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return std::string(as_text(Sha256::local().hmac(key, data)));
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

  // One buffer for the whole request: it is hashed once and dropped.
  std::string out;
  out.reserve(256 + origin_target.size() + signed_headers.size() * 4);
  out += request.method;
  out += '\n';
  out += canonical_uri;
  out += '\n';
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += '&';
    out += params[i].first;
    out += '=';
    out += params[i].second;
  }
  out += '\n';
  for (auto name : split(signed_headers, ';')) {
    for (char c : name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    out += ':';
    // Repeated headers are joined with commas, in the order they arrived.
    bool first = true;
    for (const auto& [field, value] : request.headers) {
      if (!transport::iequals(field, name)) continue;
      if (!first) out += ',';
      append_canonical_value(out, value);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  const Digest body = Sha256::local().digest(request.body);
  out += hex(body.data(), body.size());
  return out;
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
  std::string_view credential;
  for (auto part : split(header, ',')) {
    auto item = trim(part);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
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
