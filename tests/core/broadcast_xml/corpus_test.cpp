// The broken-document corpus (tests/data/broadcast-xml/broken/verdicts.json): each case must get
// its recorded verdict and rules. The xmllint side is checked by xmllint_crosscheck.py.
#include "notify/broadcast/validate.hpp"
#include "test_data.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::broadcast {
namespace {

using testing::read_data;

TEST(Corpus, EveryBrokenCaseGetsItsVerdict) {
  auto verdicts = nlohmann::json::parse(read_data("broken/verdicts.json"));
  const auto& cases = verdicts.at("cases");
  ASSERT_GE(cases.size(), 60u);
  for (const auto& c : cases) {
    auto file = c.at("file").get<std::string>();
    ValidateOptions options;
    options.profile = *parse_profile(c.at("profile").get<std::string>());
    auto report = validate_document(read_data("broken/" + file), options);
    bool expected_valid = c.at("valid").get<bool>();
    EXPECT_EQ(report.valid(), expected_valid) << file;
    auto severity = c.at("severity").get<std::string>();
    for (const auto& rule : c.at("rules")) {
      bool found = false;
      for (const auto& p : report.problems)
        found = found || (p.rule == rule.get<std::string>() && to_string(p.severity) == severity);
      std::string got;
      for (const auto& p : report.problems)
        got += " " + p.rule + "/" + std::string(to_string(p.severity));
      EXPECT_TRUE(found) << file << ": expected " << severity << " " << rule << ", got" << got;
    }
    // Semantic cases are valid to the schemas, so our schema layer must be silent on them.
    if (c.at("layer") == "semantic") {
      for (const auto& p : report.problems) EXPECT_EQ(p.layer, Layer::semantic) << file;
    }
  }
}

}  // namespace
}  // namespace notify::broadcast
