// Signed documents through the proxy Lambda to a CBC stub that checks them: a signature made
// with the configured certificate's key is acknowledged; an unsigned document, one changed after
// signing, and one signed by another key are refused with an Error answer that is itself valid.
// Key pairs come from openssl at build time (NOTIFY_TEST_KEYS_DIR), or are notify-sim's built-in
// test pair. The lambda.tamper_document fault changes a signed document on its way to the CBC.
#include "cbc_fixture.hpp"
#include "core.hpp"  // stubs/src/lambda: tamper_document

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

std::vector<JournalEntry> sent_to_cbc(StubHost& host) {
  JournalQuery q;
  q.service = "cbc";
  q.direction = "out";
  return host.journal().query(q);
}

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

TEST_F(CbcTest, ATamperedDocumentIsRejectedAtTheCbcThatVerifies) {
  ASSERT_FALSE(lambda_.configure(test_pair_signing()));
  ASSERT_FALSE(cbc_.configure(test_pair_checking()));
  // The primary Lambdas only: the fault composes with the selectors as other Lambda errors do.
  add_fault(R"({"id": "tamper", "match": {"service": "lambda", "az": "eu-west-2a"},
               "action": {"type": "error", "name": "lambda.tamper_document"}})");

  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000221"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get_or("X-Amz-Function-Error", ""), "Unhandled");
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("400 SignatureInvalid"),
            std::string::npos)
      << r.body;
  r = invoke("vodafone-1-proxy", alert("11111111-0000-4000-8000-000000000222", "ibag"));
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("SignatureInvalid"), std::string::npos)
      << r.body;
  // The secondary Lambda is not faulted: the same alert is acknowledged through it.
  r = invoke("ee-2-proxy", alert("11111111-0000-4000-8000-000000000221"));
  EXPECT_EQ(body(r)["success"], true) << r.body;

  // The journal has the document as the CBC received it: changed, and the same on both sides.
  auto out = sent_to_cbc(host_);
  auto in = answers(host_);
  ASSERT_EQ(out.size(), 3U);
  ASSERT_EQ(in.size(), 3U);
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i].request_body, in[i].request_body);
  EXPECT_NE(in[0].request_body.find("<description>flood warning</description>"), std::string::npos)
      << in[0].request_body;
  EXPECT_NE(in[1].request_body.find("<IBAG_text_alert_message>flood warning<"), std::string::npos)
      << in[1].request_body;
  EXPECT_NE(in[2].request_body.find("<description>Flood warning</description>"), std::string::npos);
  EXPECT_EQ(in[0].outcome, "error:SignatureInvalid");
  EXPECT_EQ(in[1].outcome, "error:SignatureInvalid");
  EXPECT_EQ(in[2].outcome, "ok");
  // Only the signature check finds it: the changed document is still valid.
  for (const auto& e : in) {
    broadcast::ValidateOptions vo;
    vo.profile = broadcast::Profile::uk;
    EXPECT_TRUE(broadcast::validate_document(e.request_body, vo).valid()) << e.request_body;
    expect_valid_answer(e);
  }
}

TEST_F(CbcTest, ATamperedDocumentIsAcknowledgedByACbcThatDoesNotVerify) {
  ASSERT_FALSE(lambda_.configure(test_pair_signing()));
  add_fault(R"({"match": {"service": "lambda", "recipient": "three-*"},
               "action": {"type": "error", "name": "lambda.tamper_document"}})");
  auto r = invoke("three-1-proxy", alert("11111111-0000-4000-8000-000000000231"));
  EXPECT_EQ(body(r)["success"], true) << r.body;
  auto docs = cbc_.documents();
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_NE(docs[0].second.find("<description>flood warning</description>"), std::string::npos);
  // The canary sends no document; the fault leaves it as it is.
  host_.faults().clear();
  add_fault(R"({"match": {"service": "lambda"},
               "action": {"type": "error", "name": "lambda.tamper_document"}})");
  r = invoke("canary", {{"identifier", "x"}});
  EXPECT_EQ(body(r)["success"], true) << r.body;
}

TEST(TamperDocument, ChangesOneCharacterAndKeepsTheXml) {
  auto changed = [](std::string doc) {
    EXPECT_TRUE(lambda::tamper_document(doc)) << doc;
    return doc;
  };
  // A digit before any letter; an entity reference is skipped whole.
  EXPECT_EQ(changed("<alert><description>&amp; Flood 9 Zone</description></alert>"),
            "<alert><description>&amp; Flood 0 Zone</description></alert>");
  EXPECT_EQ(changed("<a><description>&lt;Rhybudd</description></a>"),
            "<a><description>&lt;rhybudd</description></a>");
  // No text to change in <description>: the identifier instead (its first digit).
  EXPECT_EQ(changed("<alert><identifier>ab3</identifier><description>...</description></alert>"),
            "<alert><identifier>ab4</identifier><description>...</description></alert>");
  EXPECT_EQ(changed("<I><IBAG_message_number>0000004e</IBAG_message_number></I>"),
            "<I><IBAG_message_number>1000004e</IBAG_message_number></I>");
  EXPECT_EQ(changed("<I><IBAG_text_alert_message>Perygl</IBAG_text_alert_message>"
                    "<IBAG_message_number>0000004e</IBAG_message_number></I>"),
            "<I><IBAG_text_alert_message>perygl</IBAG_text_alert_message>"
            "<IBAG_message_number>0000004e</IBAG_message_number></I>");
  std::string nothing = "<alert><status>Actual</status></alert>";
  EXPECT_FALSE(lambda::tamper_document(nothing));
  EXPECT_EQ(nothing, "<alert><status>Actual</status></alert>");
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
