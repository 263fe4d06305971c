// Signed documents through the proxy Lambda to a CBC stub that checks them: a signature made
// with the configured certificate's key is acknowledged; an unsigned document, one changed after
// signing, and one signed by another key are refused with an Error answer that is itself valid.
// Key pairs come from openssl at build time (NOTIFY_TEST_KEYS_DIR).
#include "cbc_fixture.hpp"

#include "notify/broadcast/render.hpp"
#include "notify/broadcast/sign.hpp"

namespace notify::stubs::testing {
namespace {

const std::string kKeys = NOTIFY_TEST_KEYS_DIR;

nlohmann::json signing(const std::string& name) {
  return {{"signing", {{"key", kKeys + "/" + name + ".key"},
                       {"certificate", kKeys + "/" + name + ".pem"}}}};
}

nlohmann::json checking() { return {{"signature_certificate", kKeys + "/signer.pem"}}; }

std::vector<JournalEntry> answers(StubHost& host) {
  JournalQuery q;
  q.service = "cbc";
  q.direction = "in";
  return host.journal().query(q);
}

void expect_valid_answer(const JournalEntry& e) {
  broadcast::ValidateOptions vo;
  vo.profile = broadcast::Profile::uk;
  EXPECT_TRUE(broadcast::validate_document(e.response_body, vo).valid()) << e.response_body;
}

TEST_F(CbcTest, SignedDocumentsAreAcknowledged) {
  ASSERT_FALSE(lambda_.configure(signing("signer")));
  ASSERT_FALSE(cbc_.configure(checking()));
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000201"));
  EXPECT_EQ(body(r)["success"], true) << r.body;
  r = invoke("vodafone-2-proxy", alert("11111111-0000-4000-8000-000000000202", "ibag"));
  EXPECT_EQ(body(r)["success"], true) << r.body;
  auto docs = cbc_.documents();
  ASSERT_EQ(docs.size(), 2U);
  EXPECT_NE(docs[0].second.find("</ds:Signature></alert>"), std::string::npos);
  EXPECT_NE(docs[1].second.find("<IBAG_Digital_Signature><ds:Signature"), std::string::npos);
  for (const auto& e : answers(host_)) EXPECT_EQ(e.outcome, "ok");
}

TEST_F(CbcTest, UnsignedAndOtherKeysDocumentsAreRefused) {
  ASSERT_FALSE(cbc_.configure(checking()));
  auto r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000203"));
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("SignatureMissing"), std::string::npos)
      << r.body;

  ASSERT_FALSE(lambda_.configure(signing("other")));
  r = invoke("vodafone-1-proxy", alert("11111111-0000-4000-8000-000000000204", "ibag"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("SignatureInvalid"), std::string::npos)
      << r.body;
  auto a = answers(host_);
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].outcome, "error:SignatureMissing");
  EXPECT_EQ(a[1].outcome, "error:SignatureInvalid");
  for (const auto& e : a) {
    EXPECT_EQ(e.status, 400);
    expect_valid_answer(e);
  }

  // Turned off again, the same unsigned alert is acknowledged.
  ASSERT_FALSE(cbc_.configure(nlohmann::json{{"signature_certificate", ""}}));
  ASSERT_FALSE(lambda_.configure(nlohmann::json{{"signing", nlohmann::json::object()}}));
  EXPECT_EQ(body(invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000203")))["success"],
            true);
}

// The handler alone, without a socket: a document changed after it was signed.
TEST_F(CbcTest, ATamperedDocumentIsRefused) {
  ASSERT_FALSE(cbc_.configure(checking()));
  auto signer = broadcast::Signer::from_files(kKeys + "/signer.key", kKeys + "/signer.pem");
  auto doc = broadcast::render_json(alert("11111111-0000-4000-8000-000000000205"));
  ASSERT_TRUE(doc);
  auto s = signer.sign(*doc);
  ASSERT_TRUE(s.ok) << s.error;

  auto post = [&](std::string body_text) {
    transport::Request q;
    q.method = "POST";
    q.target = cbc_path("three", "eu-west-2a");
    q.body = std::move(body_text);
    RequestInfo info = cbc_.describe(q);
    std::string no_error;
    return cbc_.handle(Call{q, info, no_error, 1});
  };
  auto tampered = s.document;
  tampered.replace(tampered.find("Flood warning"), 13, "Flood WARNING");
  auto refused = post(tampered);
  EXPECT_EQ(refused.response.status, 400);
  EXPECT_EQ(refused.outcome, "error:SignatureInvalid");
  EXPECT_NE(refused.response.body.find("<code>SignatureInvalid</code>"), std::string::npos);
  auto ok = post(s.document);
  EXPECT_EQ(ok.outcome, "ok") << ok.response.body;
}

TEST_F(CbcTest, SigningConfigErrorsNameTheField) {
  auto e = cbc_.configure(nlohmann::json{{"signature_certificate", kKeys + "/missing.pem"}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signature_certificate"), std::string::npos) << e->to_string();
  EXPECT_NE(e->to_string().find("missing.pem: cannot read the certificate"), std::string::npos)
      << e->to_string();
  e = lambda_.configure(nlohmann::json{{"signing", {{"key", kKeys + "/signer.key"}}}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signing.certificate"), std::string::npos) << e->to_string();
  e = lambda_.configure(nlohmann::json{
      {"signing", {{"key", kKeys + "/signer.pem"}, {"certificate", kKeys + "/signer.pem"}}}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signing.key"), std::string::npos) << e->to_string();
  // Refused configurations change nothing: documents still go unsigned and unchecked.
  EXPECT_EQ(body(invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000206")))["success"],
            true);
}

}  // namespace
}  // namespace notify::stubs::testing
