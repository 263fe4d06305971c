#include "notify/profiles/profiles.hpp"
#include "notify/profiles/sms_settings.hpp"
#include "notify/scenarios/channel.hpp"
#include "notify/scenarios/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace notify::profiles {
namespace {

using nlohmann::json;
using scenarios::ScenarioError;

const std::vector<std::string>* allowed_values(const std::string& option) {
  for (const auto& channel : scenarios::channel_registry())
    for (const auto& [key, values] : channel.core_options)
      if (key == option) return &values;
  for (const auto& [key, values] : scenarios::core_wide_options())
    if (key == option) return &values;
  return nullptr;
}

bool allows(const std::vector<std::string>& values, const std::string& v) {
  return scenarios::core_option_allows(values, v);
}

TEST(ProfilesTest, EverySettingSuppliesARealCoreOptionOnce) {
  std::set<std::string> names, options;
  for (const auto& s : settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_TRUE(options.insert(s.core_option).second) << s.core_option;
    EXPECT_NE(allowed_values(s.core_option), nullptr)
        << s.name << ": no channel reads core." << s.core_option;
    EXPECT_NE(s.name.find('.'), std::string::npos) << s.name << " is not namespaced";
    EXPECT_FALSE(s.description.empty()) << s.name;
  }
}

TEST(ProfilesTest, EveryValueIsOneItsOptionAcceptsWithASource) {
  ASSERT_NO_THROW(find(kDefaultProfile, "profile"));
  for (const auto& p : all()) {
    std::set<std::string> seen;
    for (const auto& v : p.values) {
      const Setting* s = find_setting(v.setting);
      ASSERT_NE(s, nullptr) << p.name << ": " << v.setting;
      EXPECT_TRUE(seen.insert(v.setting).second) << p.name << " sets " << v.setting << " twice";
      EXPECT_TRUE(allows(*allowed_values(s->core_option), v.value))
          << p.name << ": " << v.setting << " = " << v.value;
      EXPECT_FALSE(v.source.empty()) << p.name << ": " << v.setting;
    }
    // A profile fixes exactly the settings of the families it covers.
    EXPECT_FALSE(p.families.empty()) << p.name;
    for (const auto& s : settings()) {
      const bool covered = std::find(p.families.begin(), p.families.end(), family_of(s.name)) !=
                           p.families.end();
      EXPECT_EQ(seen.contains(s.name), covered) << p.name << ": " << s.name;
    }
    EXPECT_NO_THROW(core_options(p, {})) << p.name << " contradicts itself";
  }
}

// docs/profiles.md has one table row per setting: | `name` | value | value | value | ...
TEST(ProfilesTest, ThePageListsEverySettingWithItsValuesAndNothingElse) {
  std::ifstream in(NOTIFY_PROFILES_PAGE);
  ASSERT_TRUE(in) << NOTIFY_PROFILES_PAGE;
  std::map<std::string, std::vector<std::string>> rows;
  std::vector<std::string> header;
  std::string line;
  auto cells = [](const std::string& l) {
    std::vector<std::string> out;
    std::stringstream ss(l.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      auto b = cell.find_first_not_of(' ');
      auto e = cell.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    return out;
  };
  while (std::getline(in, line)) {
    if (line.rfind("| setting |", 0) == 0) header = cells(line);
    if (line.rfind("| `", 0) != 0 || header.empty()) continue;
    auto c = cells(line);
    const std::string name = c[0].substr(1, c[0].size() - 2);
    if (find_setting(name) == nullptr && name.find('.') == std::string::npos) continue;
    EXPECT_TRUE(rows.emplace(name, c).second) << name << " has two rows";
  }
  ASSERT_FALSE(header.empty()) << "no '| setting |' table";
  for (const auto& [name, row] : rows)
    EXPECT_NE(find_setting(name), nullptr) << "the page lists " << name << ", the table does not";
  for (const auto& s : settings()) {
    auto it = rows.find(s.name);
    if (it == rows.end()) {
      ADD_FAILURE() << s.name << " is in the table but not on docs/profiles.md";
      continue;
    }
    for (const auto& p : all()) {
      auto column = std::find(header.begin(), header.end(), "`" + p.name + "`");
      ASSERT_NE(column, header.end()) << "no column for " << p.name;
      const auto i = static_cast<std::size_t>(column - header.begin());
      ASSERT_LT(i, it->second.size()) << s.name;
      const Value* v = p.find(s.name);
      EXPECT_EQ(it->second[i], v ? "`" + v->value + "`" : "–") << s.name << " in " << p.name;
    }
  }
}

TEST(ProfilesTest, EveryFamilyHasOneProfileAndEveryProfileAFamily) {
  for (const auto& f : families()) {
    int covering = 0;
    for (const auto& p : all())
      covering += std::count(p.families.begin(), p.families.end(), f) > 0 ? 1 : 0;
    EXPECT_GT(covering, 0) << f;
  }
  EXPECT_EQ(find("", "p").name, kDefaultCombination);
  EXPECT_EQ(find(kDefaultProfile, "p").name, kDefaultCombination);
  EXPECT_EQ(find(kDefaultBroadcastProfile, "p").name, kDefaultCombination);
}

TEST(ProfilesTest, ANameOrAListFillsTheFamiliesNobodyNamedWithTheirDefaults) {
  EXPECT_EQ(find("notify-2021", "p").name, "notify-2021+emergency-alerts-2026-08");
  EXPECT_EQ(find("notify-2023", "p").name, "notify-2026-08+notify-2023");
  EXPECT_EQ(find("notify-2021,notify-2023", "p").name, "notify-2021+notify-2023");
  EXPECT_EQ(find("notify-2023, notify-2021", "p").name, "notify-2021+notify-2023");
  // The printed name reads back as itself.
  EXPECT_EQ(find("notify-2021+notify-2023", "p").name, "notify-2021+notify-2023");
  auto c = core_options(find("notify-2021,notify-2023", "p"), {});
  EXPECT_EQ(c.at("ses_api"), "v1");
  EXPECT_EQ(c.at("cbc_connection_errors"), "propagate");
  c = core_options(find("notify-2021", "p"), {});
  EXPECT_EQ(c.at("cbc_connection_errors"), "failover") << "emergency-alerts-2026-08's value";
}

TEST(ProfilesTest, TheCommandLineBeatsTheScenarioWhichBeatsTheEnvironmentFamilyByFamily) {
  auto r = [](std::optional<std::string> a, std::optional<std::string> b,
              std::optional<std::string> c) {
    return resolve({{a, "--profile"}, {b, "profile"}, {c, "NOTIFY_SIM_PROFILE"}}).name;
  };
  EXPECT_EQ(r("notify-2021", "notify-2025-07", "notify-2026-08"),
            "notify-2021+emergency-alerts-2026-08");
  EXPECT_EQ(r(std::nullopt, "notify-2025-07", "notify-2021"),
            "notify-2025-07+emergency-alerts-2026-08");
  EXPECT_EQ(r(std::nullopt, std::nullopt, "notify-2021"), "notify-2021+emergency-alerts-2026-08");
  EXPECT_EQ(r(std::nullopt, std::nullopt, std::nullopt), kDefaultCombination);
  EXPECT_EQ(r(std::nullopt, std::nullopt, ""), kDefaultCombination);
  // A scenario pinned to notify-2023 keeps it when the command line names only Notify.
  EXPECT_EQ(r("notify-2021", "notify-2023", std::nullopt), "notify-2021+notify-2023");
  EXPECT_EQ(r("emergency-alerts-2026-08", "notify-2021,notify-2023", std::nullopt),
            "notify-2021+emergency-alerts-2026-08");
}

TEST(ProfilesTest, TwoProfilesForOneFamilyNameBoth) {
  try {
    find("notify-2021,notify-2025-07", "--profile");
    FAIL();
  } catch (const ProfileError& e) {
    EXPECT_STREQ(e.what(),
                 "--profile \"notify-2021,notify-2025-07\": notify-2021 and notify-2025-07 both "
                 "cover email, sms, telemetry, lifecycle; name one profile per family");
  }
  EXPECT_THROW(find("notify-2023+emergency-alerts-2026-08", "p"), ProfileError);
  EXPECT_NO_THROW(find("notify-2023,notify-2023", "p")) << "the same profile twice is one";
  EXPECT_THROW(find("notify-2021,", "p"), ProfileError) << "an empty name is unknown";
}

TEST(ProfilesTest, AnUnknownNameNamesTheKnownOnes) {
  try {
    find("notify-1999", "--profile");
    FAIL();
  } catch (const ProfileError& e) {
    EXPECT_STREQ(e.what(),
                 "--profile \"notify-1999\": unknown profile; the profiles are notify-2026-08 "
                 "(default), notify-2025-07, notify-2021 for email, sms, telemetry, lifecycle; "
                 "emergency-alerts-2026-08 (default), notify-2023 for broadcast");
  }
}

scenarios::Scenario parse(const std::string& text) {
  return scenarios::parse_scenario(json::parse(text), "s.json");
}

TEST(ProfilesTest, AScenarioGetsItsProfilesValuesUnderItsOwnOptions) {
  auto s = parse(R"({"name": "n"})");
  EXPECT_EQ(s.profile, "notify-2026-08+emergency-alerts-2026-08");
  EXPECT_EQ(s.core_options.at("ses_api"), "v2");
  EXPECT_EQ(s.core_options.at("sms_error_threshold"), "50");
  s = parse(R"({"name": "n", "profile": "notify-2021", "core": {"sms_http_timeout_s": 30}})");
  EXPECT_EQ(s.profile, "notify-2021+emergency-alerts-2026-08");
  EXPECT_EQ(s.core_options.at("ses_api"), "v1");
  EXPECT_EQ(s.core_options.at("sms_error_threshold"), "none");
  EXPECT_EQ(s.core_options.at("sms_http_timeout_s"), "30") << "the explicit option wins";
  scenarios::use_profile(s, "notify-2025-07");
  EXPECT_EQ(s.profile, "notify-2025-07+emergency-alerts-2026-08");
  EXPECT_EQ(s.core_options.at("sms_provider_choice"), "cached-choice");
  EXPECT_EQ(s.core_options.at("sms_http_timeout_s"), "30");
  EXPECT_EQ(s.profile_key, "notify-2021");
}

TEST(ProfilesTest, BadProfilesAndContradictionsAreScenarioErrors) {
  EXPECT_THROW(parse(R"({"name": "n", "profile": "nope"})"), ScenarioError);
  EXPECT_THROW(parse(R"({"name": "n", "profile": 3})"), ScenarioError);
  EXPECT_THROW(parse(R"({"name": "n", "profile": "notify-2021,notify-2026-08"})"), ScenarioError);
  EXPECT_EQ(parse(R"({"name": "n", "profile": "notify-2023"})").profile,
            "notify-2026-08+notify-2023");
  EXPECT_THROW(parse(R"({"name": "n", "profile": "notify-2021", "core": {"sms_redis": "off"}})"),
               ScenarioError);
  // The same option is fine where a threshold exists, and with a threshold set explicitly.
  EXPECT_NO_THROW(parse(R"({"name": "n", "core": {"sms_redis": "off"}})"));
  EXPECT_NO_THROW(parse(R"({"name": "n", "profile": "notify-2021",
                            "core": {"sms_redis": "off", "sms_error_threshold": 5}})"));
  EXPECT_THROW(parse(R"({"name": "n", "core": {"sms_error_threshold": -1}})"), ScenarioError);
  EXPECT_THROW(parse(R"({"name": "n", "core": {"sms_provider_choice": "sticky"}})"), ScenarioError);
  auto s = parse(R"({"name": "n"})");
  EXPECT_THROW(scenarios::use_profile(s, "nope"), ScenarioError);
}

TEST(ProfilesTest, SmsSettingsBecomeTheCoresOptions) {
  auto today = sms_settings(core_options(find("notify-2026-08", "p"), {}));
  EXPECT_EQ(today.http_timeout, std::chrono::seconds(10));
  EXPECT_EQ(today.providers.error_threshold, 50);
  EXPECT_EQ(today.providers.error_window, std::chrono::seconds(60));
  EXPECT_TRUE(today.providers.redis);
  EXPECT_EQ(today.providers.choice, delivery::SmsProviderChoice::cached_list);
  EXPECT_EQ(today.providers.choice_cache, std::chrono::seconds(10));
  EXPECT_EQ(today.providers.rebalance_quiet, std::chrono::minutes(15));
  EXPECT_TRUE(today.providers.priority_reasons);
  auto old =
      sms_settings(core_options(find("notify-2021", "p"), {{"sms_provider_choice", "live"}}));
  EXPECT_EQ(old.http_timeout, std::chrono::seconds(60));
  EXPECT_FALSE(old.providers.error_threshold.has_value());
  EXPECT_EQ(old.providers.choice, delivery::SmsProviderChoice::live);
  EXPECT_EQ(old.providers.rebalance_quiet, std::chrono::hours(1));
  EXPECT_FALSE(old.providers.priority_reasons);
  auto mid = sms_settings(core_options(find("notify-2025-07", "p"), {{"sms_redis", "off"}}));
  EXPECT_EQ(mid.providers.choice, delivery::SmsProviderChoice::cached_choice);
  EXPECT_FALSE(mid.providers.redis);
}

}  // namespace
}  // namespace notify::profiles
