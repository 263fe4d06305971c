#include "ses_fixture.hpp"

#include "notify/aws/sigv4.hpp"

namespace notify::stubs::testing {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class SesAuthTest : public SesTest {
 protected:
  SesAuthTest() { EXPECT_FALSE(stub_.configure({{"strict_sigv4", {{"AKIDEXAMPLE", kSecret}}}})); }

  // Signs as boto3 does (client side, absolute URL), then turns it into what the server sees.
  transport::Request signed_request(std::string body, const std::string& key = "AKIDEXAMPLE",
                                    const std::string& secret = kSecret,
                                    std::string service = "ses") {
    transport::Request r;
    r.method = "POST";
    r.target = "http://127.0.0.1:18765/";
    r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    r.body = std::move(body);
    aws::SigV4Scope scope{key, secret, "", "eu-west-2", std::move(service)};
    aws::sign_request(r, scope, clock_.now());
    r.target = "/";
    return r;
  }
};

TEST_F(SesAuthTest, GoodSignaturePasses) {
  auto a = call(signed_request("Action=GetSendQuota&Version=2010-12-01"));
  EXPECT_EQ(a.response.status, 200) << a.response.body;
}

TEST_F(SesAuthTest, MissingAuthorizationIs403MissingAuthenticationToken) {
  expect_v1_error(call(form_post("Action=GetSendQuota")), 403, "MissingAuthenticationToken",
                  "Request is missing Authentication Token");
}

TEST_F(SesAuthTest, UnknownKeyIs403InvalidClientTokenId) {
  expect_v1_error(call(signed_request("Action=GetSendQuota", "AKIDOTHER")), 403,
                  "InvalidClientTokenId", "The security token included in the request is invalid.");
}

TEST_F(SesAuthTest, TamperedRequestIs403SignatureDoesNotMatch) {
  auto r = signed_request("Action=SendEmail&Source=a%40b.com");
  r.body = "Action=SendEmail&Source=evil%40b.com";
  auto a = call(r);
  EXPECT_EQ(a.response.status, 403) << a.response.body;
  EXPECT_EQ(xml_error(a.response).code, "SignatureDoesNotMatch");
  auto wrong_secret = call(signed_request("Action=GetSendQuota", "AKIDEXAMPLE", "other"));
  EXPECT_EQ(xml_error(wrong_secret.response).code, "SignatureDoesNotMatch");
  auto wrong_service = call(signed_request("Action=GetSendQuota", "AKIDEXAMPLE", kSecret, "sns"));
  EXPECT_EQ(xml_error(wrong_service.response).code, "SignatureDoesNotMatch");
}

TEST_F(SesAuthTest, StaleSignatureIsRequestExpired) {
  auto r = signed_request("Action=GetSendQuota");
  clock_.run_for(std::chrono::minutes(16));
  auto a = call(r);
  EXPECT_EQ(a.response.status, 400) << a.response.body;
  EXPECT_EQ(xml_error(a.response).code, "RequestExpired");
}

TEST_F(SesAuthTest, V2UsesJsonAuthErrors) {
  auto a = call(json_request("GET", "/v2/email/account", ""));
  expect_v2_error(a, 403, "MissingAuthenticationToken");
}

TEST_F(SesAuthTest, StubContractNeedsNoSignature) {
  transport::Request r;
  r.method = "POST";
  r.target = "/ses";
  EXPECT_EQ(call(r).response.status, 200);
}

TEST_F(SesTest, DefaultModeAcceptsAnyWellFormedAuthorizationOrNone) {
  EXPECT_EQ(call(form_post("Action=GetSendQuota")).response.status, 200);
  auto r = form_post("Action=GetSendQuota");
  // A header boto3 1.26 sent to a local endpoint, verbatim.
  r.headers.set("Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-2/ses/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=f32d83980a90fd3682541d003c7a852d84aa7c8087954e0d09c1fcb8d403b247");
  EXPECT_EQ(call(r).response.status, 200) << call(r).response.body;
  r.headers.set("Authorization", "Basic dXNlcjpwYXNz");
  auto a = call(r);
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(xml_error(a.response).code, "IncompleteSignature");
}

}  // namespace
}  // namespace notify::stubs::testing
