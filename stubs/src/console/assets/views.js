// The console's views: a summary per message (its row), the detail page of an e-mail, a text
// message or a broadcast, and the Faults, Queues and Health tabs. Bodies come from the journal,
// which keeps at most 4096 bytes of each, so every parser here tolerates a cut-off body.
"use strict";

const V = {};
window.V = V;
const SVG_NS = "http://www.w3.org/2000/svg";

// ---- Small helpers ---------------------------------------------------------------------------

function tryJson(text) {
  try { return JSON.parse(text); } catch (e) { return null; }
}

function form(text) {
  try { return new URLSearchParams(text || ""); } catch (e) { return new URLSearchParams(); }
}

function b64text(s) {
  try {
    const clean = (s || "").replace(/[^A-Za-z0-9+/=]/g, "");
    const bytes = Uint8Array.from(atob(clean.slice(0, clean.length - (clean.length % 4))), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch (e) {
    return "";
  }
}

function time(e) {
  return (e.at || "").replace("T", " ").replace("Z", "");
}

function outcomeClass(outcome) {
  if (outcome === "ok") return "ok";
  return outcome ? "bad" : "muted";
}

// Secrets a stub receives in a body (Firetext's apiKey, a password) are never shown.
const SECRET_KEYS = /^(apikey|password|pass|secret|token|api_key)$/i;
function maskSecrets(body) {
  if (!body) return "";
  const trimmed = body.trim();
  if (trimmed.startsWith("{")) {
    return body.replace(/("(?:apiKey|password|secret|token|api_key)"\s*:\s*")[^"]*"/gi, "$1****\"");
  }
  if (/^[^<\s]+=/.test(trimmed)) {
    return body.split("&").map((pair) => {
      const k = pair.split("=")[0];
      return SECRET_KEYS.test(decodeURIComponent(k.replace(/\+/g, " "))) ? k + "=****" : pair;
    }).join("&");
  }
  return body;
}
V.maskSecrets = maskSecrets;

function raw(title, body) {
  return [h("h3", {}, title), h("pre", {}, maskSecrets(body) || "(empty)")];
}

function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

// ---- E-mail ----------------------------------------------------------------------------------

function decodeWords(s) {
  // RFC 2047 encoded words in headers: =?charset?B|Q?text?=
  return (s || "").replace(/=\?[^?]+\?([BbQq])\?([^?]*)\?=/g, (_, enc, text) => {
    if (enc.toUpperCase() === "B") return b64text(text);
    return qp(text.replace(/_/g, " "));
  });
}

function qp(s) {
  const bytes = [];
  const src = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < src.length; ++i) {
    if (src[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...new TextEncoder().encode(src[i]));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

// A MIME message, as far as it is there: headers, and its text and HTML parts.
function mime(text, out) {
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (!out.from && headers.from) out.from = decodeWords(headers.from);
  if (!out.to.length && headers.to) out.to = [decodeWords(headers.to)];
  if (!out.subject && headers.subject) out.subject = decodeWords(headers.subject);
  const type = (headers["content-type"] || "text/plain").toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] || "");
  if (type.startsWith("multipart/") && boundary) {
    for (const part of body.split("--" + boundary[1]).slice(1)) {
      if (part.startsWith("--")) break;
      mime(part.replace(/^\r?\n/, ""), out);
    }
    return out;
  }
  const encoding = (headers["content-transfer-encoding"] || "").toLowerCase();
  const decoded = encoding === "base64" ? b64text(body) : encoding === "quoted-printable" ? qp(body) : body;
  if (type.startsWith("text/html") && !out.html) out.html = decoded;
  else if (type.startsWith("text/plain") && !out.text) out.text = decoded;
  return out;
}

function parseEmail(e) {
  if (e._email) return e._email;
  const m = { from: "", to: [], subject: "", html: "", text: "" };
  const body = e.request_body || "";
  const j = body.trim().startsWith("{") ? tryJson(body) : null;
  if (j) {
    m.from = j.FromEmailAddress || j.Source || j.from || "";
    const dest = j.Destination || {};
    m.to = dest.ToAddresses || (j.to ? [].concat(j.to) : []);
    const simple = (j.Content || {}).Simple;
    if (simple) {
      m.subject = ((simple.Subject || {}).Data) || "";
      m.html = (((simple.Body || {}).Html) || {}).Data || "";
      m.text = (((simple.Body || {}).Text) || {}).Data || "";
    } else if ((j.Content || {}).Raw) {
      mime(b64text(j.Content.Raw.Data), m);
    } else {
      m.subject = j.subject || j.Subject || "";
      m.html = j.html || j.body_html || "";
      m.text = j.text || j.body || "";
    }
  } else {
    const p = form(body);
    m.from = p.get("Source") || "";
    for (const [k, v] of p) if (k.startsWith("Destination.ToAddresses.member.")) m.to.push(v);
    m.subject = p.get("Message.Subject.Data") || "";
    m.html = p.get("Message.Body.Html.Data") || "";
    m.text = p.get("Message.Body.Text.Data") || "";
    if (p.get("RawMessage.Data")) mime(b64text(p.get("RawMessage.Data")), m);
  }
  if (!m.to.length && e.recipient) m.to = [e.recipient];
  e._email = m;
  return m;
}

// The events the SES stub sent for a message: delivery, bounce, complaint (and duplicates).
function emailEvents(e) {
  return related(e.seq).filter((c) => c.service === "ses" && c.operation === "Event").map((c) => {
    const outer = tryJson(c.request_body) || {};
    const inner = typeof outer.Message === "string" ? tryJson(outer.Message) || {} : outer;
    let type = inner.notificationType || inner.eventType || "";
    if (!type) {
      const m = /(Delivery|Bounce|Complaint|Send|Reject)/.exec(c.request_body || "");
      type = m ? m[1] : "event";
    }
    return { entry: c, type };
  });
}

V.email = (e) => {
  const m = parseEmail(e);
  const events = emailEvents(e);
  const status = events.length ? events[events.length - 1].type : e.outcome;
  return {
    provider: "ses",
    cells: [time(e), m.from, m.to.join(", "), m.subject || "(no subject)", h("span", { class: outcomeClass(e.outcome) }, status)],
    search: [m.from, m.to.join(" "), m.subject, m.text].join(" "),
  };
};

// The HTML body in a frame that runs no script and loads nothing from anywhere: the sandbox
// blocks scripts, and the frame's own policy (on top of the page's) blocks remote images.
function emailFrame(html) {
  const frame = h("iframe", { class: "email", sandbox: "", referrerpolicy: "no-referrer", title: "HTML body" });
  frame.srcdoc = "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; " +
    "style-src 'unsafe-inline'; img-src data:\">" + html;
  return frame;
}

function emailDetail(e) {
  const m = parseEmail(e);
  const events = emailEvents(e);
  return [
    card("Email " + e.seq, fields([
      ["From", m.from], ["To", m.to.join(", ")], ["Subject", m.subject], ["Time", e.at],
      ["Operation", e.operation], ["SES message id", e.reference],
      ["Notify's reference", e.reference ? e.reference + " (Notify keeps the SES message id as the notification's reference)" : ""],
      ["Answer", e.status + " " + e.outcome], ["Faults", (e.faults || []).join(", ")],
    ])),
    card("HTML body", m.html ? emailFrame(m.html) : h("p", { class: "muted" }, "No HTML part.")),
    card("Text body", h("pre", {}, m.text || "(none)")),
    card("Events sent", events.length ? h("table", {},
      h("tr", {}, ["Time", "Event", "Sent to", "Answer"].map((c) => h("th", {}, c))),
      events.map((ev) => h("tr", {}, h("td", {}, time(ev.entry)), h("td", {}, ev.type),
        h("td", { class: "mono" }, ev.entry.target || "(queue)"),
        h("td", { class: outcomeClass(ev.entry.outcome) }, (ev.entry.status || "") + " " + ev.entry.outcome))))
      : h("p", { class: "muted" }, "No events yet.")),
    card("Raw request", ...raw("Request", e.request_body), ...raw("Response", e.response_body)),
  ];
}

// ---- Text messages ---------------------------------------------------------------------------

const GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT = "^{}\\[~]|€\f";

// The encoding a handset gets and the number of SMS fragments the text takes.
function smsEncoding(text) {
  let septets = 0;
  for (const ch of text) {
    if (GSM.includes(ch)) septets += 1;
    else if (GSM_EXT.includes(ch)) septets += 2;
    else {
      const units = text.length;
      return { encoding: "Unicode (UCS-2)", length: units, fragments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: "GSM 7-bit", length: septets, fragments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}
V.smsEncoding = smsEncoding;

function parseSms(e) {
  if (e._sms) return e._sms;
  const body = e.request_body || "";
  const j = body.trim().startsWith("{") ? tryJson(body) : null;
  let s;
  if (j) s = { text: j.msg || j.message || "", sender: j.sender || j.from || "", to: j.MSISDN || j.to || e.recipient, reference: j.cid || j.reference || "", receipt: "" };
  else {
    const p = form(body);
    s = { text: p.get("message") || "", sender: p.get("from") || "", to: p.get("to") || e.recipient, reference: p.get("reference") || "", receipt: p.get("receipt") || "" };
  }
  e._sms = s;
  return s;
}

function maskNumber(n) {
  const s = String(n || "");
  if (s.length <= 6) return s;
  return s.slice(0, 4) + "•".repeat(s.length - 7) + s.slice(-3);
}

const RECEIPT_STATUS = {
  firetext: { 0: "delivered", 1: "failed", 2: "pending" },
  mmg: { 2: "failed (permanent)", 3: "delivered", 4: "failed (temporary)", 5: "failed" },
};

function receipts(e) {
  return related(e.seq).filter((c) => c.operation === "Receipt").map((c) => {
    const p = form(c.request_body);
    const status = p.get("status");
    const label = (RECEIPT_STATUS[e.service] || {})[status] || (c.outcome === "dropped" ? "dropped" : "status " + status);
    return { entry: c, label, code: p.get("code") || p.get("substatus") || "" };
  });
}

V.sms = (e) => {
  const s = parseSms(e);
  const r = receipts(e);
  const status = r.length ? r[r.length - 1].label : e.outcome;
  return {
    provider: e.service,
    cells: [time(e), e.service, s.sender, maskNumber(s.to), s.text.length > 80 ? s.text.slice(0, 80) + "…" : s.text,
      h("span", { class: outcomeClass(e.outcome) }, status)],
    search: [s.text, s.sender, s.to, s.reference].join(" "),
  };
};

function smsDetail(e) {
  const s = parseSms(e);
  const enc = smsEncoding(s.text);
  const number = h("span", { class: "mono", id: "number" }, maskNumber(s.to));
  const reveal = h("button", { type: "button", onclick: () => { number.textContent = s.to; reveal.remove(); } }, "Show number");
  const r = receipts(e);
  return [
    card("Text message " + e.seq, fields([
      ["Provider", e.service], ["Sender", s.sender], ["Number", h("span", {}, number, " ", reveal)],
      ["Time", e.at], ["Reference", s.reference || e.reference], ["Provider's id", e.reference],
      ["Encoding", enc.encoding + ", " + enc.length + (enc.encoding.startsWith("GSM") ? " septets" : " characters") +
        ", " + enc.fragments + (enc.fragments === 1 ? " fragment" : " fragments")],
      ["Answer", e.status + " " + e.outcome], ["Faults", (e.faults || []).join(", ")],
    ])),
    card("Text", h("pre", {}, s.text)),
    card("Receipts", r.length ? h("ol", { class: "timeline" }, r.map((x) => h("li", {},
      time(x.entry) + " — " + x.label + (x.code ? " (code " + x.code + ")" : "") + " → ",
      h("span", { class: "mono" }, x.entry.target || "(not sent)"), " answered ",
      h("span", { class: outcomeClass(x.entry.outcome) }, (x.entry.status || "") + " " + x.entry.outcome),
      x.entry.response_body ? h("pre", {}, x.entry.response_body) : null)))
      : h("p", { class: "muted" }, "No receipts yet."),
      s.receipt ? fields([["Callback URL", s.receipt]]) : null),
    card("Raw request", ...raw("Request", e.request_body), ...raw("Response", e.response_body)),
  ];
}

// ---- Broadcasts ------------------------------------------------------------------------------

function xmlText(doc, names) {
  for (const el of doc.getElementsByTagName("*")) {
    if (names.includes(el.localName)) return el.textContent;
  }
  return "";
}

function parseXml(text) {
  try {
    const doc = new DOMParser().parseFromString(text || "", "application/xml");
    return doc.getElementsByTagName("parsererror").length ? null : doc;
  } catch (e) {
    return null;
  }
}

function parseBroadcast(e) {
  if (e._broadcast) return e._broadcast;
  const b = { type: e.operation, headline: "", polygons: [], payload: null, identifier: "" };
  if (e.service === "lambda") {
    const p = tryJson(e.request_body);
    if (p) {
      b.payload = p;
      b.type = p.message_type || b.type;
      b.headline = p.headline || p.description || "";
      b.identifier = p.identifier || "";
      for (const a of p.areas || []) {
        for (const poly of a.polygons || (a.polygon ? [a.polygon] : [])) b.polygons.push(poly);
      }
    }
  }
  const doc = e.service === "cbc" ? parseXml(e.request_body) : null;
  if (doc) {
    b.headline = b.headline || xmlText(doc, ["headline", "description", "IBAG_text_alert_message"]);
    b.identifier = b.identifier || xmlText(doc, ["identifier", "IBAG_cap_identifier"]);
    for (const el of doc.getElementsByTagName("*")) {
      if (!/polygon/i.test(el.localName)) continue;
      const points = el.textContent.trim().split(/\s+/).map((pt) => pt.split(",").map(Number));
      if (points.length > 2 && points.every((pt) => pt.length === 2 && pt.every(Number.isFinite))) b.polygons.push(points);
    }
  }
  e._broadcast = b;
  return b;
}

// The CBC requests behind a message: the document each operator endpoint received and its answer.
function cbcCalls(e) {
  if (e.service === "cbc") return [e];
  return related(e.seq).filter((c) => c.service === "cbc" && c.direction === "in");
}

function verdict(c) {
  const doc = parseXml(c.response_body);
  const code = doc ? xmlText(doc, ["code", "msgType", "Error", "errorCode", "IBAG_message_type"]) : "";
  if (c.status === 200) return { ok: true, text: "Ack" + (code && code !== "Ack" ? " (" + code + ")" : "") };
  const note = doc ? xmlText(doc, ["note", "description", "message", "Message"]) : "";
  return { ok: false, text: (c.status ? c.status + " " : "") + c.outcome + (note ? ": " + note : "") };
}

V.broadcast = (e) => {
  const b = parseBroadcast(e);
  const calls = cbcCalls(e);
  const acked = calls.filter((c) => c.status === 200).length;
  const route = e.service === "lambda" ? [e.provider, e.az, e.recipient].filter(Boolean).join(" / ")
    : [e.provider, e.az].filter(Boolean).join(" / ");
  const status = e.outcome !== "ok" ? e.outcome : calls.length ? acked + "/" + calls.length + " Ack" : "ok";
  return {
    provider: e.provider || e.service,
    cells: [time(e), b.type, route, b.headline, h("span", { class: e.outcome === "ok" && acked === calls.length ? "ok" : "bad" }, status)],
    search: [b.type, b.headline, b.identifier, route, e.request_body.slice(0, 2000)].join(" "),
  };
};

// Areas on a coarse outline of the UK, in an equirectangular projection scaled for 54.5° N.
function map(polygons) {
  const W = 300, H = 360, west = -8.8, east = 2.2, north = 60.9, south = 49.8;
  const kx = Math.cos(54.5 * Math.PI / 180);
  const sx = W / ((east - west) * kx), sy = H / (north - south), s = Math.min(sx, sy);
  const xy = (lon, lat) => ((lon - west) * kx * s).toFixed(1) + "," + ((north - lat) * s).toFixed(1);
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", "map");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  const poly = (points, cls) => {
    const el = document.createElementNS(SVG_NS, "polygon");
    el.setAttribute("class", cls);
    el.setAttribute("points", points.join(" "));
    svg.append(el);
  };
  for (const outline of window.UK_OUTLINE || []) poly(outline.map(([lon, lat]) => xy(lon, lat)), "land");
  for (const p of polygons) {
    // Notify sends [lat, lon]; a pair whose first value cannot be a UK latitude is [lon, lat].
    poly(p.map(([a, b]) => (Math.abs(a) > 40 ? xy(b, a) : xy(a, b))), "area");
  }
  return svg;
}
V.map = map;

function broadcastDetail(e) {
  const b = parseBroadcast(e);
  const calls = cbcCalls(e);
  const docs = calls.length ? calls : [];
  return [
    card("Broadcast " + e.seq, fields([
      ["Type", b.type], ["Identifier", b.identifier], ["Headline", b.headline], ["Time", e.at],
      ["Lambda", e.service === "lambda" ? e.recipient : ""],
      ["Operator", e.provider], ["AZ", e.az],
      ["CBC target", b.payload && b.payload.cbc_target ? JSON.stringify(b.payload.cbc_target) : ""],
      ["Answer", e.status + " " + e.outcome], ["Faults", (e.faults || []).join(", ")],
    ])),
    card("Route per operator", calls.length ? h("table", {},
      h("tr", {}, ["Operator", "AZ", "CBC endpoint", "Answer"].map((c) => h("th", {}, c))),
      calls.map((c) => {
        const v = verdict(c);
        return h("tr", {}, h("td", {}, c.provider), h("td", {}, c.az), h("td", { class: "mono" }, c.target),
          h("td", { class: v.ok ? "ok" : "bad" }, v.text));
      })) : h("p", { class: "muted" }, "No CBC has received this message (yet).")),
    card("Areas", b.polygons.length ? map(b.polygons) : h("p", { class: "muted" }, "No areas (a cancel or a link test has none).")),
    b.payload ? card("Lambda payload", h("pre", {}, JSON.stringify(b.payload, null, 2))) : null,
    ...docs.map((c) => card("Document to " + (c.provider || "CBC") + " " + (c.az || ""),
      fields([["Validator's verdict", verdict(c).text]]),
      ...raw("Document", c.request_body), ...raw("Ack/Error", c.response_body))),
    card("Raw request", ...raw("Request", e.request_body), ...raw("Response", e.response_body)),
  ];
}

V.detail = (e) => {
  const kind = messageKind(e) || "email";
  const back = link("/ui/" + kind, "← all " + ({ email: "email", sms: "text messages", broadcast: "broadcasts" })[kind]);
  const body = kind === "email" ? emailDetail(e) : kind === "sms" ? smsDetail(e) : broadcastDetail(e);
  const frag = h("div", { id: "detail", "data-seq": e.seq }, h("p", {}, back), ...body);
  return frag;
};

// ---- Faults ----------------------------------------------------------------------------------

const OPERATORS = ["ee", "o2", "three", "vodafone"];

function presets() {
  return [
    ["SES throttling", { id: "ses-throttling", description: "console preset", match: { service: "ses" },
      action: { type: "error", name: "ses.throttling" } }],
    ["Firetext down", { id: "firetext-down", description: "console preset", match: { service: "firetext" },
      action: { type: "refuse" } }],
    ["MMG slow receipts", { id: "mmg-slow-receipts", description: "console preset",
      match: { service: "mmg", operation: "Receipt" }, action: { type: "delay", distribution: "fixed", ms: 30000 } }],
    ["Drop receipts", { faults: [
      { id: "drop-receipts-firetext", description: "console preset", match: { service: "firetext", operation: "Receipt" },
        action: { type: "error", name: "firetext.receipt_drop" } },
      { id: "drop-receipts-mmg", description: "console preset", match: { service: "mmg", operation: "Receipt" },
        action: { type: "error", name: "mmg.receipt_drop" } }] }],
  ];
}

function azOutage(operator, az) {
  const match = { service: "lambda", az };
  if (operator) match.provider = operator;
  return { id: "az-outage-" + (operator || "all") + "-" + az, description: "console preset", match, action: { type: "refuse" } };
}

async function addRules(body, errorEl) {
  errorEl.textContent = "";
  const { status, body: answer } = await api("POST", "/faults", body);
  if (status !== 201) {
    errorEl.textContent = (answer && answer.error) || "POST /faults answered " + status;
    return false;
  }
  V.faults(document.getElementById("main"));
  return true;
}

V.watchFaults = async () => {
  const { status, body } = await api("GET", "/faults");
  if (status === 200) document.getElementById("count-faults").textContent = body.faults.length;
};

V.faults = async (main) => {
  const error = h("p", { class: "error", id: "fault-error", role: "alert" });
  const { status, body } = await api("GET", "/faults");
  if (status !== 200) { main.replaceChildren(h("p", { class: "error" }, "GET /faults answered " + status)); return; }
  document.getElementById("count-faults").textContent = body.faults.length;
  const hits = {};
  for (const f of body.firings) hits[f.rule_id] = (hits[f.rule_id] || 0) + 1;
  const rules = body.faults.length ? h("table", { id: "rules" },
    h("tr", {}, ["Id", "Match", "Action", "Trigger", "Hits", ""].map((c) => h("th", {}, c))),
    body.faults.map((r) => h("tr", { "data-id": r.id }, h("td", { class: "mono" }, r.id),
      h("td", { class: "mono" }, JSON.stringify(r.match || {})), h("td", { class: "mono" }, JSON.stringify(r.action)),
      h("td", { class: "mono" }, JSON.stringify(r.trigger || {})), h("td", {}, hits[r.id] || 0),
      h("td", {}, h("button", { type: "button", onclick: async () => {
        const res = await api("DELETE", "/faults/" + encodeURIComponent(r.id));
        if (res.status !== 200) error.textContent = res.body.error || "DELETE answered " + res.status;
        else V.faults(main);
      } }, "Remove")))))
    : h("p", { class: "muted" }, "No fault rules: every stub answers normally.");
  const operator = h("select", { id: "az-operator" }, h("option", { value: "" }, "every operator"), OPERATORS.map((o) => h("option", { value: o }, o)));
  const az = h("select", { id: "az-zone" }, ["eu-west-2a", "eu-west-2b"].map((z) => h("option", { value: z }, z)));
  const editor = h("textarea", { id: "rule-json", spellcheck: "false" },
    JSON.stringify({ id: "my-rule", match: { service: "ses" }, action: { type: "error", name: "ses.throttling" }, trigger: { probability: 0.5 } }, null, 2));
  const editorError = h("p", { class: "error", id: "editor-error", role: "alert" });
  main.replaceChildren(
    card("Active rules (" + body.faults.length + "; " + body.fired_count + " firings in all)", rules,
      body.faults.length ? h("button", { type: "button", id: "remove-all", onclick: async () => {
        await api("DELETE", "/faults");
        V.faults(main);
      } }, "Remove all") : null),
    card("Presets", h("div", { class: "presets" },
      presets().map(([label, rule]) => h("button", { type: "button", "data-preset": label, onclick: () => addRules(rule, error) }, label)),
      h("span", {}, " AZ outage: ", operator, " ", az, " ",
        h("button", { type: "button", id: "az-outage", onclick: () => addRules(azOutage(operator.value, az.value), error) }, "Start outage"))),
      error),
    card("Rule editor (docs/faults.md)", editor,
      h("button", { type: "button", id: "add-rule", onclick: () => {
        const parsed = tryJson(editor.value);
        if (parsed === null) { editorError.textContent = "body: not valid JSON"; return; }
        addRules(parsed, editorError);
      } }, "Add rule"), editorError),
  );
};

// ---- Queues ----------------------------------------------------------------------------------

let queuesTimer = null;
V.queues = async (main) => {
  const draw = async () => {
    if (!location.pathname.startsWith("/ui/queues")) { clearInterval(queuesTimer); queuesTimer = null; return; }
    const { status, body } = await api("GET", "/state");
    const queues = status === 200 && body.sqs ? body.sqs.queues : [];
    const cols = ["name", "visible", "in_flight", "delayed", "sent", "received", "deleted", "dead_lettered", "expired"];
    main.replaceChildren(card("SQS queues", queues.length ? h("table", { id: "queues" },
      h("tr", {}, cols.map((c) => h("th", {}, c.replace("_", " ")))),
      queues.map((q) => h("tr", {}, cols.map((c) => h("td", { class: c === "name" ? "mono" : "" }, q[c])))))
      : h("p", { class: "muted" }, status === 200 ? "No queues: nothing has created one on the SQS stub." : "GET /state answered " + status)));
  };
  await draw();
  if (!queuesTimer) queuesTimer = setInterval(draw, 2000);
};

// ---- Health ----------------------------------------------------------------------------------

const samples = [];  // {t, metrics: Map name{labels} -> value}

function parseMetrics(text) {
  const out = new Map();
  const types = {};
  for (const line of text.split("\n")) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) types[t[1]] = t[2];
    if (!line || line.startsWith("#")) continue;
    const m = /^([^\s{]+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) out.set(m[1] + (m[2] || ""), { name: m[1], labels: m[2] || "", value: Number(m[3]), type: types[m[1]] });
  }
  return out;
}

async function sample() {
  const { status, body } = await api("GET", "/metrics");
  if (status !== 200) return;
  samples.push({ t: Date.now(), metrics: parseMetrics(body) });
  if (samples.length > 90) samples.shift();
}

function sparkline(title, points, unit) {
  const W = 260, H = 60;
  const max = Math.max(1, ...points);
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  const line = document.createElementNS(SVG_NS, "polyline");
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#1d70b8");
  line.setAttribute("stroke-width", "1.5");
  line.setAttribute("points", points.map((v, i) => (i * W / Math.max(1, points.length - 1)).toFixed(1) + "," + (H - 2 - v / max * (H - 4)).toFixed(1)).join(" "));
  svg.append(line);
  const last = points.length ? points[points.length - 1] : 0;
  return h("div", { class: "chart" }, h("div", { class: "title" }, title + ": " + (Math.round(last * 10) / 10) + " " + unit), svg);
}

function charts() {
  const out = [];
  if (samples.length < 2) return [h("p", { class: "muted" }, "Collecting samples of /metrics…")];
  // Requests per second per service, from the counter's differences.
  const services = [...samples[samples.length - 1].metrics.values()].filter((m) => m.name === "notify_sim_requests_total");
  for (const m of services) {
    const key = m.name + m.labels;
    const rates = [];
    for (let i = 1; i < samples.length; ++i) {
      const a = samples[i - 1].metrics.get(key), b = samples[i].metrics.get(key);
      const dt = (samples[i].t - samples[i - 1].t) / 1000;
      rates.push(a && b && dt > 0 ? Math.max(0, (b.value - a.value) / dt) : 0);
    }
    out.push(sparkline(m.labels.replace(/[{}"]/g, "").replace("service=", ""), rates, "req/s"));
  }
  // Saturation: every gauge the stubs report (journal fill, callbacks waiting, ...).
  for (const m of samples[samples.length - 1].metrics.values()) {
    if (m.type !== "gauge") continue;
    const key = m.name + m.labels;
    out.push(sparkline(m.name.replace("notify_sim_", "") + m.labels, samples.map((s) => (s.metrics.get(key) || { value: 0 }).value), ""));
  }
  return out;
}

let healthTimer = null;
V.health = async (main) => {
  const draw = async () => {
    if (!location.pathname.startsWith("/ui/health")) { clearInterval(healthTimer); healthTimer = null; return; }
    await sample();
    const { status, body } = await api("GET", "/health");
    if (status !== 200) { main.replaceChildren(h("p", { class: "error" }, "GET /health answered " + status)); return; }
    const uptime = Math.round(((body.clock || {}).since_start_ms || 0) / 1000);
    const listeners = Object.entries(body.listeners || {});
    main.replaceChildren(
      card("Server", fields([["Status", body.status], ["Profile", body.profile], ["Seed", body.seed],
        ["Clock", (body.clock || {}).now], ["Since start or reset", uptime + " s"], ["Edge", body.edge_url],
        ["Services", (body.services || []).join(", ")]])),
      card("Requests per second and saturation (from /metrics every 2 s)", h("div", { class: "charts", id: "charts" }, charts())),
      card("Listeners", h("table", {}, h("tr", {}, h("th", {}, "Listener"), h("th", {}, "Address")),
        listeners.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", { class: "mono" }, typeof v === "string" ? v : JSON.stringify(v)))))),
    );
  };
  await draw();
  if (!healthTimer) healthTimer = setInterval(draw, 2000);
};
