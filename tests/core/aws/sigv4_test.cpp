// SigV4 against AWS's published vectors and the requests boto3 was observed to sign
// (AWS's published SigV4 test suite), plus sign/verify round trips.
#include "notify/aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace notify::aws {
namespace {

using namespace std::chrono;

runtime::TimePoint at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return runtime::TimePoint(sys_days{year{y} / month{mo} / day{d}}.time_since_epoch() + hours(h) +
                            minutes(mi) + seconds(s));
}

std::string hex(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

TEST(SigV4, Sha256OfEmptyBody) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4, DocumentedSigningKeys) {
  EXPECT_EQ(hex(derive_signing_key(kSecret, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  EXPECT_EQ(hex(derive_signing_key(kSecret, "20261127", "eu-west-2", "ses")),
            "fb15d9ad9f5e3846c1eb6c447e575f47e16cb07580eca4b9d02605ebbdce5421");
}

TEST(SigV4, AwsTestSuiteGetVanilla) {
  transport::Request request;
  request.method = "GET";
  request.target = "https://example.amazonaws.com/";
  SigV4Scope scope{"AKIDEXAMPLE", kSecret, "", "us-east-1", "service"};
  sign_request(request, scope, at(2015, 8, 30, 12, 36, 0));
  EXPECT_EQ(request.headers.get("Host"), "example.amazonaws.com");
  EXPECT_EQ(request.headers.get("X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(request.headers.get("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_FALSE(request.headers.contains("X-Amz-Security-Token"));
}

TEST(SigV4, Boto3GetSendQuotaAsObserved) {
  transport::Request request;
  request.method = "POST";
  request.target = "http://127.0.0.1:18765/";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = "Action=GetSendQuota&Version=2010-12-01";
  SigV4Scope scope{"AKIDEXAMPLE", kSecret, "", "eu-west-2", "ses"};
  auto now = at(2026, 11, 27, 23, 1, 59);

  transport::Request copy = request;
  copy.headers.set("Host", "127.0.0.1:18765");
  copy.headers.set("X-Amz-Date", "20261127T230159Z");
  EXPECT_EQ(canonical_request(copy, "/", "content-type;host;x-amz-date"),
            "POST\n/\n\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:127.0.0.1:18765\n"
            "x-amz-date:20261127T230159Z\n\n"
            "content-type;host;x-amz-date\n"
            "97401f9fd0cf7b47352e32cf1bcda40a7eb3a00ab02772b6482b803378e3d4ef");

  sign_request(request, scope, now);
  EXPECT_EQ(request.headers.get("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-2/ses/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=25a307687bb62c9836cdbc18cc30c792283e567624add964e89289e0dc0b2064");
}

TEST(SigV4, PathIsEncodedTwiceAndQuerySorted) {
  transport::Request request;
  request.method = "POST";
  request.headers.set("Host", "127.0.0.1:18765");
  request.headers.set("X-Amz-Date", "20261127T230246Z");
  auto canonical = canonical_request(
      request,
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-2%3A123456789012%3Afunction%3Aok%3Alive"
      "/invocations?b=2&a=x%20y",
      "host;x-amz-date");
  EXPECT_EQ(canonical.substr(0, canonical.find("\n\n")),
            "POST\n/2015-03-31/functions/"
            "arn%253Aaws%253Alambda%253Aeu-west-2%253A123456789012%253Afunction%253Aok%253Alive"
            "/invocations\na=x%20y&b=2\nhost:127.0.0.1:18765\nx-amz-date:20261127T230246Z");
}

transport::Request server_side(const transport::Request& client) {
  transport::Request out = client;
  auto url = transport::parse_url(client.target);
  out.target = url->target;
  return out;
}

TEST(SigV4, AwsTestSuiteVerifiesServerSide) {
  // get-vanilla-query-order-key-case, as the server receives it.
  transport::Request get;
  get.method = "GET";
  get.target = "/?Param2=value2&Param1=value1";
  get.headers.add("Host", "example.amazonaws.com");
  get.headers.add("Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                  "aws4_request, SignedHeaders=host;x-amz-date, "
                  "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  get.headers.add("X-Amz-Date", "20150830T123600Z");
  EXPECT_EQ(verify_request(get, kSecret), "");

  // post-x-www-form-urlencoded (header-signed-request.txt): five signed headers.
  transport::Request post;
  post.method = "POST";
  post.target = "/";
  post.headers.add("Content-Type", "application/x-www-form-urlencoded");
  post.headers.add("Host", "example.amazonaws.com");
  post.headers.add("Content-Length", "13");
  post.headers.add("x-amz-content-sha256",
                   "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  post.headers.add("Authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                   "aws4_request, SignedHeaders=content-length;content-type;host;"
                   "x-amz-content-sha256;x-amz-date, "
                   "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
  post.headers.add("X-Amz-Date", "20150830T123600Z");
  post.body = "Param1=value1";
  EXPECT_EQ(verify_request(post, kSecret), "");
}

transport::Request signed_ses_request(const std::string& token = {}) {
  transport::Request request;
  request.method = "POST";
  request.target = "http://ses.test:4566/";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = "Action=SendEmail&Version=2010-12-01&Message.Subject.Data=Hello";
  SigV4Scope scope{"AKIDEXAMPLE", kSecret, token, "eu-west-1", "ses"};
  sign_request(request, scope, at(2026, 1, 1, 0, 0, 0));
  return request;
}

TEST(SigV4, SignThenVerifyRoundTrip) {
  auto request = server_side(signed_ses_request());
  EXPECT_EQ(verify_request(request, kSecret), "");
  auto auth = parse_authorization(*request.headers.get("Authorization"));
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(auth->date, "20260101");
  EXPECT_EQ(auth->region, "eu-west-1");
  EXPECT_EQ(auth->service, "ses");
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(auth->signature.size(), 64u);
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  auto request = server_side(signed_ses_request("token-123"));
  EXPECT_EQ(request.headers.get("X-Amz-Security-Token"), "token-123");
  auto auth = parse_authorization(*request.headers.get("Authorization"));
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(verify_request(request, kSecret), "");
  request.headers.set("X-Amz-Security-Token", "token-456");
  EXPECT_NE(verify_request(request, kSecret), "");
}

TEST(SigV4, TamperedRequestsFail) {
  auto good = server_side(signed_ses_request());

  auto body = good;
  body.body += "&Message.Body.Text.Data=extra";
  EXPECT_NE(verify_request(body, kSecret), "");

  auto header = good;
  header.headers.set("Content-Type", "text/plain");
  EXPECT_NE(verify_request(header, kSecret), "");

  auto host = good;
  host.headers.set("Host", "evil.test:4566");
  EXPECT_NE(verify_request(host, kSecret), "");

  auto path = good;
  path.target = "/other";
  EXPECT_NE(verify_request(path, kSecret), "");

  EXPECT_NE(verify_request(good, "another-secret"), "");

  auto missing = good;
  missing.headers.erase("Authorization");
  EXPECT_EQ(verify_request(missing, kSecret), "the request has no Authorization header");

  auto date = good;
  date.headers.set("X-Amz-Date", "20260102T000000Z");
  EXPECT_NE(verify_request(date, kSecret), "");
}

TEST(SigV4, ParseAuthorizationRejectsMalformedHeaders) {
  EXPECT_FALSE(parse_authorization(""));
  EXPECT_FALSE(
      parse_authorization("AWS4-HMAC-SHA1 Credential=a/20260101/r/s/aws4_request, "
                          "SignedHeaders=host, Signature=ab"));
  EXPECT_FALSE(
      parse_authorization("AWS4-HMAC-SHA256 Credential=a/2026/r/s/aws4_request, "
                          "SignedHeaders=host, Signature=ab"));
  EXPECT_FALSE(
      parse_authorization("AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, "
                          "Signature=ab"));
  EXPECT_TRUE(
      parse_authorization("AWS4-HMAC-SHA256 Credential=a/20260101/r/s/aws4_request, "
                          "SignedHeaders=host, Signature=ab"));
}

}  // namespace
}  // namespace notify::aws
