// What the CBC stubs answer: every Ack and Error is a valid CAP 1.2 or IBAG document (CAP times
// with a numeric offset, IBAG statuses from IBAG's enumeration), and an endpoint can be set to
// answer 403 or 500 whatever it is sent, which the proxy Lambda reports as a function error.
#include "cbc_fixture.hpp"

#include <regex>

namespace notify::stubs::testing {
namespace {

// The answers the CBCs wrote, oldest first.
std::vector<JournalEntry> cbc_answers(StubHost& host) {
  JournalQuery q;
  q.service = "cbc";
  q.direction = "in";
  return host.journal().query(q);
}

void expect_valid_answer(const JournalEntry& e) {
  SCOPED_TRACE(e.response_body);
  broadcast::ValidateOptions vo;
  vo.profile = broadcast::Profile::uk;
  auto report = broadcast::validate_document(e.response_body, vo);
  std::string problems;
  for (const auto& p : report.problems)
    problems += p.rule + " at " + p.path + ": " + p.message + "\n";
  EXPECT_TRUE(report.valid()) << problems;
  // CAP 1.2 forbids "Z" and fractions; UTC is "-00:00".
  static const std::regex kTime(
      "<(sent|IBAG_sent_date_time)>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d-00:00</");
  EXPECT_TRUE(std::regex_search(e.response_body, kTime));
}

TEST_F(CbcTest, AcksAndLinkTestAnswersAreValidDocuments) {
  EXPECT_EQ(body(invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000101")))["success"],
            true);
  EXPECT_EQ(body(invoke("vodafone-1-proxy",
                        alert("11111111-0000-4000-8000-000000000102", "ibag")))["success"],
            true);
  nlohmann::json cap_test = {{"message_type", "test"},
                             {"identifier", "11111111-0000-4000-8000-000000000103"},
                             {"message_format", "cap"}};
  nlohmann::json ibag_test = {{"message_type", "test"},
                              {"identifier", "11111111-0000-4000-8000-000000000104"},
                              {"message_number", "0000004f"},
                              {"message_format", "ibag"}};
  EXPECT_EQ(body(invoke("o2-2-proxy", cap_test))["success"], true);
  auto r = invoke("vodafone-2-proxy", ibag_test);
  EXPECT_EQ(body(r)["success"], true) << r.body;
  auto answers = cbc_answers(host_);
  ASSERT_EQ(answers.size(), 4U);
  for (const auto& e : answers) expect_valid_answer(e);
  // A link test is answered as one: CAP Test, and IBAG System, the status the proxy sends.
  EXPECT_NE(answers[2].response_body.find("<status>Test</status>"), std::string::npos);
  EXPECT_NE(answers[3].response_body.find("<IBAG_status>System</IBAG_status>"), std::string::npos);
  EXPECT_NE(answers[1].response_body.find("<IBAG_status>Actual</IBAG_status>"), std::string::npos);
}

TEST_F(CbcTest, ErrorAnswersAreValidDocuments) {
  add_fault(R"({"match": {"service": "cbc", "provider": "three"},
               "action": {"type": "error", "name": "cbc.reject"}})");
  add_fault(R"({"match": {"service": "cbc", "provider": "vodafone"},
               "action": {"type": "error", "name": "cbc.internal_error"}})");
  invoke("three-1-proxy", alert("11111111-0000-4000-8000-000000000105"));
  invoke("vodafone-1-proxy", alert("11111111-0000-4000-8000-000000000106", "ibag"));
  host_.faults().clear();
  // The same identifier again with other content: a DuplicateMessage error that references it.
  invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000107"));
  invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000107", "cap", "Other text"));
  auto answers = cbc_answers(host_);
  ASSERT_EQ(answers.size(), 4U);
  EXPECT_EQ(answers[0].status, 400);
  EXPECT_EQ(answers[1].status, 500);
  EXPECT_EQ(answers[3].outcome, "error:DuplicateMessage");
  for (const auto& e : answers) expect_valid_answer(e);
}

TEST_F(CbcTest, ConfiguredEndpointStatusesAnswerWhateverTheySent) {
  ASSERT_FALSE(cbc_.configure(nlohmann::json::parse(
      R"({"responses": {"ee/eu-west-2a": 403, "o2": 500, "o2/eu-west-2b": 200}})")));
  auto r = invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000108"));
  EXPECT_EQ(r.headers.get_or("X-Amz-Function-Error", ""), "Unhandled");
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("answered 403 Forbidden"),
            std::string::npos)
      << r.body;
  // The other endpoint of the same operator answers as usual.
  EXPECT_EQ(body(invoke("ee-2-proxy", alert("11111111-0000-4000-8000-000000000108")))["success"],
            true);
  r = invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000109"));
  EXPECT_NE(body(r)["errorMessage"].get<std::string>().find("answered 500 InternalError"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(body(invoke("o2-2-proxy", alert("11111111-0000-4000-8000-000000000109")))["success"],
            true);
  auto answers = cbc_answers(host_);
  ASSERT_EQ(answers.size(), 4U);
  EXPECT_EQ(answers[0].status, 403);
  EXPECT_EQ(answers[0].outcome, "error:Forbidden");
  EXPECT_EQ(answers[2].status, 500);
  for (const auto& e : answers) expect_valid_answer(e);
  // Setting them back to 200.
  ASSERT_FALSE(cbc_.configure(nlohmann::json::parse(R"({"responses": {}})")));
  EXPECT_EQ(body(invoke("ee-1-proxy", alert("11111111-0000-4000-8000-000000000110")))["success"],
            true);
}

TEST_F(CbcTest, ForbiddenFaultOnOneEndpoint) {
  add_fault(R"({"match": {"service": "cbc", "provider": "three", "az": "eu-west-2b"},
               "action": {"type": "error", "name": "cbc.forbidden"}})");
  auto r = invoke("three-2-proxy", alert("11111111-0000-4000-8000-000000000111"));
  EXPECT_EQ(body(r)["errorType"], "CBCRejectedError");
  EXPECT_EQ(cbc_answers(host_).back().status, 403);
  EXPECT_EQ(body(invoke("three-1-proxy", alert("11111111-0000-4000-8000-000000000111")))["success"],
            true);
}

TEST_F(CbcTest, EndpointStatusConfigErrorsNameTheField) {
  auto e = cbc_.configure(nlohmann::json::parse(R"({"responses": {"ee/eu-west-9z": 403}})"));
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("responses.ee/eu-west-9z"), std::string::npos) << e->to_string();
  e = cbc_.configure(nlohmann::json::parse(R"({"responses": {"o2": 404}})"));
  ASSERT_TRUE(e);
  EXPECT_NE(e->to_string().find("200, 403 or 500"), std::string::npos) << e->to_string();
  e = cbc_.configure(nlohmann::json::parse(R"({"respones": {}})"));
  ASSERT_TRUE(e);
  // A refused configuration changes nothing.
  EXPECT_EQ(body(invoke("o2-1-proxy", alert("11111111-0000-4000-8000-000000000112")))["success"],
            true);
}

}  // namespace
}  // namespace notify::stubs::testing
