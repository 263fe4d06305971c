// Today's rules for SMS provider priorities: the error-rate threshold in front of a reduction
// (and Redis off), the two provider-choice caches, and the reasons on history rows.
#include "sms_fixture.hpp"

namespace notify::delivery {
namespace {

using namespace std::chrono_literals;
using testing::SmsFixture;
using SmsProviderChoiceTest = SmsFixture;

SmsProviderOptions today() { return SmsProviderOptions{}; }

TEST_F(SmsProviderChoiceTest, FiftyErrorsInAMinuteMoveNothingAndTheFiftyFirstDoes) {
  make_delivery(today());
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(priorities->on_send_failure("firetext")) << i;
    clock.run_for(1s);
  }
  EXPECT_EQ(priorities->priority("firetext"), 49);
  EXPECT_FALSE(logged("Error threshold exceeded"));
  // 50 errors at 0..49 s: the 51st at 50 s has all of them within the 60 s window.
  EXPECT_TRUE(priorities->on_send_failure("firetext"));
  EXPECT_EQ(priorities->priorities(), (std::map<std::string, int>{{"firetext", 39}, {"mmg", 61}}));
  EXPECT_TRUE(logged("Error threshold exceeded for provider firetext"));
  // Still over the limit, but within the minute's quiet period: logged, nothing moves.
  EXPECT_FALSE(priorities->on_send_failure("firetext"));
  EXPECT_EQ(priorities->priority("firetext"), 39);
}

TEST_F(SmsProviderChoiceTest, TheWindowSlidesSoSpreadOutErrorsNeverCount) {
  make_delivery(today());
  // One error every 1.2 s: at most 50 are ever within 60 s (an error exactly 60 s old is out).
  for (int i = 0; i < 500; ++i) {
    EXPECT_FALSE(priorities->on_send_failure("mmg")) << i;
    clock.run_for(1200ms);
  }
  EXPECT_TRUE(priorities->history().empty());
  // Each provider has its own count.
  for (int i = 0; i < 50; ++i) priorities->on_send_failure("firetext");
  EXPECT_EQ(priorities->priority("firetext"), 49);
  EXPECT_TRUE(priorities->on_send_failure("firetext"));
}

TEST_F(SmsProviderChoiceTest, WithRedisOffErrorsNeverLowerAPriority) {
  auto o = today();
  o.redis = false;
  make_delivery(o);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(priorities->on_send_failure("firetext"));
  EXPECT_EQ(priorities->priority("firetext"), 49);
  EXPECT_FALSE(logged("Error threshold exceeded"));
}

TEST_F(SmsProviderChoiceTest, ACachedChoiceSendsEveryMessageOfTenSecondsToOneProvider) {
  auto o = today();
  o.choice = SmsProviderChoice::cached_choice;
  make_delivery(o);
  std::map<std::string, int> windows;
  for (int window = 0; window < 200; ++window) {
    auto first = priorities->choose().value();
    for (int i = 0; i < 99; ++i) {
      clock.run_for(100ms);
      ASSERT_EQ(priorities->choose(), first) << "window " << window << ", send " << i;
    }
    clock.run_for(100ms);
    ++windows[first];
  }
  // Whole windows go to one provider or the other, by priority.
  EXPECT_GT(windows["mmg"], 70);
  EXPECT_GT(windows["firetext"], 70);
  // A lowered priority does not move a cached choice until the entry expires.
  clock.run_for(1h);
  auto chosen = priorities->choose().value();
  priorities->reduce(chosen, 0s, "test");
  priorities->reduce(chosen, 0s, "test");
  clock.run_for(9s);
  EXPECT_EQ(priorities->choose(), chosen);
}

TEST_F(SmsProviderChoiceTest, ACachedListDrawsPerSendOverPrioritiesUpToTenSecondsOld) {
  make_delivery(today());
  std::map<std::string, int> picks;
  for (int i = 0; i < 1000; ++i) ++picks[priorities->choose().value()];
  EXPECT_GT(picks["mmg"], 400);
  EXPECT_GT(picks["firetext"], 400);
  // firetext to 0: the cached list (read at 0 s) still offers it until 10 s.
  SmsProviderOptions o = today();
  o.initial = {{"firetext", 100}, {"mmg", 0}};
  make_delivery(o);
  EXPECT_EQ(priorities->choose(), "firetext");
  for (int i = 0; i < 10; ++i) priorities->reduce("firetext", 0s, "test");
  EXPECT_EQ(priorities->priority("firetext"), 0);
  clock.run_for(9999ms);
  EXPECT_EQ(priorities->choose(), "firetext") << "stale for up to 10 s";
  clock.run_for(1ms);
  EXPECT_EQ(priorities->choose(), "mmg");
}

TEST_F(SmsProviderChoiceTest, InternationalMessagesHaveTheirOwnCacheEntry) {
  SmsProviderOptions o = today();
  o.choice = SmsProviderChoice::cached_choice;
  o.initial = {{"firetext", 100}, {"mmg", 0}};
  make_delivery(o);
  EXPECT_EQ(priorities->choose(false), "firetext");
  for (int i = 0; i < 10; ++i) priorities->reduce("firetext", 0s, "test");
  EXPECT_EQ(priorities->choose(true), "mmg");
  EXPECT_EQ(priorities->choose(false), "firetext");
}

TEST_F(SmsProviderChoiceTest, HistoryRowsCarryNotifysReasons) {
  make_delivery(today());
  priorities->start();
  for (int i = 0; i < 51; ++i) priorities->on_send_failure("mmg");
  ASSERT_EQ(priorities->history().size(), 1u);
  EXPECT_EQ(priorities->history()[0].reasons,
            (std::map<std::string, std::string>{
                {"mmg", "Reduced due to reduced reliability"},
                {"firetext", "Increased due to reduced reliability in other provider"}}));
  EXPECT_TRUE(
      logged("Adjusting provider priority - mmg going from 51 to 41 for Reduced due to "
             "reduced reliability"));
  // Today's drift back waits 15 minutes, not an hour.
  clock.run_for(16min);
  ASSERT_EQ(priorities->history().size(), 2u);
  EXPECT_EQ(priorities->history()[1].reasons.at("mmg"), "Adjusted back to resting point");
  EXPECT_EQ(priorities->priority("mmg"), 51);
}

TEST_F(SmsProviderChoiceTest, WithoutReasonsRowsAndLogLinesHaveNone) {
  auto o = today();
  o.priority_reasons = false;
  make_delivery(o);
  for (int i = 0; i < 51; ++i) priorities->on_send_failure("mmg");
  ASSERT_EQ(priorities->history().size(), 1u);
  EXPECT_TRUE(priorities->history()[0].reasons.empty());
  EXPECT_TRUE(logged("Adjusting provider priority - mmg going from 51 to 41"));
  EXPECT_FALSE(logged("for Reduced"));
}

}  // namespace
}  // namespace notify::delivery
