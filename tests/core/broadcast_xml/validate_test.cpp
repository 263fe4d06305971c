// The validator on the samples, on rendered documents, and on hostile or broken bytes: sizes,
// depth, encodings, every truncation of a sample, and seeded random mutations.
#include "notify/broadcast/validate.hpp"
#include "notify/broadcast/render.hpp"
#include "test_data.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>

namespace notify::broadcast {
namespace {

using testing::data_path;
using testing::read_data;

bool has_rule(const Report& r, std::string_view rule) {
  for (const auto& p : r.problems)
    if (p.rule == rule) return true;
  return false;
}

std::string describe(const Report& r) {
  std::string out = r.kind_description;
  for (const auto& p : r.problems)
    out += "\n  " + std::to_string(p.line) + " " + p.path + " " + p.rule + ": " + p.message + " (" +
           p.found + ")";
  return out;
}

std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(data_path("samples")))
    if (e.path().extension() == ".xml") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Validate, EverySampleIsValidUnderOasisAndUk) {
  auto names = sample_names();
  ASSERT_EQ(names.size(), 13u);
  for (const auto& name : names) {
    auto doc = read_data("samples/" + name);
    for (auto profile : {Profile::oasis, Profile::uk}) {
      auto r = validate_document(doc, {profile});
      if (name == "google-no_optional_fields.cap.xml") {
        // Google's "no optional fields" sample is CAP 1.1: refused as not CAP 1.2.
        EXPECT_EQ(r.kind, DocumentKind::unknown);
        EXPECT_TRUE(has_rule(r, "not-cap-or-ibag"));
        EXPECT_NE(r.kind_description.find("CAP 1.1"), std::string::npos);
        continue;
      }
      EXPECT_NE(r.kind, DocumentKind::unknown) << name;
      EXPECT_TRUE(r.valid()) << name << ": " << describe(r);
    }
  }
}

TEST(Validate, RenderedPayloadsAreValid) {
  RenderOptions o;
  o.now = std::chrono::sys_days{std::chrono::year{2021} / 7 / 19};
  for (const auto& e : std::filesystem::directory_iterator(data_path("payloads"))) {
    auto p = nlohmann::json::parse(read_data("payloads/" + e.path().filename().string()));
    for (const char* format : {"cap", "ibag"}) {
      if (std::string(format) == "ibag" && !p.contains("message_number")) continue;
      p["message_format"] = format;
      if (p.contains("language"))
        p["language"] =
            language_value(infer_language(p["description"].get<std::string>()),
                           std::string(format) == "cap" ? MessageFormat::cap : MessageFormat::ibag);
      auto doc = render_json(p, o);
      if (!doc) {
        EXPECT_TRUE(doc.error().not_sent) << e.path() << ": " << doc.error().message;
        continue;
      }
      auto r = validate_document(*doc, {Profile::uk});
      EXPECT_TRUE(r.valid()) << e.path() << " " << format << ": " << describe(r);
    }
  }
}

TEST(Validate, ReportsLineAndPath) {
  std::string doc =
      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
      "  <identifier>a</identifier>\n"
      "  <sender>b</sender>\n"
      "  <sent>2021-02-15T10:00:00Z</sent>\n"
      "  <status>Actual</status>\n"
      "  <msgType>Alert</msgType>\n"
      "  <scope>Public</scope>\n"
      "</alert>\n";
  auto r = validate_document(doc);
  ASSERT_EQ(r.problems.size(), 1u) << describe(r);
  EXPECT_EQ(r.problems[0].line, 4u);
  EXPECT_EQ(r.problems[0].path, "/alert/sent");
  EXPECT_EQ(r.problems[0].rule, "schema-cap-datetime");
  EXPECT_EQ(r.problems[0].found, "2021-02-15T10:00:00Z");
  EXPECT_EQ(r.problems[0].layer, Layer::schema);
}

TEST(Validate, PrefixedNamespacesAreResolved) {
  std::string doc =
      "<cap:alert xmlns:cap=\"urn:oasis:names:tc:emergency:cap:1.2\"><cap:identifier>a"
      "</cap:identifier><cap:sender>b</cap:sender><cap:sent>2021-02-15T10:00:00-00:00</cap:sent>"
      "<cap:status>Actual</cap:status><cap:msgType>Alert</cap:msgType><cap:scope>Public"
      "</cap:scope></cap:alert>";
  EXPECT_TRUE(validate_document(doc).valid()) << describe(validate_document(doc));
  auto undeclared = doc;
  undeclared.replace(undeclared.find("<cap:scope>"), 11, "<x:scope>");
  undeclared.replace(undeclared.find("</cap:scope>"), 12, "</x:scope>");
  EXPECT_TRUE(has_rule(validate_document(undeclared), "xml-namespace-prefix"));
}

TEST(Validate, NotCapOrNotXmlSaysWhatItIs) {
  auto json = validate_document("{\"name\": \"scenario\"}");
  EXPECT_EQ(json.kind, DocumentKind::unknown);
  EXPECT_EQ(json.kind_description, "JSON, not XML");
  EXPECT_TRUE(has_rule(json, "not-xml"));

  auto empty = validate_document("  \n");
  EXPECT_EQ(empty.kind_description, "an empty file");
  EXPECT_FALSE(empty.valid());

  auto utf16 = validate_document(std::string("\xFF\xFE<\0a\0", 6));
  EXPECT_TRUE(has_rule(utf16, "xml-encoding"));

  auto ibag11 = validate_document("<IBAG_Alert_Attributes xmlns=\"ibag:1.1\"/>");
  EXPECT_TRUE(has_rule(ibag11, "not-cap-or-ibag"));
  EXPECT_NE(ibag11.kind_description.find("ibag:1.1"), std::string::npos);
}

TEST(Validate, OversizedDocumentIsRefusedUnparsed) {
  auto doc = read_data("samples/reconstructed-proxy-cap-alert.xml");
  doc.replace(doc.find("newlines"), 8, std::string(2 * 1024 * 1024, 'A'));
  auto r = validate_document(doc);
  EXPECT_EQ(r.kind, DocumentKind::cap12);  // sniffed from the first tag
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].rule, "xml-too-large");
  ValidateOptions roomy;
  roomy.document_bytes_max = 4 * 1024 * 1024;
  EXPECT_TRUE(validate_document(doc, roomy).valid());
}

TEST(Validate, DeepNestingIsBounded) {
  std::string doc = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">";
  // 100,000 levels: under the size bound, far over the depth bound.
  for (int i = 0; i < 100000; ++i) doc += "<x>";
  for (int i = 0; i < 100000; ++i) doc += "</x>";
  doc += "</alert>";
  auto r = validate_document(doc);
  EXPECT_TRUE(has_rule(r, "xml-too-deep")) << describe(r);
}

TEST(Validate, ProblemsAreBounded) {
  std::string doc = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"";
  for (int i = 0; i < 1000; ++i) doc += " a" + std::to_string(i) + "=\"x\"";
  doc += "/>";
  ValidateOptions o;
  o.problems_max = 10;
  auto r = validate_document(doc, o);
  EXPECT_EQ(r.problems.size(), 10u);
  EXPECT_GT(r.problems_dropped, 900u);
  EXPECT_FALSE(r.valid());
}

// Prefixes of every sample (every one for small samples, 400 evenly spaced for large ones): a
// truncated document is an error, never a crash, and only the whole document (or the whole minus
// trailing whitespace) is valid.
TEST(Validate, EveryTruncationOfEverySampleIsSafe) {
  for (const auto& name : sample_names()) {
    auto doc = read_data("samples/" + name);
    std::size_t step = std::max<std::size_t>(1, doc.size() / 400);
    for (std::size_t n = 0; n < doc.size(); n += step) {
      auto r = validate_document(std::string_view(doc).substr(0, n));
      auto rest = std::string_view(doc).substr(n);
      if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        EXPECT_FALSE(r.valid()) << name << " cut at " << n;
      }
    }
  }
}

// Seeded mutations of the samples and plain random bytes. The assertion is that validation
// returns; ASan and UBSan in CI turn any memory error into a failure.
TEST(Validate, RandomMutationsAreSafe) {
  std::mt19937_64 rng(20240301);
  auto names = sample_names();
  const std::string_view alphabet = "<>/&;=\"'![]?-:x \n\xC5\xB5\xFF\x00";
  std::size_t valid = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string doc = read_data("samples/" + names[rng() % names.size()]);
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !doc.empty(); ++k) {
      std::size_t at = rng() % doc.size();
      switch (rng() % 3) {
        case 0:
          doc[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          doc.erase(at, 1 + rng() % 16);
          break;
        default:
          doc.insert(at, std::string(1 + rng() % 3, alphabet[rng() % alphabet.size()]));
      }
    }
    valid += validate_document(doc).valid();
  }
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 256, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    if (i % 2 == 0) bytes.insert(0, "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">");
    EXPECT_FALSE(validate_document(bytes).valid());
  }
  EXPECT_LT(valid, 1500u);
}

TEST(Validate, ProfilesChangeSeverities) {
  auto cancel = read_data("samples/reconstructed-proxy-cap-cancel.xml");
  EXPECT_TRUE(validate_document(cancel, {Profile::oasis}).problems.empty());
  auto google = validate_document(cancel, {Profile::google});
  EXPECT_TRUE(has_rule(google, "references-timestamp"));
  EXPECT_TRUE(has_rule(google, "google-info-required"));

  auto windermere = read_data("samples/ea-api-WINDEMERE.xml");  // references itself
  auto oasis = validate_document(windermere, {Profile::oasis});
  EXPECT_TRUE(oasis.valid());
  EXPECT_TRUE(has_rule(oasis, "references-circular"));
  EXPECT_FALSE(validate_document(windermere, {Profile::google}).valid());
}

TEST(Validate, ProfileNames) {
  EXPECT_EQ(parse_profile("uk"), Profile::uk);
  EXPECT_EQ(parse_profile("google"), Profile::google);
  EXPECT_EQ(parse_profile("oasis"), Profile::oasis);
  EXPECT_FALSE(parse_profile("ipaws"));
  EXPECT_EQ(to_string(Profile::google), "google");
}

TEST(Validate, TimesFarOutOfRangeAreComparedWithoutOverflow) {
  // Found by fuzz_edge: a year this large overflowed the nanosecond count (undefined behaviour,
  // reported under UBSan). Expiring before it was sent is still an error.
  std::string doc = read_data("samples/reconstructed-proxy-cap-alert.xml");
  auto at = doc.find("<expires>");
  ASSERT_NE(at, std::string::npos);
  auto end = doc.find("</expires>", at);
  doc.replace(at, end - at, "<expires>-999999999-01-01T00:00:00-00:00");
  auto r = validate_document(doc, {});
  (void)r;
  std::string later = read_data("samples/reconstructed-proxy-cap-alert.xml");
  at = later.find("<sent>");
  end = later.find("</sent>", at);
  later.replace(at, end - at, "<sent>999999999-01-01T00:00:00-00:00");
  EXPECT_TRUE(has_rule(validate_document(later, {}), "expires-after-sent") ||
              !validate_document(later, {}).valid());
}

}  // namespace
}  // namespace notify::broadcast
