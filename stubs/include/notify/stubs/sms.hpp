// The SMS provider stubs: Firetext (a form POST answered with {"code": 0, ...}) and MMG (a JSON
// POST with Basic auth answered with its reference), each with the delivery receipts its provider
// posts later to the URL the request names (Firetext's "receipt", MMG's "delurl"). The outcome of
// a receipt comes from the number (Notify's test numbers), from the stub's configuration or from
// a fault rule. docs/stubs/firetext.md and docs/stubs/mmg.md describe both.
#pragma once

#include "notify/stubs/registry.hpp"
#include "notify/stubs/stub.hpp"

#include <memory>

namespace notify::stubs {

// Named errors for fault rules. A send-level error is rendered in the provider's own format; a
// receipt-level one lets the send succeed and changes what its receipts do.
inline constexpr const char* kFiretextError = "firetext.error";       // 200 {"code": 1, ...}
inline constexpr const char* kFiretextAuth = "firetext.auth";         // the API-key error
inline constexpr const char* kFiretextHttp500 = "firetext.http_500";  // 500, not JSON
inline constexpr const char* kFiretextHttp503 = "firetext.http_503";  // 503, not JSON
inline constexpr const char* kFiretextBadJson = "firetext.bad_json";  // 200, plain text
inline constexpr const char* kFiretextReceiptDrop = "firetext.receipt_drop";
inline constexpr const char* kFiretextReceiptDuplicate = "firetext.receipt_duplicate";
inline constexpr const char* kFiretextReceiptReorder = "firetext.receipt_reorder";
inline constexpr const char* kFiretextReceiptPermanent = "firetext.receipt_permanent";
inline constexpr const char* kFiretextReceiptTemporary = "firetext.receipt_temporary";

inline constexpr const char* kMmgError = "mmg.error";       // 400 {"Error": 299, ...}
inline constexpr const char* kMmgAuth = "mmg.auth";         // 400 {"Error": 206, ...}
inline constexpr const char* kMmgHttp500 = "mmg.http_500";  // 500, not JSON
inline constexpr const char* kMmgHttp503 = "mmg.http_503";  // 503, not JSON
inline constexpr const char* kMmgBadJson = "mmg.bad_json";  // 200 "Success 100, 42"
inline constexpr const char* kMmgReceiptDrop = "mmg.receipt_drop";
inline constexpr const char* kMmgReceiptDuplicate = "mmg.receipt_duplicate";
inline constexpr const char* kMmgReceiptReorder = "mmg.receipt_reorder";
inline constexpr const char* kMmgReceiptPermanent = "mmg.receipt_permanent";
inline constexpr const char* kMmgReceiptTemporary = "mmg.receipt_temporary";

/// The stubs, unconfigured: any non-empty API key, receipts after 100-1000 ms (uniform) to the
/// URL each request names, and none when it names none.
std::unique_ptr<Stub> make_firetext_stub();
std::unique_ptr<Stub> make_mmg_stub();

void register_firetext(StubRegistry& registry);
void register_mmg(StubRegistry& registry);

}  // namespace notify::stubs
