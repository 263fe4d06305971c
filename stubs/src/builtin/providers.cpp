// The built-in providers. Adding one is a folder under stubs/src/ and one line here (see
// docs/architecture.md, "Adding a provider").
#include "notify/stubs/cbc.hpp"
#include "notify/stubs/lambda.hpp"
#include "notify/stubs/registry.hpp"
#include "notify/stubs/ses.hpp"
#include "notify/stubs/sms.hpp"
#include "notify/stubs/sqs.hpp"

namespace notify::stubs {

StubRegistry& registry() {
  static StubRegistry instance = [] {
    StubRegistry r;
    register_ses(r);
    register_firetext(r);
    register_mmg(r);
    register_lambda(r);
    register_cbc(r);
    register_sqs(r);
    return r;
  }();
  return instance;
}

}  // namespace notify::stubs
