// Signing as emergency-alerts-utils does (enveloped, rsa-sha256, sha256, C14N 1.1; IBAG inside
// IBAG_Digital_Signature) and checking: the signed document keeps its bytes, validates, verifies
// with the signer's certificate, and fails once changed, moved, doubled or checked with another.
// The key pairs are made by openssl at build time (NOTIFY_TEST_KEYS_DIR), never committed.
#include "notify/broadcast/render.hpp"
#include "notify/broadcast/sign.hpp"
#include "notify/broadcast/validate.hpp"
#include "test_data.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>

namespace notify::broadcast {
namespace {

using testing::read_data;

const std::string kKeys = NOTIFY_TEST_KEYS_DIR;

const Signer& signer() {
  static Signer s = Signer::from_files(kKeys + "/signer.key", kKeys + "/signer.pem");
  return s;
}

const SignatureVerifier& verifier() {
  static SignatureVerifier v = SignatureVerifier::from_file(kKeys + "/signer.pem");
  return v;
}

std::string signed_doc(const std::string& unsigned_doc) {
  auto r = signer().sign(unsigned_doc);
  EXPECT_TRUE(r.ok) << r.error;
  return r.document;
}

void replace(std::string& s, std::string_view from, std::string_view to) {
  auto at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

TEST(Sign, CapSignatureIsTheLastChildAndTheRestIsUnchanged) {
  const auto doc = read_data("samples/reconstructed-proxy-cap-alert.xml");
  const auto s = signed_doc(doc);
  const auto end = doc.rfind("</alert>");
  EXPECT_EQ(s.substr(0, end), doc.substr(0, end));
  EXPECT_EQ(s.find("<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"), end);
  EXPECT_EQ(s.substr(s.size() - 23), "</ds:Signature></alert>");
  for (const char* algorithm :
       {"<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"",
        "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"",
        "<ds:Reference URI=\"\">",
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"",
        "<ds:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"",
        "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"",
        "<ds:X509Certificate>"})
    EXPECT_NE(s.find(algorithm), std::string::npos) << algorithm;
  EXPECT_TRUE(validate_document(s, {Profile::uk}).valid());
  auto check = verifier().verify(s);
  EXPECT_EQ(check.status, SignatureStatus::valid) << check.detail;
}

TEST(Sign, IbagSignatureGoesInsideIbagDigitalSignature) {
  for (const char* sample : {"samples/reconstructed-proxy-ibag-alert.xml",
                             "samples/reconstructed-proxy-ibag-cancel.xml",
                             "samples/reconstructed-proxy-ibag-linktest.xml"}) {
    const auto doc = read_data(sample);
    const auto s = signed_doc(doc);
    EXPECT_NE(s.find("<IBAG_Digital_Signature><ds:Signature xmlns:ds="), std::string::npos)
        << sample;
    EXPECT_NE(s.find("</ds:Signature></IBAG_Digital_Signature></IBAG_Alert_Attributes>"),
              std::string::npos)
        << sample;
    auto report = validate_document(s, {Profile::uk});
    EXPECT_TRUE(report.valid()) << sample;
    auto check = verifier().verify(s);
    EXPECT_EQ(check.status, SignatureStatus::valid) << sample << ": " << check.detail;
  }
}

TEST(Sign, RenderedEmergencyAlertsDocumentsSignAndVerify) {
  RenderOptions o;
  o.generator = Generator::emergency_alerts;
  auto doc = render_json(nlohmann::json::parse(read_data("payloads/alert-operator-escapes.json")), o);
  ASSERT_TRUE(doc);
  // A carriage return (&#13;) and escaped markup survive canonicalisation and the splice.
  auto s = signed_doc(*doc);
  EXPECT_NE(s.find("&#13;"), std::string::npos);
  EXPECT_EQ(verifier().verify(s).status, SignatureStatus::valid);
}

TEST(Sign, AChangedDocumentFailsToVerify) {
  auto s = signed_doc(read_data("samples/reconstructed-proxy-cap-alert.xml"));
  auto tampered = s;
  replace(tampered, "<event>Alert</event>", "<event>EAN</event>");
  auto check = verifier().verify(tampered);
  EXPECT_EQ(check.status, SignatureStatus::invalid) << check.detail;

  tampered = s;
  replace(tampered, "51.74,1.2", "52.74,1.2");
  EXPECT_EQ(verifier().verify(tampered).status, SignatureStatus::invalid);

  auto ibag = signed_doc(read_data("samples/reconstructed-proxy-ibag-alert.xml"));
  replace(ibag, "<IBAG_message_number>00000074<", "<IBAG_message_number>00000075<");
  EXPECT_EQ(verifier().verify(ibag).status, SignatureStatus::invalid);

  // The signature value itself changed.
  tampered = s;
  auto at = tampered.find("<ds:SignatureValue>") + 19;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier().verify(tampered).status, SignatureStatus::invalid);
}

TEST(Sign, AnotherKeysSignatureIsInvalid) {
  auto other = Signer::from_files(kKeys + "/other.key", kKeys + "/other.pem");
  auto r = other.sign(read_data("samples/reconstructed-proxy-cap-alert.xml"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(verifier().verify(r.document).status, SignatureStatus::invalid);
  EXPECT_EQ(SignatureVerifier::from_file(kKeys + "/other.pem").verify(r.document).status,
            SignatureStatus::valid);
}

TEST(Sign, UnsignedMovedAndDoubledSignatures) {
  EXPECT_EQ(verifier().verify(read_data("samples/reconstructed-proxy-cap-alert.xml")).status,
            SignatureStatus::missing);
  EXPECT_EQ(verifier().verify("not xml").status, SignatureStatus::malformed);

  auto s = signed_doc(read_data("samples/reconstructed-proxy-cap-alert.xml"));
  auto begin = s.find("<ds:Signature");
  auto signature = s.substr(begin, s.rfind("</alert>") - begin);
  auto doubled = s;
  replace(doubled, "</alert>", signature + "</alert>");
  EXPECT_EQ(verifier().verify(doubled).status, SignatureStatus::malformed);

  // An IBAG signature at the root, where signxml first puts it, is not where the CBC reads it.
  auto ibag = signed_doc(read_data("samples/reconstructed-proxy-ibag-alert.xml"));
  begin = ibag.find("<ds:Signature");
  auto end = ibag.find("</IBAG_Digital_Signature>");
  auto sig = ibag.substr(begin, end - begin);
  ibag.erase(begin, end - begin);
  replace(ibag, "</IBAG_Alert_Attributes>", sig + "</IBAG_Alert_Attributes>");
  EXPECT_EQ(verifier().verify(ibag).status, SignatureStatus::malformed);

  // A reference to part of the document proves nothing about the rest.
  auto partial = s;
  replace(partial, "<ds:Reference URI=\"\">", "<ds:Reference URI=\"#x\">");
  EXPECT_EQ(verifier().verify(partial).status, SignatureStatus::malformed);
}

TEST(Sign, DocumentsItCannotSign) {
  auto ibag = read_data("samples/reconstructed-proxy-ibag-alert.xml");
  replace(ibag, "<IBAG_Digital_Signature></IBAG_Digital_Signature>", "");
  auto r = signer().sign(ibag);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("IBAG_Digital_Signature"), std::string::npos) << r.error;
  EXPECT_FALSE(signer().sign("<alert").ok);
}

TEST(Sign, BadKeyFilesAreNamed) {
  try {
    Signer::from_files(kKeys + "/missing.key", kKeys + "/signer.pem");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.key: cannot read the signing key"),
              std::string::npos)
        << e.what();
  }
  try {
    // A certificate where the key should be.
    Signer::from_files(kKeys + "/signer.pem", kKeys + "/signer.pem");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("signer.pem: not an unencrypted PEM private key"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(SignatureVerifier::from_file(kKeys + "/signer.key"), std::runtime_error);
}

// The built-in test pair is made from a fixed seed: the same bytes on every call and in every
// process (the fingerprints below were taken from one process and hold in all of them), a working
// RSA-2048 pair, and a key distinct from the openssl-made ones.
std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr), 1);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

TEST(TestPair, SameBytesOnEveryCallAndInEveryProcess) {
  const TestPair& a = test_pair();
  const TestPair b = test_pair();
  EXPECT_EQ(a.key_pem, b.key_pem);
  EXPECT_EQ(a.certificate_pem, b.certificate_pem);
  EXPECT_EQ(a.key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U) << a.key_pem;
  EXPECT_EQ(a.certificate_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0U);
  // Taken once; a change here changes every signed document the catalogue journals.
  EXPECT_EQ(sha256_hex(a.key_pem),
            "9e3015986c1638ec6dd0d0ac710aff35ef5226b3aa2869fc73315b7b6685ca84");
  EXPECT_EQ(sha256_hex(a.certificate_pem),
            "7c2d92164694cc449abef472c7a73230ca8fa326a87b5e23cb8994212bcc7456");
}

TEST(TestPair, CertificateIsWhatTheHeaderSays) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(test_pair().certificate_pem.data(),
                      static_cast<int>(test_pair().certificate_pem.size())),
      BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  ASSERT_TRUE(x);
  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(x.get())), 1);
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(x.get()), subject, sizeof subject);
  EXPECT_STREQ(subject, "/CN=notify-sim test signer (public, not a secret)");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())), 0);
  EXPECT_EQ(X509_get_signature_nid(x.get()), NID_sha256WithRSAEncryption);
  EVP_PKEY* key = X509_get0_pubkey(x.get());
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 2048);
  // Self-signed with the pair's own key.
  EXPECT_EQ(X509_verify(x.get(), key), 1);
  ASN1_TIME* from = ASN1_TIME_new();
  ASN1_TIME* until = ASN1_TIME_new();
  ASN1_TIME_set_string_X509(from, "20200101000000Z");
  ASN1_TIME_set_string_X509(until, "21200101000000Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notBefore(x.get()), from), 0);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(x.get()), until), 0);
  ASN1_TIME_free(from);
  ASN1_TIME_free(until);
}

TEST(TestPair, SignsWhatItsCertificateVerifies) {
  const auto pair_signer = Signer::from_pem(test_pair().key_pem, test_pair().certificate_pem,
                                            std::string(kTestPairLabel));
  const auto pair_verifier =
      SignatureVerifier::from_pem(test_pair().certificate_pem, std::string(kTestPairLabel));
  for (const char* sample : {"samples/reconstructed-proxy-cap-alert.xml",
                             "samples/reconstructed-proxy-ibag-alert.xml"}) {
    auto r = pair_signer.sign(read_data(sample));
    ASSERT_TRUE(r.ok) << sample << ": " << r.error;
    EXPECT_TRUE(validate_document(r.document, {Profile::uk}).valid()) << sample;
    auto check = pair_verifier.verify(r.document);
    EXPECT_EQ(check.status, SignatureStatus::valid) << sample << ": " << check.detail;
    // Signing is deterministic too: the same document signs to the same bytes.
    EXPECT_EQ(pair_signer.sign(read_data(sample)).document, r.document) << sample;
  }
}

TEST(TestPair, IsNotTheFileKey) {
  const auto pair_verifier =
      SignatureVerifier::from_pem(test_pair().certificate_pem, std::string(kTestPairLabel));
  auto s = signed_doc(read_data("samples/reconstructed-proxy-cap-alert.xml"));
  EXPECT_EQ(pair_verifier.verify(s).status, SignatureStatus::invalid);
  auto r = Signer::from_pem(test_pair().key_pem, test_pair().certificate_pem, "pair")
               .sign(read_data("samples/reconstructed-proxy-cap-alert.xml"));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(verifier().verify(r.document).status, SignatureStatus::invalid);
}

TEST(TestPair, FromPemErrorsNameTheLabel) {
  try {
    Signer::from_pem("not a key", test_pair().certificate_pem, "the scenario's key");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("the scenario's key: the signing key is not PEM"),
              std::string::npos)
        << e.what();
  }
  try {
    // A certificate where the key should be.
    Signer::from_pem(test_pair().certificate_pem, test_pair().certificate_pem, "memory");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("memory: not an unencrypted PEM private key"),
              std::string::npos)
        << e.what();
  }
  try {
    SignatureVerifier::from_pem(test_pair().key_pem, "memory");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("memory: not a PEM certificate"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace notify::broadcast
