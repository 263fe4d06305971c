// Signed documents through the proxy Lambda to a CBC stub that checks them: a signature made
// with the configured certificate's key is acknowledged; an unsigned document, one changed after
// signing, and one signed by another key are refused with an Error answer that is itself valid.
// Key pairs come from openssl at build time (NOTIFY_TEST_KEYS_DIR), or are notify-sim's built-in
// test pair.
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

nlohmann::json test_pair_signing() { return {{"signing", {{"test_pair", true}}}}; }
nlohmann::json test_pair_checking() { return {{"signature_test_pair", true}}; }

TEST_F(CbcTest, TestPairOnBothSidesIsAcknowledged) {
  ASSERT_FALSE(lambda_.configure(test_pair_signing()));
  ASSERT_FALSE(cbc_.configure(test_pair_checking()));
  EXPECT_TRUE(lambda_.options().signing_test_pair);
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000211"));
  EXPECT_EQ(body(r)["success"], true) << r.body;
  r = invoke("vodafone-1-proxy", alert("11111111-0000-4000-8000-000000000212", "ibag"));
  EXPECT_EQ(body(r)["success"], true) << r.body;
  for (const auto& e : answers(host_)) EXPECT_EQ(e.outcome, "ok");

  // A CBC that trusts the test pair refuses what the file key signed, and the reverse.
  ASSERT_FALSE(lambda_.configure(signing("signer")));
  r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000213"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find(
                "SignatureInvalid: the signature does not verify with notify-sim's built-in "
                "test pair"),
            std::string::npos)
      << r.body;
  ASSERT_FALSE(lambda_.configure(test_pair_signing()));
  ASSERT_FALSE(cbc_.configure(checking()));
  r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000213"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("SignatureInvalid"), std::string::npos)
      << r.body;

  // Unsigned, to a CBC that trusts the test pair: the answer names the pair, not a path.
  ASSERT_FALSE(lambda_.configure(nlohmann::json{{"signing", {{"test_pair", false}}}}));
  EXPECT_FALSE(lambda_.options().signer);
  ASSERT_FALSE(cbc_.configure(test_pair_checking()));
  r = invoke("three-1-proxy", alert("11111111-0000-4000-8000-000000000214"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find(
                "SignatureMissing: this CBC takes only documents signed with notify-sim's "
                "built-in test pair"),
            std::string::npos)
      << r.body;
}

TEST_F(CbcTest, TestPairConfigErrorsNameTheField) {
  auto e = lambda_.configure(nlohmann::json{{"signing",
                                             {{"test_pair", true},
                                              {"key", kKeys + "/signer.key"},
                                              {"certificate", kKeys + "/signer.pem"}}}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to_string(),
            "signing.test_pair: expected true alone, or key and certificate without it, got true "
            "beside key and certificate");
  e = lambda_.configure(nlohmann::json{{"signing", {{"test_pair", "yes"}}}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signing.test_pair"), std::string::npos) << e->to_string();
  e = cbc_.configure(nlohmann::json{{"signature_test_pair", true},
                                    {"signature_certificate", kKeys + "/signer.pem"}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signature_test_pair: expected true alone, or a "
                                "signature_certificate without it, got true beside "
                                "signature_certificate"),
            std::string::npos)
      << e->to_string();
  e = cbc_.configure(nlohmann::json{{"signature_test_pair", 1}});
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("signature_test_pair"), std::string::npos) << e->to_string();
  // "" beside true is no certificate: the test pair alone.
  EXPECT_FALSE(
      cbc_.configure(nlohmann::json{{"signature_test_pair", true}, {"signature_certificate", ""}}));
  // Refused configurations change nothing else: the CBC checks with the test pair, the Lambda
  // does not sign.
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000241"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("SignatureMissing"), std::string::npos)
      << r.body;
  ASSERT_FALSE(cbc_.configure(nlohmann::json{{"signature_test_pair", false}}));
  EXPECT_EQ(body(invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000241")))["success"],
            true);
}

}  // namespace
}  // namespace notify::stubs::testing
