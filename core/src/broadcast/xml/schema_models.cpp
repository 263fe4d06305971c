// CAP-v1.2.xsd (OASIS, 2010) and ibag10.xsd (emergency-alerts-utils tests/xml) transcribed. Keep
// the order and bounds exactly as in the schemas: the conformance test checks our verdicts against
// xmllint with those files.
#include "schema_models.hpp"

#include "validator_internal.hpp"

#include <array>

namespace notify::broadcast::detail {
namespace {

using V = ValueType;

constexpr ElementModel kString{V::string};
constexpr ElementModel kCapDateTime{V::cap_datetime};
constexpr ElementModel kDateTime{V::datetime};
constexpr ElementModel kLanguage{V::language};
constexpr ElementModel kAnyUri{V::any_uri};
constexpr ElementModel kInteger{V::integer};
constexpr ElementModel kInt{V::int32};
constexpr ElementModel kDecimal{V::decimal};
constexpr ElementModel kHex4{V::hex_binary_4};

constexpr ElementModel enumeration(std::span<const std::string_view> values) {
  return ElementModel{V::enumeration, values, {}, {}};
}
constexpr ElementModel sequence(std::span<const Particle> particles,
                                std::string_view wildcard = {}) {
  return ElementModel{V::complex, {}, particles, wildcard};
}

// ---- CAP 1.2 ----

constexpr std::array<std::string_view, 5> kStatus{"Actual", "Exercise", "System", "Test", "Draft"};
constexpr std::array<std::string_view, 5> kMsgType{"Alert", "Update", "Cancel", "Ack", "Error"};
constexpr std::array<std::string_view, 3> kScope{"Public", "Restricted", "Private"};
constexpr std::array<std::string_view, 12> kCategory{"Geo",       "Met",   "Safety", "Security",
                                                     "Rescue",    "Fire",  "Health", "Env",
                                                     "Transport", "Infra", "CBRNE",  "Other"};
constexpr std::array<std::string_view, 9> kResponseType{
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"};
constexpr std::array<std::string_view, 5> kUrgency{"Immediate", "Expected", "Future", "Past",
                                                   "Unknown"};
constexpr std::array<std::string_view, 5> kSeverity{"Extreme", "Severe", "Moderate", "Minor",
                                                    "Unknown"};
constexpr std::array<std::string_view, 5> kCertainty{"Observed", "Likely", "Possible", "Unlikely",
                                                     "Unknown"};

constexpr ElementModel kStatusModel = enumeration(kStatus);
constexpr ElementModel kMsgTypeModel = enumeration(kMsgType);
constexpr ElementModel kScopeModel = enumeration(kScope);
constexpr ElementModel kCategoryModel = enumeration(kCategory);
constexpr ElementModel kResponseTypeModel = enumeration(kResponseType);
constexpr ElementModel kUrgencyModel = enumeration(kUrgency);
constexpr ElementModel kSeverityModel = enumeration(kSeverity);
constexpr ElementModel kCertaintyModel = enumeration(kCertainty);

constexpr std::array<Particle, 2> kValuePair{
    {{"valueName", 1, 1, &kString}, {"value", 1, 1, &kString}}};
constexpr ElementModel kValuePairModel = sequence(kValuePair);

constexpr std::array<Particle, 6> kResource{{{"resourceDesc", 1, 1, &kString},
                                             {"mimeType", 1, 1, &kString},
                                             {"size", 0, 1, &kInteger},
                                             {"uri", 0, 1, &kAnyUri},
                                             {"derefUri", 0, 1, &kString},
                                             {"digest", 0, 1, &kString}}};
constexpr ElementModel kResourceModel = sequence(kResource);

constexpr std::array<Particle, 6> kArea{{{"areaDesc", 1, 1, &kString},
                                         {"polygon", 0, kUnbounded, &kString},
                                         {"circle", 0, kUnbounded, &kString},
                                         {"geocode", 0, kUnbounded, &kValuePairModel},
                                         {"altitude", 0, 1, &kDecimal},
                                         {"ceiling", 0, 1, &kDecimal}}};
constexpr ElementModel kAreaModel = sequence(kArea);

constexpr std::array<Particle, 21> kInfo{{{"language", 0, 1, &kLanguage},
                                          {"category", 1, kUnbounded, &kCategoryModel},
                                          {"event", 1, 1, &kString},
                                          {"responseType", 0, kUnbounded, &kResponseTypeModel},
                                          {"urgency", 1, 1, &kUrgencyModel},
                                          {"severity", 1, 1, &kSeverityModel},
                                          {"certainty", 1, 1, &kCertaintyModel},
                                          {"audience", 0, 1, &kString},
                                          {"eventCode", 0, kUnbounded, &kValuePairModel},
                                          {"effective", 0, 1, &kCapDateTime},
                                          {"onset", 0, 1, &kCapDateTime},
                                          {"expires", 0, 1, &kCapDateTime},
                                          {"senderName", 0, 1, &kString},
                                          {"headline", 0, 1, &kString},
                                          {"description", 0, 1, &kString},
                                          {"instruction", 0, 1, &kString},
                                          {"web", 0, 1, &kAnyUri},
                                          {"contact", 0, 1, &kString},
                                          {"parameter", 0, kUnbounded, &kValuePairModel},
                                          {"resource", 0, kUnbounded, &kResourceModel},
                                          {"area", 0, kUnbounded, &kAreaModel}}};
constexpr ElementModel kInfoModel = sequence(kInfo);

constexpr std::array<Particle, 14> kAlert{{{"identifier", 1, 1, &kString},
                                           {"sender", 1, 1, &kString},
                                           {"sent", 1, 1, &kCapDateTime},
                                           {"status", 1, 1, &kStatusModel},
                                           {"msgType", 1, 1, &kMsgTypeModel},
                                           {"source", 0, 1, &kString},
                                           {"scope", 1, 1, &kScopeModel},
                                           {"restriction", 0, 1, &kString},
                                           {"addresses", 0, 1, &kString},
                                           {"code", 0, kUnbounded, &kString},
                                           {"note", 0, 1, &kString},
                                           {"references", 0, 1, &kString},
                                           {"incidents", 0, 1, &kString},
                                           {"info", 0, kUnbounded, &kInfoModel}}};
// Then any number of elements from the XML-DSig namespace: an enveloped ds:Signature.
constexpr ElementModel kAlertModel = sequence(kAlert, kXmldsigNamespace);
constexpr Particle kAlertParticle{"alert", 1, 1, &kAlertModel};

// ---- IBAG ----

constexpr std::array<std::string_view, 3> kIbagStatus{"Actual", "System", "Network Test"};
constexpr std::array<std::string_view, 11> kIbagMessageType{"Alert",
                                                            "Update",
                                                            "Cancel",
                                                            "Ack",
                                                            "Error",
                                                            "RMT",
                                                            "Link Test",
                                                            "Transmission Control - Cease",
                                                            "Transmission Control - Resume",
                                                            "Report",
                                                            "EMS"};
constexpr std::array<std::string_view, 3> kNetworkType3{"GSM", "UMTS", "LTE"};
constexpr std::array<std::string_view, 2> kNetworkType2{"GSM", "UMTS"};
constexpr std::array<std::string_view, 3> kPriority{"High Priority", "Normal", "Background"};
constexpr std::array<std::string_view, 28> kEventCode{
    "CDW", "CEM", "EVI", "HMW", "LEW", "LAE", "NUW", "RHW", "SPW", "AVW",
    "BZW", "CAE", "CFW", "DSW", "EQW", "FRW", "FFW", "FLW", "HWW", "HUW",
    "SVR", "SMW", "TOR", "TRW", "TSW", "VOW", "WSW", "RMT"};
constexpr std::array<std::string_view, 8> kIbagResponseType{
    "Shelter", "Evacuate", "Prepare", "Execute", "Monitor", "Avoid", "Assess", "None"};
constexpr std::array<std::string_view, 2> kIbagSeverity{"Extreme", "Severe"};
constexpr std::array<std::string_view, 2> kIbagUrgency{"Immediate", "Expected"};
constexpr std::array<std::string_view, 2> kIbagCertainty{"Observed", "Likely"};
constexpr std::array<std::string_view, 10> kTextLanguage{
    "English", "Spanish", "French",    "Dutch", "Chinese",
    "Korean",  "Thai",    "Mongolian", "Khmer", "Welsh"};
constexpr std::array<std::string_view, 4> kCoordinateSystem{"WGS-84", "UTM", "NAD-27", "NAD-83"};

constexpr ElementModel kIbagStatusModel = enumeration(kIbagStatus);
constexpr ElementModel kIbagMessageTypeModel = enumeration(kIbagMessageType);
constexpr ElementModel kNetworkType3Model = enumeration(kNetworkType3);
constexpr ElementModel kNetworkType2Model = enumeration(kNetworkType2);
constexpr ElementModel kPriorityModel = enumeration(kPriority);
constexpr ElementModel kIbagCategoryModel = enumeration(kCategory);
constexpr ElementModel kEventCodeModel = enumeration(kEventCode);
constexpr ElementModel kIbagResponseTypeModel = enumeration(kIbagResponseType);
constexpr ElementModel kIbagSeverityModel = enumeration(kIbagSeverity);
constexpr ElementModel kIbagUrgencyModel = enumeration(kIbagUrgency);
constexpr ElementModel kIbagCertaintyModel = enumeration(kIbagCertainty);
constexpr ElementModel kTextLanguageModel = enumeration(kTextLanguage);
constexpr ElementModel kCoordinateSystemModel = enumeration(kCoordinateSystem);

constexpr std::array<Particle, 8> kStatusReport{
    {{"IBAG_network_type", 1, 1, &kNetworkType3Model},
     {"IBAG_cell_count", 1, 1, &kInt},
     {"IBAG_cell_broadcast_info_count", 1, 1, &kInt},
     {"IBAG_cell_broadcast_percentage", 1, 1, &kInt},
     {"IBAG_cell_nobroadcast_percentage", 1, 1, &kInt},
     {"IBAG_cell_broadcast_info_unknown_percentage", 1, 1, &kInt},
     {"IBAG_cell_broadcast_info_unavailable_percentage", 1, 1, &kInt},
     {"IBAG_broadcast_count", 1, 1, &kInt}}};
constexpr ElementModel kStatusReportModel = sequence(kStatusReport);

constexpr std::array<Particle, 6> kCellList{{{"IBAG_network_type", 1, 1, &kNetworkType2Model},
                                             {"IBAG_network_element_identifier", 1, 1, &kString},
                                             {"IBAG_region_identifier", 1, 1, &kString},
                                             {"IBAG_mobile_country_code", 1, 1, &kString},
                                             {"IBAG_mobile_network_code", 1, 1, &kString},
                                             {"IBAG_cell_identifier", 1, kUnbounded, &kString}}};
constexpr ElementModel kCellListModel = sequence(kCellList);

constexpr std::array<Particle, 4> kLteCellList{{{"IBAG_enb_identifier", 1, 1, &kString},
                                                {"IBAG_mobile_country_code", 1, 1, &kString},
                                                {"IBAG_mobile_network_code", 1, 1, &kString},
                                                {"IBAG_cell_identifier", 1, kUnbounded, &kString}}};
constexpr ElementModel kLteCellListModel = sequence(kLteCellList);

constexpr std::array<Particle, 7> kIbagArea{
    {{"IBAG_area_description", 1, 1, &kString},
     {"IBAG_utm_zone", 0, 1, &kString},
     {"IBAG_polygon", 0, kUnbounded, &kString},
     {"IBAG_circle", 0, kUnbounded, &kString},
     {"IBAG_geocode", 0, kUnbounded, &kString},
     {"IBAG_cell_list", 0, kUnbounded, &kCellListModel},
     {"IBAG_lte_cell_list", 0, kUnbounded, &kLteCellListModel}}};
constexpr ElementModel kIbagAreaModel = sequence(kIbagArea);

constexpr std::array<Particle, 20> kAlertInfo{
    {{"IBAG_priority", 0, 1, &kPriorityModel},
     {"IBAG_category", 1, 1, &kIbagCategoryModel},
     {"IBAG_event_code", 1, 1, &kEventCodeModel},
     {"IBAG_response_type", 0, 1, &kIbagResponseTypeModel},
     {"IBAG_severity", 1, 1, &kIbagSeverityModel},
     {"IBAG_urgency", 1, 1, &kIbagUrgencyModel},
     {"IBAG_certainty", 1, 1, &kIbagCertaintyModel},
     {"IBAG_expires_date_time", 0, 1, &kDateTime},
     {"IBAG_sender_name", 0, 1, &kString},
     {"IBAG_text_language", 0, 1, &kTextLanguageModel},
     {"IBAG_text_alert_message_length", 0, 1, &kInteger},
     {"IBAG_text_alert_message", 0, 1, &kString},
     {"IBAG_channel_category", 1, 1, &kString},
     {"IBAG_gsm_repetition_period", 0, 1, &kInt},
     {"IBAG_umts_repetition_period", 0, 1, &kInt},
     {"IBAG_lte_repetition_period", 0, 1, &kInt},
     {"IBAG_broadcast_count", 0, 1, &kInt},
     {"IBAG_coordinate_system", 0, 1, &kCoordinateSystemModel},
     {"IBAG_etwsExtension", 0, 1, &kInt},
     {"IBAG_Alert_Area", 0, kUnbounded, &kIbagAreaModel}}};
constexpr ElementModel kAlertInfoModel = sequence(kAlertInfo);

// The signature wrapper holds anything (an enveloped ds:Signature), checked by nobody.
constexpr ElementModel kSignatureModel = sequence({}, "##any");

constexpr std::array<Particle, 17> kIbagRoot{
    {{"IBAG_protocol_version", 1, 1, &kString},
     {"IBAG_sending_gateway_id", 1, 1, &kAnyUri},
     {"IBAG_message_number", 1, 1, &kHex4},
     {"IBAG_referenced_message_number", 0, 1, &kHex4},
     {"IBAG_referenced_message_cap_identifier", 0, 1, &kString},
     {"IBAG_sender", 0, 1, &kString},
     {"IBAG_sent_date_time", 1, 1, &kDateTime},
     {"IBAG_status", 1, 1, &kIbagStatusModel},
     {"IBAG_message_type", 1, 1, &kIbagMessageTypeModel},
     {"IBAG_status_report", 0, 2, &kStatusReportModel},
     {"IBAG_response_code", 0, kUnbounded, &kString},
     {"IBAG_note", 0, kUnbounded, &kString},
     {"IBAG_cap_alert_uri", 0, 1, &kAnyUri},
     {"IBAG_cap_identifier", 0, 1, &kString},
     {"IBAG_cap_sent_date_time", 0, 1, &kDateTime},
     {"IBAG_alert_info", 0, 1, &kAlertInfoModel},
     {"IBAG_Digital_Signature", 0, 1, &kSignatureModel}}};
constexpr ElementModel kIbagRootModel = sequence(kIbagRoot);
constexpr Particle kIbagRootParticle{"IBAG_Alert_Attributes", 1, 1, &kIbagRootModel};

}  // namespace

const Particle& cap_alert_particle() noexcept { return kAlertParticle; }
const Particle& ibag_root_particle() noexcept { return kIbagRootParticle; }

}  // namespace notify::broadcast::detail
