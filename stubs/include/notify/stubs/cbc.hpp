// CbcStub: one Cell Broadcast Centre per mobile operator (EE, O2, Three, Vodafone), reached
// through one listener per availability-zone path, as the UK proxy Lambdas reach the real CBCs.
// It validates every CAP 1.2 or IBAG document it receives with the broadcast library, checks the
// sequence rules across what it has received (identifiers and message numbers not reused,
// references naming messages it acknowledged, no cancel of an unknown alert) and answers an
// acknowledgement or an error. The real CBC interface is not public: the path and the answer's
// shape are this project's own design (docs/stubs/cbc.md).
#pragma once

#include "notify/stubs/registry.hpp"
#include "notify/stubs/stub.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace notify::stubs {

/// The operators Notify enables (ENABLED_CBCS) and the two AZ paths each proxy pair uses: the
/// "-1-proxy" Lambda reaches its CBC through the first, the "-2-proxy" through the second.
inline constexpr std::array<std::string_view, 4> kCbcOperators = {"ee", "o2", "three", "vodafone"};
inline constexpr std::array<std::string_view, 2> kCbcAzs = {"eu-west-2a", "eu-west-2b"};
/// The document format an operator's CBC takes: IBAG for Vodafone, CAP 1.2 for the others.
inline bool cbc_takes_ibag(std::string_view op) { return op == "vodafone"; }
/// The path a proxy posts a document to: /cbc/{operator}/{az}.
std::string cbc_path(std::string_view op, std::string_view az);

/// Counts since the last reset, per operator.
struct CbcCounters {
  std::uint64_t received = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t rejected = 0;  // any error answer, injected or not
  std::uint64_t invalid = 0;   // documents the validator found errors in
};

class CbcStub final : public Stub {
 public:
  CbcStub();
  ~CbcStub() override;

  std::string_view service() const override { return "cbc"; }
  bool accepts(const transport::Request& request) const override;
  RequestInfo describe(const transport::Request& request) const override;
  StubAnswer handle(const Call& call) override;
  std::vector<std::string> error_names() const override;
  std::optional<SelectorNames> selector_names() const override;
  StubAnswer not_found(const transport::Request& request) const;
  void reset() override;
  /// "responses": {"<operator>[/<az>]": 200 | 403 | 500}, the HTTP status an endpoint answers
  /// whatever it is sent (200: as usual). "operator/az" wins over "operator".
  /// "signature_certificate": "PATH" (a PEM certificate): every document must then carry an
  /// XML-DSig signature made with its key, or is refused with SignatureMissing or
  /// SignatureInvalid (HTTP 400); "" turns the check off.
  std::optional<FieldError> configure(const nlohmann::json& config) override;

  std::map<std::string, CbcCounters> counters() const;
  /// The documents received (the latest 5,000 to 10,000), in order, with the operator each went to.
  std::vector<std::pair<std::string, std::string>> documents() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void register_cbc(StubRegistry& registry);

/// The fault names CbcStub renders.
inline constexpr const char* kCbcReject = "cbc.reject";                 // an Error answer, HTTP 400
inline constexpr const char* kCbcForbidden = "cbc.forbidden";           // HTTP 403
inline constexpr const char* kCbcInternalError = "cbc.internal_error";  // HTTP 500

}  // namespace notify::stubs
