// The console's core: the admin token, calls to the control API, the journal stream, the
// message index, the router and the lists. Every value from the journal is put on the page as
// text (textContent, attributes), never as markup; views.js draws the detail pages.
"use strict";

const C = {
  entries: new Map(),   // seq -> journal entry
  children: new Map(),  // parent seq -> [seq]
  messages: [],         // seq of each message, in arrival order
  lastEventId: null,
  backlog: 1000,
  // The server gathers what arrives in this time into one piece, and sends at most `latest`
  // entries per piece: a flood at the edge costs the page a few small updates a second.
  streamIntervalMs: 500,
  streamLatest: 500,
  live: false,          // the backlog has arrived: lists are drawn from here on
  rowsShown: 500,
  filters: { q: "", provider: "", status: "", since: "" },
};
window.C = C;

// ---- Elements, built from values (never from markup) ----------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
window.h = h;

function fields(pairs) {
  const dl = h("dl", { class: "fields" });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "") continue;
    dl.append(h("dt", {}, k), h("dd", {}, v));
  }
  return dl;
}
window.fields = fields;

// ---- The admin token and the control API ----------------------------------------------------

const TOKEN_KEY = "notify-sim-admin-token";
let tokenWaiters = [];

function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  return headers;
}

// Shows the token form and resolves once a token has been entered.
function askToken(message) {
  const form = document.getElementById("token-form");
  form.hidden = false;
  document.getElementById("token-error").textContent = message || "";
  document.getElementById("token").focus();
  return new Promise((resolve) => tokenWaiters.push(resolve));
}

function setupTokenForm() {
  const form = document.getElementById("token-form");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = document.getElementById("token");
    sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = "";
    form.hidden = true;
    const waiters = tokenWaiters;
    tokenWaiters = [];
    waiters.forEach((w) => w());
  });
}

// Calls the control API; asks for the token on 401 and tries again. Returns {status, body}.
async function api(method, path, body) {
  for (;;) {
    const opts = { method, headers: authHeaders(body !== undefined ? { "Content-Type": "application/json" } : {}) };
    if (body !== undefined) opts.body = typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(path, opts);
    if (res.status === 401) {
      await askToken(sessionStorage.getItem(TOKEN_KEY) ? "That token was refused." : "");
      continue;
    }
    const text = await res.text();
    let parsed = text;
    if ((res.headers.get("Content-Type") || "").startsWith("application/json")) {
      try { parsed = JSON.parse(text); } catch (e) { parsed = text; }
    }
    return { status: res.status, body: parsed };
  }
}
window.api = api;

// ---- The journal stream ------------------------------------------------------------------------

function setLive(on, text) {
  const el = document.getElementById("live");
  el.className = "live " + (on ? "on" : "off");
  el.textContent = text;
}

function clearJournal() {
  C.entries.clear();
  C.children.clear();
  C.messages = [];
}

// A message's row is drawn once and kept; a receipt or event that arrives later for it (or
// for something it caused) makes it drawn again.
function invalidate(seq) {
  for (let depth = 0; seq && depth < 4; ++depth) {
    const e = C.entries.get(seq);
    if (!e) return;
    e._row = null;
    e._tr = null;
    seq = e.parent;
  }
}

const ENTRIES_KEPT = 20000;
function forgetOldest() {
  // The journal keeps a bounded number of entries; so does the page.
  if (C.entries.size <= ENTRIES_KEPT) return;
  const it = C.entries.keys();
  while (C.entries.size > ENTRIES_KEPT) {
    const oldest = it.next().value;
    C.entries.delete(oldest);
    C.children.delete(oldest);
  }
  let k = 0;
  while (k < C.messages.length && !C.entries.has(C.messages[k])) ++k;
  if (k) C.messages.splice(0, k);
}

function onEvent(type, id, data) {
  if (type === "reset") { clearJournal(); scheduleRender(); return; }
  if (type === "gap") { C.gap = (C.gap || 0) + (JSON.parse(data).skipped || 0); return; }
  if (type === "live") {
    performance.mark("journal-live");
    C.live = true;
    scheduleRender();
    return;
  }
  if (type !== "entry") return;
  if (id) C.lastEventId = id;
  const e = JSON.parse(data);
  C.entries.set(e.seq, e);
  if (e.parent) {
    if (!C.children.has(e.parent)) C.children.set(e.parent, []);
    C.children.get(e.parent).push(e.seq);
    invalidate(e.parent);
  }
  if (messageKind(e)) C.messages.push(e.seq);
  forgetOldest();
  if (C.live) scheduleRender();
}

async function stream() {
  for (;;) {
    try {
      const headers = authHeaders();
      if (C.lastEventId) headers["Last-Event-ID"] = C.lastEventId;
      const res = await fetch("/journal/stream?backlog=" + C.backlog + "&interval_ms=" +
        C.streamIntervalMs + "&latest=" + C.streamLatest, { headers });
      if (res.status === 401) {
        setLive(false, "needs token");
        await askToken(sessionStorage.getItem(TOKEN_KEY) ? "That token was refused." : "");
        continue;
      }
      if (!res.ok || !res.body) throw new Error("status " + res.status);
      setLive(true, "live");
      performance.mark("stream-open");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = "message", id = null;
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) type = line.slice(7);
            else if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length) onEvent(type, id, data.join("\n"));
        }
      }
    } catch (e) {
      // The server stopped or the network dropped: try again shortly.
    }
    setLive(false, "reconnecting");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ---- Messages --------------------------------------------------------------------------------

const EMAIL_OPS = new Set(["SendEmail", "SendRawEmail", "SendEmailV2", "StubSend"]);
const BROADCAST_OPS = new Set(["Alert", "Cancel", "Test", "Submit"]);

// "email", "sms", "broadcast" or null for an entry that is not a message of its own.
function messageKind(e) {
  if (e.direction !== "in") return null;
  if (e.service === "ses" && EMAIL_OPS.has(e.operation)) return "email";
  if ((e.service === "firetext" || e.service === "mmg") && e.operation === "SendSms") return "sms";
  if (e.service === "lambda" && e.operation === "Invoke" && e.recipient !== "canary") return "broadcast";
  // A CBC request with a parent is a proxy Lambda's call: part of that invoke's route.
  if (e.service === "cbc" && BROADCAST_OPS.has(e.operation) && !e.parent) return "broadcast";
  return null;
}
window.messageKind = messageKind;

function related(seq) {
  // Everything an entry caused, and what that caused, in journal order.
  const out = [];
  const queue = [seq];
  while (queue.length) {
    for (const child of C.children.get(queue.shift()) || []) {
      const e = C.entries.get(child);
      if (!e) continue;
      out.push(e);
      if (out.length < 200) queue.push(child);
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}
window.related = related;

// A one-line summary of a message for its row and for the search, kept until invalidate().
function summary(e) {
  if (e._row) return e._row;
  const kind = messageKind(e);
  e._row = kind === "email" ? V.email(e) : kind === "sms" ? V.sms(e) : V.broadcast(e);
  return e._row;
}

// The provider a message's row names: the filter reads it without drawing the row.
function providerOf(e) {
  const kind = messageKind(e);
  if (kind === "email") return "ses";
  if (kind === "sms") return e.service;
  return e.provider || e.service;
}

function matches(e) {
  const f = C.filters;
  if (f.provider && providerOf(e) !== f.provider) return false;
  if (f.status === "ok" && e.outcome !== "ok") return false;
  if (f.status === "failed" && e.outcome === "ok") return false;
  if (f.since) {
    const cutoff = Date.now() - Number(f.since) * 60000;
    if (Date.parse(e.at) < cutoff) return false;
  }
  if (f.q) {
    const hay = [e.seq, e.reference, e.recipient, e.provider, e.service, e.outcome, summary(e).search]
      .join(" ").toLowerCase();
    for (const word of f.q.toLowerCase().split(/\s+/)) if (word && !hay.includes(word)) return false;
  }
  return true;
}

// ---- Rendering and routing ------------------------------------------------------------------

// News redraws the page at most once per RENDER_MIN_MS: a piece of the stream arrives in many
// reads, and a flood would otherwise redraw the list every frame.
const RENDER_MIN_MS = 500;
let renderQueued = false;
let lastRender = -Infinity;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  const wait = Math.max(0, lastRender + RENDER_MIN_MS - performance.now());
  setTimeout(() => requestAnimationFrame(() => {
    renderQueued = false;
    lastRender = performance.now();
    render(false);
  }), wait);
}

function route() {
  const parts = location.pathname.replace(/^\/(ui\/?)?/, "").split("/").filter(Boolean);
  if (parts[0] === "message" && parts[1]) return { tab: null, seq: Number(parts[1]) };
  return { tab: parts[0] || "email" };
}

function go(path) {
  history.pushState(null, "", path);
  render(true);
}
window.go = go;

function link(path, ...children) {
  return h("a", { href: path, onclick: (ev) => { ev.preventDefault(); go(path); } }, ...children);
}
window.link = link;

function updateCounts() {
  const counts = { email: 0, sms: 0, broadcast: 0 };
  for (const seq of C.messages) {
    const e = C.entries.get(seq);
    if (e) counts[messageKind(e)] += 1;
  }
  for (const k of Object.keys(counts)) document.getElementById("count-" + k).textContent = counts[k];
}

let lastView = "";
function render(navigated) {
  updateCounts();
  const r = route();
  const tab = r.tab || (C.entries.get(r.seq) ? messageKind(C.entries.get(r.seq)) : "email");
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === tab);
  const main = document.getElementById("main");
  const view = r.seq ? "message/" + r.seq : tab;
  // Pages with inputs are drawn once per visit, so typing is never interrupted.
  if (!navigated && view === lastView && !["email", "sms", "broadcast"].includes(tab)) return;
  // A detail page is drawn again only when something new belongs to it (a receipt, an event).
  if (r.seq) {
    const e = C.entries.get(r.seq);
    const known = e ? related(e.seq).length : -1;
    if (!navigated && view === lastView && known === C.detailKnown) return;
    lastView = view;
    C.detailKnown = known;
    main.replaceChildren(e ? V.detail(e) : h("p", {}, "Message " + r.seq + " is not in the journal (yet)."));
    return;
  }
  lastView = view;
  if (tab === "faults") return V.faults(main);
  if (tab === "health") return V.health(main);
  if (tab === "queues") return V.queues(main);
  renderList(main, tab, navigated);
}

function filterBar(kind) {
  const providers = new Set();
  for (const seq of C.messages) {
    const e = C.entries.get(seq);
    if (e && messageKind(e) === kind) providers.add(providerOf(e));
  }
  const f = C.filters;
  const select = (id, value, options) => h("select", {
    id, onchange: (ev) => { f[id] = ev.target.value; render(true); },
  }, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  const search = h("input", {
    type: "search", id: "search", placeholder: "Search: reference, recipient, subject, text, id",
    value: f.q, oninput: (ev) => { f.q = ev.target.value; renderRows(kind); },
  });
  return h("div", { class: "filters" }, search,
    select("provider", f.provider, [["", "any provider"], ...[...providers].sort().map((p) => [p, p])]),
    select("status", f.status, [["", "any status"], ["ok", "accepted"], ["failed", "failed"]]),
    select("since", f.since, [["", "any time"], ["5", "last 5 minutes"], ["60", "last hour"]]),
    h("button", { type: "button", onclick: download }, "Download journal (JSON)"));
}

const COLUMNS = {
  email: ["Time", "From", "To", "Subject", "Status"],
  sms: ["Time", "Provider", "Sender", "Number", "Text", "Status"],
  broadcast: ["Time", "Type", "Operator / route", "Headline", "Status"],
};

// The same columns in the header and in every chunk's table, so the fixed layouts line up.
const COLUMN_CLASSES = {
  email: ["time", "from", "to", "subject", "status"],
  sms: ["time", "provider", "sender", "number", "text", "status"],
  broadcast: ["time", "type", "route", "headline", "status"],
};

function listTable(kind, ...children) {
  return h("table", { class: "list " + kind },
    h("colgroup", {}, COLUMN_CLASSES[kind].map((c) => h("col", { class: c }))), ...children);
}

function renderList(main, kind, navigated) {
  if (navigated || !document.getElementById("rows") || main.dataset.kind !== kind) {
    main.dataset.kind = kind;
    main.replaceChildren(filterBar(kind),
      listTable(kind, h("thead", {}, h("tr", {}, COLUMNS[kind].map((c) => h("th", {}, c))))),
      h("div", { id: "rows" }), h("div", { id: "more", class: "more" }));
  }
  renderRows(kind);
}

// A list is cut into chunks of ROWS_PER_CHUNK messages. The first is drawn at once; the others
// are drawn when they come near the screen (an IntersectionObserver), and laid out only while
// on it (content-visibility), so a list of 500 costs what the screen shows, and a flood of new
// messages redraws one chunk, not the list. Fixed column widths line the chunks up.
const ROWS_PER_CHUNK = 50;
const ROW_HEIGHT_PX = 31;
let chunkObserver = null;

function rowOf(e) {
  if (!e._tr) {
    const s = summary(e);
    const path = "/ui/message/" + e.seq;
    e._tr = h("tr", { class: "row", "data-seq": e.seq, onclick: () => go(path) },
      s.cells.map((c, j) => h("td", {}, j === 0 ? link(path, c) : c)));
  }
  return e._tr;
}

function fillChunk(chunk) {
  if (!chunk._entries) return;
  const entries = chunk._entries;
  chunk._entries = null;
  if (chunkObserver) chunkObserver.unobserve(chunk);
  chunk.style.height = "";
  chunk.replaceChildren(listTable(chunk._kind, h("tbody", {}, entries.map(rowOf))));
}

function renderRows(kind) {
  const container = document.getElementById("rows");
  if (!container) return;
  const picked = [];
  let matched = 0;
  // Newest first.
  for (let i = C.messages.length - 1; i >= 0; --i) {
    const e = C.entries.get(C.messages[i]);
    if (!e || messageKind(e) !== kind) continue;
    if (!matches(e)) continue;
    matched += 1;
    if (picked.length < C.rowsShown) picked.push(e);
  }
  if (chunkObserver) chunkObserver.disconnect();
  chunkObserver = new IntersectionObserver((seen) => {
    for (const item of seen) if (item.isIntersecting) fillChunk(item.target);
  }, { rootMargin: "600px 0px" });
  const chunks = [];
  for (let i = 0; i < picked.length; i += ROWS_PER_CHUNK) {
    const chunk = h("div", { class: "chunk" });
    chunk._kind = kind;
    chunk._entries = picked.slice(i, i + ROWS_PER_CHUNK);
    chunk.style.height = chunk._entries.length * ROW_HEIGHT_PX + "px";
    if (i === 0) fillChunk(chunk);
    else chunkObserver.observe(chunk);
    chunks.push(chunk);
  }
  container.replaceChildren(...chunks);
  if (C.live && !C.drawn && picked.length) {
    C.drawn = true;
    // For measure.py: the first list drawn, and painted (the frame after it).
    performance.mark("list-drawn");
    requestAnimationFrame(() => setTimeout(() => performance.mark("list-painted")));
  }
  const more = document.getElementById("more");
  more.textContent = matched > picked.length
    ? matched + " messages match; the newest " + picked.length + " are listed. Narrow the search to see others."
    : matched === 0 ? "No messages yet. Send one through the stubs and it appears here." : "";
  if (C.gap) more.textContent += " (" + C.gap + " journal entries were dropped before the page saw them.)";
}

async function download() {
  const { status, body } = await api("GET", "/journal");
  const blob = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: "notify-sim-journal.json" });
  document.body.append(a);
  a.click();
  a.remove();
  if (status !== 200) alert("GET /journal answered " + status);
}

function start() {
  setupTokenForm();
  // A search can be linked: /ui/email?q=<reference>.
  C.filters.q = new URLSearchParams(location.search).get("q") || "";
  for (const a of document.querySelectorAll("#tabs a")) {
    a.addEventListener("click", (ev) => { ev.preventDefault(); go(a.getAttribute("href")); });
  }
  window.addEventListener("popstate", () => render(true));
  render(true);
  stream();
  V.watchFaults();
}

document.addEventListener("DOMContentLoaded", start);
