#include "cbc_fixture.hpp"

namespace notify::stubs::testing {
namespace {

TEST_F(CbcTest, ProxyRendersAndTheCbcAcknowledges) {
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000001"));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.contains("X-Amz-Function-Error")) << r.body;
  EXPECT_EQ(r.headers.get_or("X-Amz-Executed-Version", ""), "$LATEST");
  EXPECT_TRUE(r.headers.contains("x-amzn-RequestId"));
  EXPECT_EQ(body(r)["success"], true);
  EXPECT_EQ(body(r)["az"], "eu-west-2a");
  // The CBC got one valid CAP document through the AZ a path, journaled with the Invoke as parent.
  auto docs = cbc_.documents();
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_EQ(docs[0].first, "ee");
  broadcast::ValidateOptions vo;
  vo.profile = broadcast::Profile::uk;
  EXPECT_TRUE(broadcast::validate_document(docs[0].second, vo).valid());
  JournalQuery q;
  q.service = "cbc";
  auto cbc = host_.journal().query(q);
  ASSERT_EQ(cbc.size(), 2U);  // "out" from the Lambda, "in" at the CBC
  EXPECT_EQ(cbc[0].az, "eu-west-2a");
  EXPECT_EQ(cbc[0].parent, cbc[1].parent);
  EXPECT_NE(cbc[0].request_body.find("<msgType>Alert</msgType>"), std::string::npos);
}

TEST_F(CbcTest, ACbcTargetChoosesTheEndpointAndTodaysGenerator) {
  // Only Emergency Alerts' API names a cbc_target: the function reaches that endpoint (cbc_b is
  // the eu-west-2b one, whichever Lambda runs) and writes the document as emergency-alerts-utils
  // does, so the payload's sender goes into the CAP header.
  auto p = alert("11111111-0000-4000-8000-000000000021");
  p["sender"] = "alerts@example.gov.uk";
  p["cbc_target"] = "cbc_b";
  auto r = invoke("ee-1-proxy", p);
  EXPECT_FALSE(r.headers.contains("X-Amz-Function-Error")) << r.body;
  auto docs = cbc_.documents();
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_NE(docs[0].second.find("<sender>alerts@example.gov.uk</sender>"), std::string::npos);
  JournalQuery q;
  q.service = "cbc";
  auto cbc = host_.journal().query(q);
  ASSERT_FALSE(cbc.empty());
  EXPECT_EQ(cbc[0].az, "eu-west-2b");

  // Without a target, Notify 2023's proxy: its constant sender, whatever the payload says.
  auto q2 = alert("11111111-0000-4000-8000-000000000022");
  q2["sender"] = "alerts@example.gov.uk";
  invoke("ee-1-proxy", q2);
  docs = cbc_.documents();
  ASSERT_EQ(docs.size(), 2U);
  EXPECT_EQ(docs[1].second.find("alerts@example.gov.uk"), std::string::npos);
}

TEST_F(CbcTest, VodafoneTakesIbagThroughTheSecondAz) {
  auto r = invoke("vodafone-2-proxy", alert("11111111-0000-4000-8000-000000000002", "ibag"));
  EXPECT_FALSE(r.headers.contains("X-Amz-Function-Error")) << r.body;
  EXPECT_EQ(body(r)["az"], "eu-west-2b");
  ASSERT_EQ(cbc_.documents().size(), 1U);
  EXPECT_NE(cbc_.documents()[0].second.find("IBAG_Alert_Attributes"), std::string::npos);
}

TEST_F(CbcTest, ARefusedAzPathIsACbcNewConnectionError) {
  add_fault(R"({"id": "az-a", "match": {"service": "cbc", "az": "eu-west-2a"},
               "action": {"type": "refuse"}})");
  auto r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000003"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get_or("X-Amz-Function-Error", ""), "Unhandled");
  EXPECT_EQ(body(r)["errorType"], "CBCNewConnectionError");
  // The other AZ's path still works.
  r = invoke("o2-2-proxy", alert("11111111-0000-4000-8000-000000000003"));
  EXPECT_FALSE(r.headers.contains("X-Amz-Function-Error")) << r.body;
}

TEST_F(CbcTest, AnAzOutageCountsEachRefusedCallAsTheRulesFiring) {
  add_fault(R"({"id": "az-a", "match": {"service": "cbc", "az": "eu-west-2a"},
               "action": {"type": "refuse"}})");
  invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000004"));
  invoke("three-1-proxy", alert("11111111-0000-4000-8000-000000000005"));
  invoke("ee-2-proxy", alert("11111111-0000-4000-8000-000000000004"));
  // The kernel refused the closed listener, so no request reached the CBC stub; the two
  // refusals are still the rule's firings, on the proxies' outgoing calls.
  EXPECT_EQ(host_.faults().fired_count(), 2U);
  const auto firings = host_.faults().firings();
  ASSERT_EQ(firings.size(), 2U);
  EXPECT_EQ(firings[0].rule_id, "az-a");
  EXPECT_EQ(firings[0].action, "refuse");
  std::size_t refused = 0;
  for (const auto& e : host_.journal().query({})) {
    if (e.direction != "out") continue;
    if (e.az == "eu-west-2a") {
      ++refused;
      EXPECT_EQ(e.outcome, "connection_refused");
      EXPECT_EQ(e.faults, std::vector<std::string>{"az-a"});
    } else {
      EXPECT_TRUE(e.faults.empty()) << e.az;
    }
  }
  EXPECT_EQ(refused, 2U);
  EXPECT_NE(host_.prometheus_metrics().find("notify_sim_faults_fired_total{service=\"cbc\"} 2"),
            std::string::npos)
      << host_.prometheus_metrics();
}

TEST_F(CbcTest, AnInvalidPayloadIsAFunctionErrorNamingTheField) {
  auto p = alert("11111111-0000-4000-8000-000000000004");
  p.erase("areas");
  auto r = invoke("three-1-proxy", p);
  EXPECT_EQ(r.headers.get_or("X-Amz-Function-Error", ""), "Unhandled");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("areas"), std::string::npos) << r.body;
  EXPECT_TRUE(cbc_.documents().empty());
  // The wrong format for the operator names message_format.
  r = invoke("vodafone-1-proxy", alert("11111111-0000-4000-8000-000000000005"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("message_format"), std::string::npos);
}

TEST_F(CbcTest, CbcRejectionCarriesTheReason) {
  add_fault(R"({"match": {"service": "cbc", "provider": "ee"},
               "action": {"type": "error", "name": "cbc.reject"}})");
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000006"));
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("Rejected"), std::string::npos);
}

TEST_F(CbcTest, CancelOfAnUnknownAlertIsRejectedAndAKnownOneAcknowledged) {
  nlohmann::json cancel = {{"message_type", "cancel"},
                           {"identifier", "22222222-0000-4000-8000-000000000001"},
                           {"message_format", "cap"},
                           {"references",
                            {{{"message_id", "11111111-0000-4000-8000-000000000007"},
                              {"sent", "2026-11-27T23:00:00.000000Z"}}}},
                           {"sent", "2026-11-27T23:10:00-00:00"}};
  auto r = invoke("ee-1-proxy", cancel);
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(r.body.find("UnknownReference"), std::string::npos) << r.body;
  invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000007"));
  cancel["identifier"] = "22222222-0000-4000-8000-000000000002";
  r = invoke("ee-2-proxy", cancel);
  EXPECT_FALSE(r.headers.contains("X-Amz-Function-Error")) << r.body;
}

TEST_F(CbcTest, ReusedIbagMessageNumberWithOtherContentIsRejected) {
  auto a = alert("11111111-0000-4000-8000-000000000008", "ibag");
  EXPECT_FALSE(invoke("vodafone-1-proxy", a).headers.contains("X-Amz-Function-Error"));
  // The same document again (a retry) is acknowledged again.
  EXPECT_FALSE(invoke("vodafone-1-proxy", a).headers.contains("X-Amz-Function-Error"));
  a["identifier"] = "11111111-0000-4000-8000-000000000009";
  auto r = invoke("vodafone-1-proxy", a);
  EXPECT_NE(r.body.find("DuplicateMessage"), std::string::npos) << r.body;
}

TEST_F(CbcTest, NamesQualifiersAndArns) {
  nlohmann::json canary = {{"identifier", "x"}};
  EXPECT_EQ(invoke("canary", canary).status, 200);
  EXPECT_EQ(invoke("canary:live", canary).status, 200);
  EXPECT_EQ(invoke("canary", canary, "?Qualifier=%24LATEST").status, 200);
  EXPECT_EQ(invoke("arn:aws:lambda:eu-west-2:123456789012:function:canary", canary).status, 200);
  EXPECT_EQ(invoke("123456789012:function:canary:live", canary).status, 200);
  auto r = invoke("arn:aws:lambda:eu-west-2:123456789012:function:missing", canary);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "ResourceNotFoundException");
  EXPECT_EQ(body(r)["Message"],
            "Function not found: arn:aws:lambda:eu-west-2:123456789012:function:missing");
  EXPECT_EQ(invoke("canary:nope", canary).status, 404);
  r = invoke("canary:live", canary, "?Qualifier=other");
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "InvalidParameterValueException");
  r = invoke("bad name!", canary);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "ValidationException");
  // A ?Qualifier= outside (|[a-zA-Z0-9$_-]+) fails validation; it is not looked up.
  r = invoke("canary", canary, "?Qualifier=a%20b");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "ValidationException");
  EXPECT_NE(body(r)["message"].get<std::string>().find("'qualifier'"), std::string::npos);
  EXPECT_EQ(invoke("canary", canary, "?Qualifier=" + std::string(129, 'a')).status, 400);
}

TEST_F(CbcTest, MalformedRequestsGetAwsShapedErrorsAndTheStubKeepsServing) {
  auto r = invoke_raw("canary", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "InvalidRequestContentException");
  EXPECT_TRUE(r.headers.contains("x-amzn-RequestId"));
  r = invoke_raw("canary", std::string(6 * 1024 * 1024 + 1, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "RequestTooLargeException");
  r = invoke("canary", {{"identifier", "x"}}, "", {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(r.status, 204);
  r = invoke("canary", {{"identifier", "x"}}, "", {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(r.status, 202);
  r = invoke("canary", {{"identifier", "x"}}, "", {{"X-Amz-Log-Type", "Tail"}});
  EXPECT_TRUE(r.headers.contains("X-Amz-Log-Result"));
  r = invoke("canary", {{"identifier", "x"}}, "", {{"X-Amz-Log-Type", "Everything"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "InvalidParameterValueException");
  EXPECT_EQ(invoke("canary", {{"identifier", "x"}}).status, 200);
}

TEST_F(CbcTest, InjectedServiceAndFunctionErrors) {
  add_fault(R"({"id": "t", "match": {"service": "lambda", "provider": "ee"},
               "action": {"type": "error", "name": "lambda.throttled"}})");
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-00000000000a"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "TooManyRequestsException");
  EXPECT_EQ(r.headers.get_or("Retry-After", ""), "1");
  EXPECT_EQ(body(r)["message"], "Rate Exceeded.");
  host_.faults().clear();
  add_fault(R"({"match": {"service": "lambda", "recipient": "canary"},
               "action": {"type": "error", "name": "lambda.credentials_revoked"}})");
  r = invoke("canary", {{"identifier", "x"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "UnrecognizedClientException");
  host_.faults().clear();
  add_fault(R"({"match": {"service": "lambda"},
               "action": {"type": "error", "name": "lambda.function_timeout"}})");
  auto start = clock_.now();
  r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-00000000000b"));
  EXPECT_EQ(body(r)["errorType"], "Sandbox.Timedout");
  EXPECT_EQ(clock_.now() - start, std::chrono::seconds(30));
}

TEST_F(CbcTest, StrictSigV4) {
  ASSERT_FALSE(lambda_.configure(nlohmann::json::parse(
      R"({"strict_sigv4": {"AKIDCBC": "secret"}})")));
  auto r = invoke("canary", {{"identifier", "x"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "MissingAuthenticationTokenException");
  r = invoke("canary", {{"identifier", "x"}}, "",
             {{"Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20261127/eu-west-2/lambda/aws4_request, "
               "SignedHeaders=host;x-amz-date, Signature=00"}});
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "UnrecognizedClientException");
  r = invoke("canary", {{"identifier", "x"}}, "",
             {{"Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDCBC/20261127/eu-west-2/lambda/aws4_request, "
               "SignedHeaders=host;x-amz-date, Signature=00"},
              {"X-Amz-Date", "20261127T230000Z"}});
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "InvalidSignatureException");
  EXPECT_NE(body(r).dump().find("does not match"), std::string::npos) << body(r).dump();
  // The scope's region is checked before the signature.
  r = invoke("canary", {{"identifier", "x"}}, "",
             {{"Authorization",
               "AWS4-HMAC-SHA256 Credential=AKIDCBC/20261127/eu-west-1/lambda/aws4_request, "
               "SignedHeaders=host;x-amz-date, Signature=00"},
              {"X-Amz-Date", "20261127T230000Z"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.get_or("x-amzn-ErrorType", ""), "InvalidSignatureException");
  EXPECT_EQ(body(r)["message"],
            "Credential should be scoped to a valid region, not 'eu-west-1'. ");
}

}  // namespace
}  // namespace notify::stubs::testing
