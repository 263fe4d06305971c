// The renderer against the reconstructed proxy samples byte for byte, the proxy's mappings and
// number formats, and payload errors that name their field.
#include "notify/broadcast/render.hpp"
#include "notify/broadcast/validate.hpp"
#include "test_data.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::broadcast {
namespace {

using testing::read_data;
using namespace std::chrono;

nlohmann::json payload(const std::string& name) {
  return nlohmann::json::parse(read_data("payloads/" + name));
}

RenderOptions at_link_test_time() {
  RenderOptions o;
  o.now = sys_days{2021y / July / 19} + 10h + 0min + 42s;
  return o;
}

std::string rendered(nlohmann::json p, const RenderOptions& options = {}) {
  auto r = render_json(p, options);
  EXPECT_TRUE(r) << (r ? "" : r.error().field + ": " + r.error().message);
  return r ? *r : std::string();
}

PayloadError error_of(const nlohmann::json& p) {
  auto r = render_json(p);
  EXPECT_FALSE(r);
  return r ? PayloadError{} : r.error();
}

RenderOptions generator(Generator g) {
  RenderOptions o;
  o.generator = g;
  return o;
}

TEST(Render, MatchesTheReconstructedProxySamples) {
  EXPECT_EQ(rendered(payload("alert.json")),
            read_data("samples/reconstructed-proxy-cap-alert.xml"));
  EXPECT_EQ(rendered(payload("cancel.json")),
            read_data("samples/reconstructed-proxy-cap-cancel.xml"));
  EXPECT_EQ(rendered(payload("test.json"), at_link_test_time()),
            read_data("samples/reconstructed-proxy-cap-linktest.xml"));
  EXPECT_EQ(rendered(payload("alert-welsh-ibag.json")),
            read_data("samples/reconstructed-proxy-ibag-alert.xml"));
  auto cancel = payload("cancel.json");
  cancel["message_format"] = "ibag";
  EXPECT_EQ(rendered(cancel), read_data("samples/reconstructed-proxy-ibag-cancel.xml"));
  auto test = payload("test.json");
  test["message_format"] = "IBAG";  // the proxy lower-cases the format
  EXPECT_EQ(rendered(test, at_link_test_time()),
            read_data("samples/reconstructed-proxy-ibag-linktest.xml"));
}

TEST(Render, ChannelsMapToEventCodesAndCategories) {
  struct Case {
    const char* channel;
    const char* event;
    const char* category;
  };
  for (auto c :
       {Case{"test", "RMT", "4380-CAT5-ENGLISH"}, Case{"operator", "OPR", "4382-CAT7-ENGLISH"},
        Case{"severe", "Alert", "4378-CAT3-ENGLISH"},
        Case{"government", "EAN", "4370-CAT1-ENGLISH"}}) {
    auto p = payload("alert-welsh-ibag.json");
    p["channel"] = c.channel;
    EXPECT_NE(rendered(p).find(std::string("<IBAG_channel_category>") + c.category + "<"),
              std::string::npos)
        << c.channel;
    p["message_format"] = "cap";
    p["language"] = "cy-GB";
    EXPECT_NE(rendered(p).find(std::string("<event>") + c.event + "</event>"), std::string::npos)
        << c.channel;
  }
}

TEST(Render, IbagLengthIsUtf8BytesAndCancelsReferenceTheLastMessage) {
  auto p = payload("alert-welsh-ibag.json");
  p["description"] = "dŵr";  // 3 characters, 4 bytes
  EXPECT_NE(rendered(p).find("<IBAG_text_alert_message_length>4<"), std::string::npos);

  auto cancel = payload("cancel-two-earlier-ibag.json");
  auto ibag = rendered(cancel);
  EXPECT_NE(ibag.find("<IBAG_referenced_message_number>0000007c<"), std::string::npos);
  EXPECT_EQ(ibag.find("0000007b"), std::string::npos);
  cancel["message_format"] = "cap";
  EXPECT_NE(rendered(cancel).find(
                "<references>broadcasts@notifications.service.gov.uk,aaaaaaaa-0000-4000-8000-"
                "000000000001,2021-02-15T10:00:00.000001Z broadcasts@notifications.service.gov.uk,"
                "bbbbbbbb-0000-4000-8000-000000000002,2021-02-15T11:00:00.654321Z</references>"),
            std::string::npos);
}

TEST(Render, EscapesTextAsLibxml2Does) {
  auto doc = rendered(payload("alert-operator-escapes.json"));
  EXPECT_NE(doc.find("<description>Flood &amp; storm &lt;warning&gt; \"now\"&#13;\nGo to high "
                     "ground</description>"),
            std::string::npos);
  EXPECT_NE(doc.find("<polygon>53.0,1e-05 53.0,0.5 53.5,0.5 53,1e-05</polygon>"),
            std::string::npos);
  EXPECT_NE(doc.find("<area><areaDesc>area-2</areaDesc><polygon>50,-3 50,-2.5 50.5,-2.5 50,-3"
                     "</polygon><polygon>51,-3 51,-2.5 51.5,-2.5 51,-3</polygon></area>"),
            std::string::npos);
}

TEST(Render, PythonFloatRepr) {
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(-1.2), "-1.2");
  EXPECT_EQ(python_float_repr(51.12), "51.12");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(-0.000015), "-1.5e-05");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(53.123456), "53.123456");
}

TEST(Render, LinkTestUsesTheInjectedClockToTheMinute) {
  RenderOptions o;
  o.now = sys_days{2024y / February / 29} + 23h + 59min + 59s;
  EXPECT_NE(rendered(payload("test.json"), o).find("<sent>2024-02-29T23:59:00+00:00</sent>"),
            std::string::npos);
}

TEST(Render, UpdateIsNotSent) {
  auto r = render_json(payload("update.json"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().not_sent);
  EXPECT_EQ(r.error().field, "message_type");
}

TEST(Render, BadPayloadsNameTheField) {
  auto p = payload("alert.json");
  p.erase("identifier");
  EXPECT_EQ(error_of(p).field, "identifier");

  p = payload("alert.json");
  p["message_type"] = "broadcast";
  EXPECT_EQ(error_of(p).field, "message_type");

  p = payload("alert.json");
  p["message_format"] = "xml";
  EXPECT_EQ(error_of(p).field, "message_format");

  p = payload("alert.json");
  p["channel"] = "Severe";  // the proxy compares channels as given
  EXPECT_EQ(error_of(p).field, "channel");

  p = payload("alert.json");
  p["areas"][0]["polygon"][1][0] = "51.12";
  EXPECT_EQ(error_of(p).field, "areas[0].polygon[1][0]");

  p = payload("alert.json");
  p["areas"][0]["polygon"][2] = nlohmann::json::array({1.0});
  EXPECT_EQ(error_of(p).field, "areas[0].polygon[2]");

  p = payload("alert.json");
  p["areas"][0].erase("polygon");
  EXPECT_EQ(error_of(p).field, "areas[0].polygon");

  p = payload("alert.json");
  p["language"] = "Welsh";
  EXPECT_EQ(error_of(p).field, "language");

  p = payload("alert.json");
  p["expires"] = 12;
  auto e = error_of(p);
  EXPECT_EQ(e.field, "expires");
  EXPECT_NE(e.message.find("a number"), std::string::npos);

  p = payload("alert.json");
  p["description"] = "bell\x07";
  EXPECT_EQ(error_of(p).field, "description");

  p = payload("alert-welsh-ibag.json");
  p["message_number"] = "0000007B";
  EXPECT_EQ(error_of(p).field, "message_number");
  p.erase("message_number");
  EXPECT_EQ(error_of(p).field, "message_number");

  p = payload("cancel.json");
  p["message_format"] = "ibag";
  p["references"] = nlohmann::json::array();
  EXPECT_EQ(error_of(p).field, "references");

  p = payload("cancel.json");
  p["references"][0].erase("sent");
  EXPECT_EQ(error_of(p).field, "references[0].sent");

  EXPECT_EQ(error_of(nlohmann::json::array()).field, "(payload)");
}

TEST(Render, TypedPayloadRendersWithoutJson) {
  Payload p;
  p.message_type = MessageType::alert;
  p.message_format = MessageFormat::cap;
  p.identifier = "id-1";
  p.headline = "GOV.UK Emergency Alert";
  p.description = "Test";
  p.sent = "2021-02-15T10:00:00-00:00";
  p.expires = "2021-02-15T14:00:00-00:00";
  p.language = std::string(language_value(infer_language(p.description), p.message_format));
  p.channel = Channel::government;
  Area area;
  area.polygons = {{{51, -1}, {51, 1}, {52, 1}, {51, -1}}};
  p.areas.push_back(area);
  p.web = "https://www.gov.uk/alerts";
  auto r = render(p, generator(Generator::emergency_alerts));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("<web>https://www.gov.uk/alerts</web><area>"), std::string::npos);
  EXPECT_NE(r->find("<polygon>51.0,-1.0 51.0,1.0 52.0,1.0 51.0,-1.0</polygon>"), std::string::npos);
  EXPECT_TRUE(validate_document(*r, {Profile::uk}).valid());
}

// A payload without the optional keys renders the same in both generators.
TEST(Render, GeneratorsAgreeWithoutTheOptionalKeys) {
  for (const char* name : {"alert.json", "cancel.json", "alert-welsh-ibag.json",
                           "cancel-two-earlier-ibag.json", "alert-operator-escapes.json"}) {
    auto p = payload(name);
    EXPECT_EQ(rendered(p, generator(Generator::emergency_alerts)),
              rendered(p, generator(Generator::notify_2023)))
        << name;
  }
  auto ea = at_link_test_time();
  ea.generator = Generator::emergency_alerts;
  EXPECT_EQ(rendered(payload("test.json"), ea),
            read_data("samples/reconstructed-proxy-cap-linktest.xml"));
}

// Golden files written from emergency-alerts-utils 8d681d6e's cap.py and ibag.py for one payload
// carrying every optional key, as CAP and as IBAG.
TEST(Render, EmergencyAlertsGeneratorMatchesTheGoldenFiles) {
  const auto ea = generator(Generator::emergency_alerts);
  auto alert = payload("alert-emergency-alerts.json");
  EXPECT_EQ(rendered(alert, ea), read_data("emergency-alerts/cap-alert.xml"));
  alert["message_format"] = "ibag";
  alert["message_number"] = "0000007b";
  alert["language"] = "English";
  EXPECT_EQ(rendered(alert, ea), read_data("emergency-alerts/ibag-alert.xml"));
  auto cancel = payload("cancel-emergency-alerts.json");
  EXPECT_EQ(rendered(cancel, ea), read_data("emergency-alerts/cap-cancel.xml"));
  cancel["message_format"] = "ibag";
  EXPECT_EQ(rendered(cancel, ea), read_data("emergency-alerts/ibag-cancel.xml"));
}

TEST(Render, Notify2023GeneratorIgnoresTheNewKeys) {
  auto alert = payload("alert-emergency-alerts.json");
  auto cap = rendered(alert);
  EXPECT_NE(cap.find("<sender>broadcasts@notifications.service.gov.uk</sender>"),
            std::string::npos);
  EXPECT_NE(cap.find("<senderName>GOV.UK Emergency Alerts</senderName>"), std::string::npos);
  EXPECT_EQ(cap.find("<web>"), std::string::npos);
  EXPECT_NE(cap.find("<areaDesc>area-1</areaDesc>"), std::string::npos);
  // Notify's payloads had "polygon"; it wins over "polygons" here.
  EXPECT_NE(cap.find("<areaDesc>area-2</areaDesc><polygon>52,1 52,1.5 52.5,1.5 52,1</polygon>"
                     "</area>"),
            std::string::npos);
  alert["message_format"] = "ibag";
  alert["message_number"] = "0000007b";
  alert["language"] = "English";
  auto ibag = rendered(alert);
  EXPECT_EQ(ibag.find("IBAG_geocode"), std::string::npos);
  EXPECT_NE(ibag.find("<IBAG_area_description>area-3</IBAG_area_description><IBAG_polygon>54.0,"
                      "-1.0 54.0,-0.5 54.5,-0.5 54.0,-1.0</IBAG_polygon>"),
            std::string::npos);
}

TEST(Render, EmergencyAlertsReadsEmptyValuesAsPythonDoes) {
  const auto ea = generator(Generator::emergency_alerts);
  auto p = payload("alert.json");
  p["sender"] = "";          // `sender or SENDER`
  p["sender_name"] = nullptr;  // event.get("sender_name") is None
  p["web"] = "";             // `if web:`
  p["areas"][0]["description"] = "";  // a.get("description", ...) keeps ""
  auto doc = rendered(p, ea);
  EXPECT_NE(doc.find("<sender>broadcasts@notifications.service.gov.uk</sender>"),
            std::string::npos);
  EXPECT_NE(doc.find("<senderName>GOV.UK Emergency Alerts</senderName>"), std::string::npos);
  EXPECT_EQ(doc.find("<web>"), std::string::npos);
  EXPECT_NE(doc.find("<area><areaDesc></areaDesc><polygon>"), std::string::npos);

  // `a.get("polygons") or [a["polygon"]]`: an empty "polygons" falls back to "polygon".
  p = payload("alert.json");
  p["areas"][0]["polygons"] = nlohmann::json::array();
  EXPECT_EQ(rendered(p, ea), read_data("samples/reconstructed-proxy-cap-alert.xml"));

  // IBAG reads only "polygon": an area without one is written with no IBAG_polygon, and an
  // empty one is skipped too; CAP still needs a polygon.
  p = payload("alert-welsh-ibag.json");
  p["areas"][0] = {{"polygons", nlohmann::json::array({p["areas"][0]["polygon"]})}};
  doc = rendered(p, ea);
  EXPECT_NE(doc.find("<IBAG_Alert_Area><IBAG_area_description>area-1</IBAG_area_description>"
                     "</IBAG_Alert_Area>"),
            std::string::npos);
  auto report = validate_document(doc, {Profile::uk});
  ASSERT_EQ(report.warning_count(), 1u);
  EXPECT_EQ(report.problems[0].rule, "ibag-area-without-polygon");
  EXPECT_TRUE(validate_document(doc, {Profile::oasis}).problems.empty());
  p["areas"][0] = {{"polygon", nlohmann::json::array()}};
  EXPECT_EQ(rendered(p, ea).find("IBAG_polygon"), std::string::npos);
  p["areas"][0] = nlohmann::json::object();
  EXPECT_TRUE(render_json(p, ea));
  EXPECT_EQ(render_json(p).error().field, "areas[0].polygon");
  p["message_format"] = "cap";
  p["language"] = "cy-GB";
  EXPECT_EQ(render_json(p, ea).error().field, "areas[0].polygon");
}

TEST(Render, NewKeysAreCheckedByName) {
  const auto ea = generator(Generator::emergency_alerts);
  auto p = payload("alert.json");
  p["sender"] = 7;
  EXPECT_EQ(error_of(p).field, "sender");
  p = payload("alert.json");
  p["areas"][0]["geocodes"] = {"E07000136", 9};
  EXPECT_EQ(error_of(p).field, "areas[0].geocodes[1]");
  p = payload("alert.json");
  p["areas"][0]["description"] = "bell\x07";
  auto r = render_json(p, ea);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "areas[0].description");
}

TEST(Render, GeneratorNames) {
  EXPECT_EQ(parse_generator("emergency-alerts"), Generator::emergency_alerts);
  EXPECT_EQ(parse_generator("notify-2023"), Generator::notify_2023);
  EXPECT_FALSE(parse_generator("notify"));
  EXPECT_EQ(to_string(Generator::emergency_alerts), "emergency-alerts");
}

}  // namespace
}  // namespace notify::broadcast
