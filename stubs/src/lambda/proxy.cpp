// The proxy functions: what the UK CBC proxy Lambda does with Notify's payload, modelled. It
// checks the payload, renders CAP 1.2 or IBAG as the proxy does, and posts the document to its
// operator's CBC: through its own AZ's path (Notify's payload), or, when the payload carries
// "cbc_target" (Emergency Alerts since 031953fbf), through the endpoint it names: "cbc_a" is the
// first AZ path's endpoint, "cbc_b" the second's, whichever Lambda is asked. A connection failure
// is the CBCNewConnectionError Notify's failover rule was first written for; an Error from the CBC
// is a CBCRejectedError carrying the CBC's reason. The lambda.tamper_document fault changes the
// signed document on its way out, the way a signature exists to catch.
#include "core.hpp"

#include "notify/broadcast/render.hpp"
#include "notify/outcome/errc.hpp"
#include "notify/stubs/cbc.hpp"

#include <pugixml.hpp>

namespace notify::stubs::lambda {

namespace {

// The CBC's answer: its code and note (CAP <code>/<note>, IBAG IBAG_response_code/IBAG_note),
// and whether it is an Ack.
struct CbcVerdict {
  bool ack = false;
  std::string code, note;
};

CbcVerdict read_cbc_answer(const transport::Response& r) {
  CbcVerdict v;
  pugi::xml_document doc;
  if (!doc.load_buffer(r.body.data(), r.body.size())) {
    v.code = "HTTP " + std::to_string(r.status);
    v.note = "the CBC's answer was not XML";
    return v;
  }
  auto root = doc.document_element();
  std::string type = root.child_value("msgType");
  if (type.empty()) type = root.child_value("IBAG_message_type");
  v.code = root.child_value("code");
  if (v.code.empty()) v.code = root.child_value("IBAG_response_code");
  v.note = root.child_value("note");
  if (v.note.empty()) v.note = root.child_value("IBAG_note");
  v.ack = r.status / 100 == 2 && type == "Ack";
  return v;
}

std::string operation_of(broadcast::MessageType t) {
  switch (t) {
    case broadcast::MessageType::alert:
      return "Alert";
    case broadcast::MessageType::cancel:
      return "Cancel";
    case broadcast::MessageType::test:
      return "Test";
    case broadcast::MessageType::update:
      return "Update";
  }
  return "Submit";
}

// One character of `text` (an element's raw content, entity references included) changed in
// place: the first digit to the next, else the first ASCII letter to the other case. Entity
// references (&amp; and the like) are skipped whole so the XML stays well-formed; bytes of
// multibyte UTF-8 characters are never ASCII letters or digits, so they are left alone.
bool tamper_text(char* text, std::size_t size) {
  auto each = [&](auto&& pick) {
    for (std::size_t i = 0; i < size; ++i) {
      if (text[i] == '&') {
        while (i < size && text[i] != ';') ++i;
        continue;
      }
      if (pick(text[i])) return true;
    }
    return false;
  };
  if (each([](char& c) {
        if (c < '0' || c > '9') return false;
        c = c == '9' ? '0' : static_cast<char>(c + 1);
        return true;
      }))
    return true;
  return each([](char& c) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
      return true;
    }
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
      return true;
    }
    return false;
  });
}

}  // namespace

bool tamper_document(std::string& document) {
  // The alert's text first, as someone altering a warning would; the key fields when there is
  // none (a cancel, a link test). A CAP document has no IBAG elements and the reverse.
  for (std::string_view name :
       {"description", "IBAG_text_alert_message", "identifier", "IBAG_message_number"}) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    const auto begin = document.find(open);
    if (begin == std::string::npos) continue;
    const auto start = begin + open.size();
    const auto end = document.find(close, start);
    if (end == std::string::npos) continue;
    if (tamper_text(document.data() + start, end - start)) return true;
  }
  return false;
}

void run_proxy(StubServices& services, const LambdaOptions& options, const Function& fn,
               const nlohmann::json& payload, std::uint64_t parent, const std::string& request_id,
               bool tamper, std::function<void(StubAnswer)> done) {
  auto parsed = broadcast::parse_payload(payload);
  if (!parsed) {
    const auto& e = parsed.error();
    const bool missing = e.message.find("missing") != std::string::npos;
    done(function_error(missing ? "KeyError" : "ValueError", e.field + ": " + e.message,
                        request_id));
    return;
  }
  const bool ibag = cbc_takes_ibag(fn.op);
  if ((parsed->message_format == broadcast::MessageFormat::ibag) != ibag) {
    done(function_error("ValueError",
                        "message_format: " + fn.name + " sends " + (ibag ? "ibag" : "cap") +
                            ", got " + std::string(broadcast::to_string(parsed->message_format)),
                        request_id));
    return;
  }
  broadcast::RenderOptions ro;
  const bool names_target = payload.is_object() && payload.contains("cbc_target");
  ro.generator = options.generator.value_or(names_target ? broadcast::Generator::emergency_alerts
                                                         : broadcast::Generator::notify_2023);
  ro.now = std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<runtime::Duration>(services.clock().now().time_since_epoch()));
  auto document = broadcast::render(*parsed, ro);
  if (!document) {
    const auto& e = document.error();
    done(function_error("ValueError", e.field + ": " + e.message, request_id));
    return;
  }
  if (options.signer) {
    auto signed_doc = options.signer->sign(*document);
    if (!signed_doc.ok) {
      done(function_error("SigningError", signed_doc.error, request_id));
      return;
    }
    *document = std::move(signed_doc.document);
  }
  // Changed after signing, on its way to the CBC: what the CBC receives, and the journal keeps,
  // is the changed document.
  if (tamper) tamper_document(*document);
  std::string az = fn.az;
  if (payload.is_object() && payload.contains("cbc_target")) {
    const auto& t = payload["cbc_target"];
    if (t == "cbc_a") {
      az = std::string(kCbcAzs[0]);
    } else if (t == "cbc_b") {
      az = std::string(kCbcAzs[1]);
    } else {
      done(function_error("ValueError",
                          "cbc_target: expected \"cbc_a\" or \"cbc_b\", got " + t.dump(),
                          request_id));
      return;
    }
  }
  auto base = services.listener_url("cbc", fn.op, az);
  if (!base) {
    done(function_error("CBCNewConnectionError",
                        "no route to the " + fn.op + " CBC through " + az, request_id));
    return;
  }
  Function to = fn;
  to.az = az;
  transport::Request q;
  q.method = "POST";
  q.target = *base + cbc_path(fn.op, az);
  q.headers.set("Content-Type", "application/xml");
  q.body = std::move(*document);
  RequestInfo info{"cbc", fn.op, az, operation_of(parsed->message_type), ""};
  transport::SendOptions so;
  so.connect_timeout = options.cbc_connect_timeout;
  so.read_timeout = options.cbc_read_timeout;
  services.send(parent, info, std::move(q), so,
                [fn = to, request_id, identifier = parsed->identifier,
                 done = std::move(done)](transport::SendResult r) {
                  if (!r) {
                    const auto& ec = r.error();
                    std::string why = ec.category() == notify_category()
                                          ? std::string(to_string(errc(ec.value())))
                                          : ec.message();
                    done(function_error("CBCNewConnectionError",
                                        "Failed to establish a new connection to the " + fn.op +
                                            " CBC through " + fn.az + ": " + why,
                                        request_id));
                    return;
                  }
                  CbcVerdict v = read_cbc_answer(*r);
                  if (!v.ack) {
                    done(function_error("CBCRejectedError",
                                        "the " + fn.op + " CBC answered " +
                                            std::to_string(r->status) + " " + v.code + ": " +
                                            v.note,
                                        request_id));
                    return;
                  }
                  done(function_result({{"success", true},
                                        {"identifier", identifier},
                                        {"cbc", fn.op},
                                        {"az", fn.az},
                                        {"response_code", v.code},
                                        {"note", v.note}},
                                       request_id));
                });
}

}  // namespace notify::stubs::lambda
