#include "events.hpp"
#include "ses_fixture.hpp"

namespace notify::stubs::testing {
namespace {

using nlohmann::json;

class SesEventsTest : public SesTest {
 protected:
  SesEventsTest() {
    EXPECT_FALSE(stub_.configure(
        {{"events", {{"callback_url", kCallbackUrl}, {"delay_ms", 1000}}}, {"max_send_rate", 0}}));
  }

  // The SES notification inside an SNS envelope.
  static json notification(const transport::Request& r) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.headers.get_or("x-amz-sns-message-type", ""), "Notification");
    auto envelope = json::parse(r.body);
    EXPECT_EQ(envelope["Type"], "Notification");
    EXPECT_EQ(envelope["MessageId"], std::string(r.headers.get_or("x-amz-sns-message-id", "")));
    EXPECT_TRUE(envelope["Message"].is_string());
    return json::parse(envelope["Message"].get<std::string>());
  }
};

TEST_F(SesEventsTest, DeliveryArrivesAfterTheDelayWithTheMessageId) {
  auto a = call(form_post(send_email_body()));
  ASSERT_EQ(a.response.status, 200);
  EXPECT_EQ(stub_.pending_events(), 1u);
  clock_.run_for(std::chrono::milliseconds(999));
  EXPECT_TRUE(received_.empty());
  clock_.run_for(std::chrono::milliseconds(1));
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].path(), "/ses-events");
  auto n = notification(received_[0]);
  EXPECT_EQ(n["notificationType"], "Delivery");
  EXPECT_EQ(n["mail"]["messageId"], a.reference);
  EXPECT_EQ(n["mail"]["source"], "sender@example.com");
  EXPECT_EQ(n["mail"]["destination"], json::array({"to@example.com"}));
  EXPECT_EQ(n["delivery"]["recipients"], json::array({"to@example.com"}));
  EXPECT_EQ(n["delivery"]["processingTimeMillis"], 1000);
  EXPECT_EQ(n["delivery"]["timestamp"], "2026-01-01T00:00:01.000Z");
  EXPECT_EQ(stub_.pending_events(), 0u);
  EXPECT_EQ(stub_.counters().events_sent, 1u);
}

TEST_F(SesEventsTest, SimulatorAddressesBounceAndComplain) {
  auto a =
      call(form_post("Action=SendEmail&Source=sender%40example.com"
                     "&Destination.ToAddresses.member.1=perm-fail%40simulator.notify"
                     "&Destination.ToAddresses.member.2=temp-fail%40simulator.notify"
                     "&Destination.CcAddresses.member.1=complaint%40simulator.notify"
                     "&Destination.BccAddresses.member.1=ok%40example.com"
                     "&Message.Subject.Data=s&Message.Body.Text.Data=b"));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  clock_.run();
  ASSERT_EQ(received_.size(), 4u);
  auto perm = notification(received_[0]);
  EXPECT_EQ(perm["notificationType"], "Bounce");
  EXPECT_EQ(perm["bounce"]["bounceType"], "Permanent");
  EXPECT_EQ(perm["bounce"]["bounceSubType"], "General");
  EXPECT_EQ(perm["bounce"]["bouncedRecipients"][0]["emailAddress"], "perm-fail@simulator.notify");
  EXPECT_EQ(perm["mail"]["messageId"], a.reference);
  auto temp = notification(received_[1]);
  EXPECT_EQ(temp["bounce"]["bounceType"], "Transient");
  EXPECT_EQ(temp["bounce"]["bounceSubType"], "General");
  auto complaint = notification(received_[2]);
  EXPECT_EQ(complaint["notificationType"], "Complaint");
  EXPECT_EQ(complaint["complaint"]["complainedRecipients"][0]["emailAddress"],
            "complaint@simulator.notify");
  EXPECT_EQ(notification(received_[3])["notificationType"], "Delivery");
  // Statistics count them.
  auto stats = call(form_post("Action=GetSendStatistics"));
  EXPECT_NE(stats.response.body.find("<Bounces>2</Bounces><Complaints>1</Complaints>"),
            std::string::npos)
      << stats.response.body;
}

TEST_F(SesEventsTest, NotifyPermanentBounceCarriesADsn) {
  call(form_post(send_email_body("perm-fail%40simulator.notify")));
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  auto bounce = notification(received_[0])["bounce"];
  EXPECT_EQ(bounce["reportingMTA"], "dsn; a8-70.smtp-out.amazonses.com");
  EXPECT_EQ(bounce["bouncedRecipients"][0]["status"], "5.1.1");
  EXPECT_EQ(bounce["bouncedRecipients"][0]["action"], "failed");
}

TEST_F(SesEventsTest, SesMailboxSimulatorGetsWhatRealSesSends) {
  auto a = call(form_post(
      "Action=SendEmail&Source=sender%40example.com"
      "&Destination.ToAddresses.member.1=success%40simulator.amazonses.com"
      "&Destination.ToAddresses.member.2=bounce%40simulator.amazonses.com"
      "&Destination.ToAddresses.member.3=OOTO%40Simulator.AmazonSES.com"
      "&Destination.ToAddresses.member.4=complaint%2Blabel1%40simulator.amazonses.com"
      "&Destination.ToAddresses.member.5=suppressionlist%40simulator.amazonses.com"
      "&Message.Subject.Data=s&Message.Body.Text.Data=b"));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  clock_.run();
  ASSERT_EQ(received_.size(), 5u);
  auto success = notification(received_[0]);
  EXPECT_EQ(success["notificationType"], "Delivery");
  EXPECT_EQ(success["delivery"]["recipients"][0], "success@simulator.amazonses.com");

  auto bounce = notification(received_[1]);
  EXPECT_EQ(bounce["notificationType"], "Bounce");
  EXPECT_EQ(bounce["bounce"]["bounceType"], "Permanent");
  EXPECT_EQ(bounce["bounce"]["bounceSubType"], "General");
  EXPECT_EQ(bounce["bounce"]["reportingMTA"], "dsn; a8-70.smtp-out.amazonses.com");
  EXPECT_EQ(bounce["bounce"]["bouncedRecipients"][0],
            json({{"emailAddress", "bounce@simulator.amazonses.com"},
                  {"action", "failed"},
                  {"status", "5.1.1"},
                  {"diagnosticCode", "smtp; 550 5.1.1 user unknown"}}));
  EXPECT_EQ(bounce["mail"]["messageId"], a.reference);

  auto ooto = notification(received_[2]);
  EXPECT_EQ(ooto["notificationType"], "Bounce");
  EXPECT_EQ(ooto["bounce"]["bounceType"], "Transient");
  EXPECT_EQ(ooto["bounce"]["bounceSubType"], "General");
  EXPECT_EQ(ooto["bounce"]["bouncedRecipients"],
            json::array({{{"emailAddress", "OOTO@Simulator.AmazonSES.com"}}}));
  EXPECT_FALSE(ooto["bounce"].contains("reportingMTA"));

  auto complaint = notification(received_[3]);
  EXPECT_EQ(complaint["notificationType"], "Complaint");
  EXPECT_EQ(complaint["complaint"]["complainedRecipients"][0]["emailAddress"],
            "complaint+label1@simulator.amazonses.com");
  EXPECT_EQ(complaint["complaint"]["complaintFeedbackType"], "abuse");

  auto suppressed = notification(received_[4]);
  EXPECT_EQ(suppressed["notificationType"], "Bounce");
  EXPECT_EQ(suppressed["bounce"]["bounceType"], "Permanent");
  EXPECT_EQ(suppressed["bounce"]["bounceSubType"], "Suppressed");
  EXPECT_EQ(suppressed["bounce"]["reportingMTA"], "dns; amazonses.com");
  EXPECT_EQ(suppressed["bounce"]["bouncedRecipients"][0]["status"], "5.1.1");
  EXPECT_NE(suppressed["bounce"]["bouncedRecipients"][0]["diagnosticCode"]
                .get<std::string>()
                .find("Amazon SES has suppressed sending to this address"),
            std::string::npos);
  EXPECT_FALSE(suppressed["bounce"].contains("remoteMtaIp"));
}

TEST(SesEventKind, SimulatorBoxesNeedTheExactDomain) {
  EXPECT_EQ(ses::event_kind_for("bounce@simulator.amazonses.com.example"),
            ses::EventKind::delivery);
  EXPECT_EQ(ses::event_kind_for("bounce@amazonses.com"), ses::EventKind::delivery);
  EXPECT_EQ(ses::event_kind_for("\"Box\" <bounce+x@simulator.amazonses.com>"),
            ses::EventKind::bounce_permanent);
  EXPECT_EQ(ses::event_kind_for("nobox@simulator.amazonses.com"), ses::EventKind::delivery);
  EXPECT_EQ(ses::event_kind_for("success@simulator.amazonses.com"), ses::EventKind::delivery);
}

TEST_F(SesEventsTest, V2AndStubContractSendEventsToo) {
  auto v2 = call(json_request("POST", "/v2/email/outbound-emails", v2_send_body()));
  transport::Request contract;
  contract.method = "POST";
  contract.target = "/ses";
  contract.body = "id=dummy-data";
  auto c = call(contract);
  clock_.run();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(notification(received_[0])["mail"]["messageId"], v2.reference);
  auto n = notification(received_[1]);
  EXPECT_EQ(n["notificationType"], "Delivery");
  EXPECT_EQ(n["mail"]["messageId"], c.reference);
}

TEST_F(SesEventsTest, BareNotificationWithoutEnvelope) {
  ASSERT_FALSE(stub_.configure({{"events", {{"sns_envelope", false}}}}));
  call(form_post(send_email_body()));
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].headers.get_or("Content-Type", ""), "application/json");
  EXPECT_EQ(json::parse(received_[0].body)["notificationType"], "Delivery");
}

TEST_F(SesEventsTest, HostRulesOnEventsDropDuplicateAndDelay) {
  auto rule = [&](const std::string& recipient, nlohmann::json action) {
    auto r = parse_fault_rule(
        {{"match", {{"service", "ses"}, {"operation", "Event"}, {"recipient", recipient}}},
         {"action", std::move(action)}},
        "rule", host_.faults().known_errors());
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(host_.faults().add(*r));
  };
  rule("drop@example.com", {{"type", "error"}, {"name", kSesEventDrop}});
  rule("dup@example.com", {{"type", "error"}, {"name", kSesEventDuplicate}});
  rule("late@example.com", {{"type", "delay"}, {"ms", 10000}});
  call(
      form_post("Action=SendEmail&Source=s%40example.com"
                "&Destination.ToAddresses.member.1=drop%40example.com"
                "&Destination.ToAddresses.member.2=dup%40example.com"
                "&Destination.ToAddresses.member.3=late%40example.com"
                "&Message.Subject.Data=s&Message.Body.Text.Data=b"));
  // The dropped event is journaled at once, linked to the send (request 1 here).
  JournalQuery q;
  q.operation = "Event";
  q.outcome = "dropped";
  auto dropped = host_.journal().query(q);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].parent, seq_);
  EXPECT_EQ(dropped[0].direction, "out");
  clock_.run_for(std::chrono::seconds(2));
  clock_.run_for(std::chrono::milliseconds(1));
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(received_[0].body, received_[1].body);  // an SNS redelivery keeps its MessageId
  EXPECT_EQ(notification(received_[0])["delivery"]["recipients"][0], "dup@example.com");
  clock_.run_for(std::chrono::seconds(10));
  ASSERT_EQ(received_.size(), 3u);
  EXPECT_EQ(notification(received_[2])["delivery"]["recipients"][0], "late@example.com");
  auto c = stub_.counters();
  EXPECT_EQ(c.events_dropped, 1u);
  EXPECT_EQ(c.events_sent, 3u);
}

TEST_F(SesEventsTest, EventFaultsOnTheSendRequest) {
  auto dropped = call(form_post(send_email_body()), "ses.event_drop");
  EXPECT_EQ(dropped.response.status, 200);
  auto duplicated = call(form_post(send_email_body()), "ses.event_duplicate");
  EXPECT_EQ(duplicated.response.status, 200);
  clock_.run();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(notification(received_[0])["mail"]["messageId"], duplicated.reference);
  // SNS delivering the same notification again: the same MessageId, the same bytes.
  EXPECT_EQ(received_[0].body, received_[1].body);
  EXPECT_EQ(json::parse(received_[0].body)["MessageId"], json::parse(received_[1].body)["MessageId"]);
  EXPECT_EQ(received_[0].headers.get_or("x-amz-sns-message-id", "a"),
            received_[1].headers.get_or("x-amz-sns-message-id", "b"));
}

TEST_F(SesEventsTest, ACallbackUrlWithCredentialsIsSentAsBasicAuth) {
  // An SNS HTTP subscription to https://user:pass@host/... delivers with Basic auth.
  std::string url = kCallbackUrl;
  url.insert(url.find("://") + 3, "sns:s3cret@");
  EXPECT_FALSE(stub_.configure({{"events", {{"callback_url", url}}}}));
  call(form_post(send_email_body()));
  clock_.run();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].headers.get_or("Authorization", ""), "Basic c25zOnMzY3JldA==");
  EXPECT_EQ(received_[0].target.find("s3cret"), std::string::npos);
  auto bad = stub_.configure({{"events", {{"callback_url", "http://:x@127.0.0.1/"}}}});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "events.callback_url");
}

TEST_F(SesEventsTest, ResetDropsBothCopiesOfADuplicatedEvent) {
  call(form_post(send_email_body()), "ses.event_duplicate");
  host_.reset();
  clock_.run();
  EXPECT_TRUE(received_.empty());
}

TEST_F(SesEventsTest, ResetCancelsPendingEventsAndCounters) {
  call(form_post(send_email_body()));
  call(form_post(send_email_body()));
  EXPECT_EQ(stub_.pending_events(), 2u);
  host_.reset();  // what POST /reset does: pending events belong to the host
  EXPECT_EQ(stub_.pending_events(), 0u);
  clock_.run();
  EXPECT_TRUE(received_.empty());
  EXPECT_EQ(stub_.counters().accepted_messages, 0u);
  auto q = call(form_post("Action=GetSendQuota"));
  EXPECT_NE(q.response.body.find("<SentLast24Hours>0.0</SentLast24Hours>"), std::string::npos);
}

TEST_F(SesEventsTest, FailedCallbacksAreCountedAndNoTransportMeansTheyFail) {
  callback_status_ = 500;
  call(form_post(send_email_body()));
  clock_.run();
  EXPECT_EQ(received_.size(), 1u);
  EXPECT_EQ(stub_.counters().events_failed, 1u);
  ASSERT_FALSE(stub_.configure({{"events", {{"callback_url", "http://127.0.0.1:1/none"}}}}));
  call(form_post(send_email_body()));
  clock_.run();
  EXPECT_EQ(stub_.counters().events_failed, 2u);  // connection refused

  // A host with no outbound transport counts its stubs' callbacks as failed.
  StubHost lonely_host(clock_, HostOptions{});
  auto& lonely = static_cast<SesStub&>(lonely_host.add(std::make_unique<SesStub>()));
  ASSERT_FALSE(lonely.configure({{"events", {{"callback_url", kCallbackUrl}}}}));
  auto r = form_post(send_email_body());
  auto info = lonely.describe(r);
  EXPECT_EQ(lonely.handle(Call{r, info, "", 1}).response.status, 200);
  EXPECT_EQ(lonely.pending_events(), 1u);
  clock_.run();
  EXPECT_EQ(lonely.pending_events(), 0u);
  EXPECT_EQ(lonely.counters().events_failed, 1u);
}

TEST_F(SesEventsTest, PendingEventsAreBounded) {
  ASSERT_FALSE(stub_.configure({{"events", {{"pending_max", 2}}}}));
  for (int i = 0; i < 3; ++i) call(form_post(send_email_body()));
  EXPECT_EQ(stub_.pending_events(), 2u);
  EXPECT_EQ(stub_.counters().events_dropped, 1u);
}

}  // namespace
}  // namespace notify::stubs::testing
