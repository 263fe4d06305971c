#!/usr/bin/env python3
"""Derives the broken-document corpus from the samples and writes broken/verdicts.json.

Each case is one change to a sample, the profile to validate it with, the verdict our validator
must reach (valid or not, and the rules it must report) and what xmllint must say with the
matching schema. Re-run after changing a case: python3 make_broken.py
"""
import json
import pathlib

here = pathlib.Path(__file__).resolve().parent
samples = here / "samples"
out = here / "broken"

CAP_ALERT = "reconstructed-proxy-cap-alert.xml"
CAP_CANCEL = "reconstructed-proxy-cap-cancel.xml"
CAP_LINK = "reconstructed-proxy-cap-linktest.xml"
IBAG_ALERT = "reconstructed-proxy-ibag-alert.xml"
IBAG_CANCEL = "reconstructed-proxy-ibag-cancel.xml"
HAND = "handwritten-sample-cap.xml"
SQUARE = "51.12,-1.2 51.12,1.2 51.74,1.2 51.74,-1.2 51.12,-1.2"

cases = []


def case(name, base, edit, what, layer, rules, valid=False, profile="oasis", xmllint="invalid",
         severity="error"):
    text = (samples / base).read_text(encoding="utf-8") if base else ""
    data = edit(text)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (out / name).write_bytes(data)
    cases.append({"file": name, "base": base, "what": what, "layer": layer, "profile": profile,
                  "valid": valid, "rules": rules, "severity": severity, "xmllint": xmllint})


def swap(a, b):
    def edit(t):
        assert a in t and b in t, (a, b)
        return t.replace(a, "\0").replace(b, a).replace("\0", b)
    return edit


def sub(old, new):
    def edit(t):
        assert old in t, old
        return t.replace(old, new, 1)
    return edit


# ---- what the schemas check: xmllint and our schema layer must both reject ----
case("cap-order-status-before-sent.xml", CAP_ALERT,
     swap("<sent>2021-02-15T10:00:00-00:00</sent>", "<status>Actual</status>"),
     "<status> before <sent>", "schema", ["schema-unexpected-element"])
case("cap-missing-sender.xml", CAP_ALERT,
     sub("<sender>broadcasts@notifications.service.gov.uk</sender>", ""),
     "required <sender> missing", "schema", ["schema-unexpected-element"])
case("cap-missing-scope-last.xml", CAP_LINK, sub("<scope>Public</scope>", ""),
     "required <scope> missing at the end", "schema", ["schema-missing-element"])
case("cap-missing-certainty.xml", CAP_ALERT, sub("<certainty>Likely</certainty>", ""),
     "required <certainty> missing in <info>", "schema", ["schema-unexpected-element"])
case("cap-duplicate-sent.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>",
         "<sent>2021-02-15T10:00:00-00:00</sent><sent>2021-02-15T10:00:00-00:00</sent>"),
     "<sent> twice", "schema", ["schema-too-many"])
case("cap-references-before-scope.xml", CAP_CANCEL,
     lambda t: t.replace("<scope>Public</scope>", "").replace("</references>",
                                                               "</references><scope>Public</scope>"),
     "<references> before <scope> (the pitfall Notify's API documents)", "schema",
     ["schema-unexpected-element"])
case("cap-status-bad-enum.xml", CAP_ALERT, sub("<status>Actual</status>", "<status>Real</status>"),
     "status not in the enumeration", "schema", ["schema-enumeration"])
case("cap-status-padded.xml", CAP_ALERT, sub("<status>Actual</status>", "<status> Actual</status>"),
     "enumerations keep whitespace", "schema", ["schema-enumeration"])
case("cap-msgtype-bad-enum.xml", CAP_ALERT, sub("<msgType>Alert</msgType>", "<msgType>Warning</msgType>"),
     "msgType not in the enumeration", "schema", ["schema-enumeration"])
case("cap-category-bad-enum.xml", CAP_ALERT, sub("<category>Safety</category>", "<category>Weather</category>"),
     "category not in the enumeration", "schema", ["schema-enumeration"])
case("cap-sent-zulu.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>", "<sent>2021-02-15T10:00:00Z</sent>"),
     "sent with Z", "schema", ["schema-cap-datetime"])
case("cap-sent-fraction.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>", "<sent>2021-02-15T10:00:00.5-00:00</sent>"),
     "sent with a fraction of a second", "schema", ["schema-cap-datetime"])
case("cap-sent-no-zone.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>", "<sent>2021-02-15T10:00:00</sent>"),
     "sent without an offset", "schema", ["schema-cap-datetime"])
case("cap-sent-month-13.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>", "<sent>2021-13-15T10:00:00-00:00</sent>"),
     "sent in month 13", "schema", ["schema-cap-datetime"])
case("cap-sent-feb-30.xml", CAP_ALERT,
     sub("<sent>2021-02-15T10:00:00-00:00</sent>", "<sent>2021-02-30T10:00:00-00:00</sent>"),
     "sent on 30 February", "schema", ["schema-cap-datetime"])
case("cap-expires-zulu.xml", CAP_ALERT,
     sub("<expires>2021-02-15T14:00:00-00:00</expires>", "<expires>2021-02-15T14:00:00Z</expires>"),
     "expires with Z", "schema", ["schema-cap-datetime"])
case("cap-language-underscore.xml", CAP_ALERT, sub("<language>en-GB</language>", "<language>en_GB</language>"),
     "language not an xs:language", "schema", ["schema-language"])
case("cap-attribute.xml", CAP_ALERT,
     sub('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
         '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" version="1.2">'),
     "an attribute the schema does not declare", "schema", ["schema-attribute"])
case("cap-text-in-alert.xml", CAP_LINK, sub("<scope>Public</scope>", "<scope>Public</scope>stray text"),
     "text directly inside <alert>", "schema", ["schema-text-not-allowed"])
case("cap-element-in-description.xml", CAP_ALERT,
     sub("  description\nwith\nnewlines", "Flood <b>warning</b>"),
     "markup inside <description>", "schema", ["schema-element-not-allowed"])
case("cap-info-other-namespace.xml", CAP_ALERT, sub("<info>", '<info xmlns="urn:example:other">'),
     "<info> in another namespace", "schema", ["schema-unexpected-element"])
case("cap-altitude-not-decimal.xml", HAND, sub("<altitude>0</altitude>", "<altitude>sea level</altitude>"),
     "altitude not a decimal", "schema", ["schema-decimal"])
case("cap-size-not-integer.xml", HAND, sub("<size>1024</size>", "<size>1kB</size>"),
     "resource size not an integer", "schema", ["schema-integer"])
case("ibag-number-7-digits.xml", IBAG_ALERT,
     sub("<IBAG_message_number>00000074</IBAG_message_number>",
         "<IBAG_message_number>0000074</IBAG_message_number>"),
     "message number of 7 hex digits", "schema", ["schema-hex-binary-4"])
case("ibag-number-not-hex.xml", IBAG_ALERT,
     sub("<IBAG_message_number>00000074</IBAG_message_number>",
         "<IBAG_message_number>0000007g</IBAG_message_number>"),
     "message number with a non-hex digit", "schema", ["schema-hex-binary-4"])
case("ibag-language-cap-style.xml", IBAG_ALERT,
     sub("<IBAG_text_language>Welsh</IBAG_text_language>", "<IBAG_text_language>cy-GB</IBAG_text_language>"),
     "IBAG given CAP's language value", "schema", ["schema-enumeration"])
case("ibag-order-sender-first.xml", IBAG_ALERT,
     swap("<IBAG_message_number>00000074</IBAG_message_number>",
          "<IBAG_sender>broadcasts@notifications.service.gov.uk</IBAG_sender>"),
     "IBAG_sender before IBAG_message_number", "schema", ["schema-unexpected-element"])
case("ibag-missing-channel-category.xml", IBAG_ALERT,
     sub("<IBAG_channel_category>4378-CAT3-ENGLISH</IBAG_channel_category>", ""),
     "required IBAG_channel_category missing", "schema", ["schema-unexpected-element"])
case("ibag-severity-bad-enum.xml", IBAG_ALERT,
     sub("<IBAG_severity>Severe</IBAG_severity>", "<IBAG_severity>Moderate</IBAG_severity>"),
     "IBAG severity outside its two values", "schema", ["schema-enumeration"])
case("ibag-sent-space.xml", IBAG_ALERT,
     sub("<IBAG_sent_date_time>2021-02-15T10:00:00-00:00</IBAG_sent_date_time>",
         "<IBAG_sent_date_time>2021-02-15 10:00:00</IBAG_sent_date_time>"),
     "IBAG sent time with a space for T", "schema", ["schema-datetime"])
case("ibag-event-code-bad-enum.xml", IBAG_ALERT,
     sub("<IBAG_event_code>LAE</IBAG_event_code>", "<IBAG_event_code>FLD</IBAG_event_code>"),
     "IBAG event code outside the enumeration", "schema", ["schema-enumeration"])
case("ibag-text-in-signature.xml", IBAG_ALERT,
     sub("<IBAG_Digital_Signature></IBAG_Digital_Signature>",
         "<IBAG_Digital_Signature>unsigned</IBAG_Digital_Signature>"),
     "text inside IBAG_Digital_Signature", "schema", ["schema-text-not-allowed"])

# ---- not well formed, not CAP/IBAG: both must reject ----
case("xml-truncated.xml", CAP_ALERT, lambda t: t[: len(t) // 2],
     "document cut in half", "xml", ["xml-not-well-formed"])
case("xml-mismatched-tag.xml", CAP_ALERT, sub("</headline>", "</headlin>"),
     "end tag does not match", "xml", ["xml-not-well-formed"])
case("xml-two-roots.xml", CAP_LINK, lambda t: t + t, "two root elements", "xml",
     ["xml-not-well-formed"])
case("xml-undefined-entity.xml", CAP_ALERT, sub("newlines", "newlines&nbsp;"),
     "an HTML entity XML does not define", "xml", ["xml-entity"])
case("xml-invalid-utf8.xml", CAP_ALERT, lambda t: t.encode("utf-8").replace(b"newlines", b"new\xc3\x28lines"),
     "a byte sequence that is not UTF-8", "xml", ["xml-encoding"])
case("xml-control-character.xml", CAP_ALERT, sub("newlines", "new\x01lines"),
     "U+0001 in text", "xml", ["xml-character"])
case("not-xml-text.xml", None, lambda t: "This is a plain text message, not XML.\n",
     "plain text", "xml", ["not-xml"])
case("wrong-root-atom.xml", None,
     lambda t: '<feed xmlns="http://www.w3.org/2005/Atom"><title>alerts</title></feed>',
     "an Atom feed", "xml", ["not-cap-or-ibag"])
case("wrong-root-no-namespace.xml", CAP_LINK,
     sub(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ""),
     "<alert> without the CAP namespace", "xml", ["not-cap-or-ibag"])
case("xml-deep-nesting.xml", CAP_ALERT,
     sub("  description\nwith\nnewlines", "<x>" * 5000 + "</x>" * 5000),
     "5,000 nested elements", "xml", ["xml-too-deep"])

# ---- safety: ours refuses any DOCTYPE by policy; xmllint's verdict is recorded (it refuses the
# entity loop and the external entity, and accepts a DOCTYPE that declares nothing) ----
# A document over the size bound is generated by the unit tests instead of stored here.
laughs = ('<!DOCTYPE alert [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
          '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
          '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>')
case("safety-entity-expansion.xml", CAP_ALERT,
     lambda t: laughs + t.replace("newlines", "newlines&h;"),
     "a DOCTYPE defining nested entities (billion laughs)", "safety", ["xml-doctype"])
case("safety-external-entity.xml", CAP_ALERT,
     lambda t: '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
     + t.replace("newlines", "newlines&x;"),
     "a DOCTYPE with an external entity", "safety", ["xml-doctype"])
case("safety-doctype-only.xml", CAP_LINK, lambda t: "<!DOCTYPE alert>" + t,
     "a harmless DOCTYPE, refused all the same", "safety", ["xml-doctype"], xmllint="valid")

# ---- what the schemas cannot check: xmllint accepts, our semantic layer must not ----
case("polygon-open.xml", CAP_ALERT, sub(SQUARE, "51.12,-1.2 51.12,1.2 51.74,1.2 51.74,-1.2 51.13,-1.2"),
     "last point differs from the first", "semantic", ["polygon-closed"], xmllint="valid")
case("polygon-three-points.xml", CAP_ALERT, sub(SQUARE, "51.12,-1.2 51.12,1.2 51.12,-1.2"),
     "a polygon of three points", "semantic", ["polygon-points"], xmllint="valid")
case("polygon-out-of-range.xml", CAP_ALERT, sub(SQUARE, "51.12,-1.2 95.12,1.2 51.74,1.2 51.74,-1.2 51.12,-1.2"),
     "latitude 95", "semantic", ["coordinate-range"], xmllint="valid")
case("polygon-bad-syntax.xml", CAP_ALERT, sub(SQUARE, "51.12;-1.2 51.12;1.2 51.74;1.2 51.74;-1.2 51.12;-1.2"),
     "points written lat;lon", "semantic", ["polygon-syntax"], xmllint="valid")
case("ibag-polygon-open.xml", IBAG_ALERT, sub(SQUARE, "51.12,-1.2 51.12,1.2 51.74,1.2 51.74,-1.2"),
     "an open IBAG polygon", "semantic", ["polygon-closed"], xmllint="valid")
# shapely's Polygon.is_valid, as Emergency Alerts' functional tests require of every polygon.
case("polygon-bowtie-uk.xml", CAP_ALERT,
     sub(SQUARE, "51.12,-1.2 51.74,1.2 51.12,1.2 51.74,-1.2 51.12,-1.2"),
     "a bow-tie polygon whose edges cross", "semantic", ["polygon-self-intersection"],
     profile="uk", xmllint="valid")
case("polygon-bowtie-oasis.xml", CAP_ALERT,
     sub(SQUARE, "51.12,-1.2 51.74,1.2 51.12,1.2 51.74,-1.2 51.12,-1.2"),
     "a bow-tie polygon: CAP's text does not forbid it, so only a warning", "semantic",
     ["polygon-self-intersection"], valid=True, severity="warning", xmllint="valid")
case("polygon-touches-itself-uk.xml", CAP_ALERT,
     sub(SQUARE, "51.0,-1.0 51.0,1.0 52.0,1.0 51.0,0.0 52.0,-1.0 51.0,-1.0"),
     "a ring whose corner touches its first edge", "semantic", ["polygon-self-intersection"],
     profile="uk", xmllint="valid")
case("polygon-spike-uk.xml", CAP_ALERT,
     sub(SQUARE, "51.12,-1.2 51.12,1.2 51.12,0.5 51.74,1.2 51.74,-1.2 51.12,-1.2"),
     "an edge that folds back over the one before it", "semantic",
     ["polygon-self-intersection"], profile="uk", xmllint="valid")
case("polygon-collapsed-uk.xml", CAP_ALERT,
     sub(SQUARE, "51.12,-1.2 51.12,1.2 51.12,1.2 51.12,-1.2"),
     "four points but only two distinct corners", "semantic", ["polygon-self-intersection"],
     profile="uk", xmllint="valid")
case("polygon-open-uk.xml", CAP_ALERT,
     sub(SQUARE, "51.12,-1.2 51.12,1.2 51.74,1.2 51.74,-1.2 51.13,-1.2"),
     "a ring that is not closed, under the uk profile", "semantic", ["polygon-closed"],
     profile="uk", xmllint="valid")
case("ibag-polygon-bowtie-uk.xml", IBAG_ALERT,
     sub(SQUARE, "51.12,-1.2 51.74,1.2 51.12,1.2 51.74,-1.2 51.12,-1.2"),
     "a bow-tie IBAG polygon", "semantic", ["polygon-self-intersection"], profile="uk",
     xmllint="valid")
case("references-dangling.xml", CAP_CANCEL,
     sub(",2021-02-15T10:00:00.123456Z", ""),
     "a reference without its sent part", "semantic", ["references-format"], xmllint="valid")
case("references-bad-time.xml", CAP_CANCEL, sub("2021-02-15T10:00:00.123456Z", "yesterday"),
     "a reference whose sent part is not a time", "semantic", ["references-format"], xmllint="valid")
case("cancel-without-references.xml", CAP_CANCEL,
     lambda t: t[: t.index("<references>")] + "</alert>",
     "a Cancel without <references>", "semantic", ["references-required"], profile="uk",
     xmllint="valid")
case("cancel-without-references-oasis.xml", CAP_CANCEL,
     lambda t: t[: t.index("<references>")] + "</alert>",
     "the same under OASIS: a warning", "semantic", ["references-required"], valid=True,
     severity="warning", xmllint="valid")
case("update-without-references.xml", HAND, lambda t: t[: t.index("  <references>")] + t[t.index("  <info>"):],
     "an Update without <references>", "semantic", ["references-required"], profile="google",
     xmllint="valid")
case("expires-before-sent.xml", CAP_ALERT,
     sub("<expires>2021-02-15T14:00:00-00:00</expires>", "<expires>2021-02-15T09:00:00-00:00</expires>"),
     "expires an hour before sent", "semantic", ["expires-after-sent"], xmllint="valid")
case("english-with-welsh.xml", CAP_ALERT, sub("newlines", "newlines ŵ"),
     "en-GB text with a Welsh non-GSM character", "semantic", ["language-text"], profile="uk",
     xmllint="valid")
case("ibag-english-with-welsh.xml", IBAG_ALERT,
     sub("<IBAG_text_language>Welsh</IBAG_text_language>", "<IBAG_text_language>English</IBAG_text_language>"),
     "IBAG English with a Welsh non-GSM character", "semantic", ["language-text"], profile="uk",
     xmllint="valid")
case("ibag-length-wrong.xml", IBAG_ALERT,
     sub("<IBAG_text_alert_message_length>30</IBAG_text_alert_message_length>",
         "<IBAG_text_alert_message_length>29</IBAG_text_alert_message_length>"),
     "length counts characters, not UTF-8 bytes", "semantic", ["ibag-message-length"],
     xmllint="valid")
case("ibag-number-uppercase.xml", IBAG_ALERT,
     sub("<IBAG_message_number>00000074</IBAG_message_number>",
         "<IBAG_message_number>0000007B</IBAG_message_number>"),
     "upper-case hex, which Notify never writes", "semantic", ["ibag-message-number-case"],
     profile="uk", xmllint="valid")
case("ibag-cancel-without-reference.xml", IBAG_CANCEL,
     sub("<IBAG_referenced_message_number>00000074</IBAG_referenced_message_number>", ""),
     "IBAG Cancel without the referenced number", "semantic", ["references-required"],
     profile="uk", xmllint="valid")
case("identifier-with-space.xml", CAP_ALERT,
     sub("2b5b1e0a-6a49-4b0e-9d8a-3f6c2f1e9a01", "2b5b1e0a 6a49"),
     "a space in <identifier>", "semantic", ["identifier-characters"], xmllint="valid")
case("ceiling-without-altitude.xml", HAND, sub("<altitude>0</altitude>", ""),
     "<ceiling> without <altitude>", "semantic", ["ceiling-without-altitude"], xmllint="valid")
case("circle-without-radius.xml", HAND, sub("<circle>51.5,-0.12 5.0</circle>", "<circle>51.5,-0.12</circle>"),
     "a circle without its radius", "semantic", ["circle-syntax"], xmllint="valid")
case("google-web-required.xml", CAP_ALERT, lambda t: t,
     "the proxy's alert has no <web>, which Google's profile requires", "semantic",
     ["google-web-required"], profile="google", xmllint="valid")
case("google-references-microseconds.xml", HAND,
     sub("harness-sample-0000,2024-03-01T09:00:00-00:00", "harness-sample-0000,2024-03-01T09:00:00.123456Z"),
     "Notify's real reference timestamps: a Google-profile warning", "semantic",
     ["references-timestamp"], valid=True, profile="google", severity="warning", xmllint="valid")

(out / "verdicts.json").write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
print(f"{len(cases)} cases written to {out}")
