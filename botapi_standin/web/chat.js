// The web chat: plays the stand-in's users against the bot, one private chat each.
// Reads chats from /_standin/web/ (long polling) and acts through the control API /_standin/users/.
// Everything is drawn as DOM nodes with text set as text: no markup is ever built from what people or the bot wrote.
"use strict";

// The page's own words, one set per language; the chosen user's language_code picks one (Indonesian for "id").
const LABELS = {
  id: {
    locale: "id-ID",
    title: "shm-bot · chat lokal",
    chats: "Chat",
    bot_time: "Waktu bot",
    clock_toggle: "Waktu bot dan lompatan waktu",
    menu: "Perintah bot",
    attach: "Kirim file",
    placeholder: "Tulis pesan…",
    send: "Kirim",
    ok: "OK",
    blocked: "diblokir",
    empty: "Belum ada pesan. Kirim {command} untuk mulai.",
    refused: "⚠ Telegram akan menolak {method}: {status} {description}",
    problems: "⚠ {count} kiriman bot yang akan ditolak Telegram",
    photo: "foto",
    sticker: "[stiker]",
    voice: "🎤 pesan suara",
    edited: "diedit",
    unsupported: "tidak didukung di sini",
    no_commands: "Bot belum memasang daftar perintah.",
    sending_file: "Mengirim {name}…",
    jump_step: "+{span}",
    jump_before: "ke {span} sebelum SHM {city}",
    jump_start: "ke mulai SHM {city}",
    jump_end: "ke akhir SHM {city}",
    jump_day: "ke pagi hari SHM {city}",
    hold_code: "📷 Pegang kode ini untuk dipindai",
    held_code: "Kode yang dipegang (dari {name})",
    scan_as: "Pindai sebagai {name}",
    drop_code: "Lepas",
    brings: {reminder: "pengingat {span}", attendance: "pertanyaan Hadir / Tidak hadir",
             "attendance-nudge": "tanya ulang kehadiran", starts: "pertemuan dimulai; pendaftaran tutup",
             day: "hari pertemuan: kode check-in", ends: "pertemuan selesai: sertifikat dan evaluasi"},
    and: " dan ",
    units: {d: ["hari", "hari"], h: ["jam", "jam"], m: ["menit", "menit"]},
  },
  en: {
    locale: "en-GB",
    title: "shm-bot · local chat",
    chats: "Chats",
    bot_time: "Bot time",
    clock_toggle: "Bot time and time jumps",
    menu: "Bot commands",
    attach: "Send a file",
    placeholder: "Write a message…",
    send: "Send",
    ok: "OK",
    blocked: "blocked",
    empty: "No messages yet. Send {command} to begin.",
    refused: "⚠ Telegram would refuse {method}: {status} {description}",
    problems: "⚠ {count} bot calls Telegram would refuse",
    photo: "photo",
    sticker: "[sticker]",
    voice: "🎤 voice message",
    edited: "edited",
    unsupported: "not supported here",
    no_commands: "The bot has not set a command list.",
    sending_file: "Sending {name}…",
    jump_step: "+{span}",
    jump_before: "to {span} before SHM {city}",
    jump_start: "to the start of SHM {city}",
    jump_end: "to the end of SHM {city}",
    jump_day: "to the morning of SHM {city}",
    hold_code: "📷 Hold this code up to be scanned",
    held_code: "Code held up (from {name})",
    scan_as: "Scan as {name}",
    drop_code: "Put away",
    brings: {reminder: "reminder {span}", attendance: "Attending / Not attending question",
             "attendance-nudge": "attendance asked again", starts: "the meeting starts; registration closes",
             day: "the meeting day: check-in codes", ends: "the meeting ends: certificates and evaluation"},
    and: " and ",
    units: {d: ["day", "days"], h: ["hour", "hours"], m: ["minute", "minutes"]},
  },
};

const state = {
  bot: null,
  held: null,           // a QR code held up: {url, photo, from}
  users: [],
  current: null,        // the user id whose chat is shown
  version: "",
  seen: {},             // user id -> bot messages already seen
  answersSeen: {},      // user id -> callback answers already shown
  poll: null,           // AbortController of the chat's long poll
  commands: [],
  clock: null,          // {now (ms), fetchedAt (ms), jumps}
  language: "id",
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- the page's language

function languageOf(user) {
  const code = ((user && user.language_code) || "").toLowerCase().split("-")[0];
  return code === "id" ? "id" : "en";
}

function t(key, params) {
  const words = LABELS[state.language][key];
  return String(words).replace(/\{(\w+)\}/g, (_, name) => (params && name in params ? params[name] : ""));
}

// "7d" (the bot's duration format) as the page says it: "7 hari", "7 days".
function span(duration) {
  const match = /^(\d+)([dhm])$/.exec(duration || "");
  if (!match) return duration || "";
  const count = Number(match[1]);
  return `${count} ${LABELS[state.language].units[match[2]][count === 1 ? 0 : 1]}`;
}

function applyLabels() {
  const current = state.users.find((user) => user.id === state.current);
  state.language = current ? languageOf(current) : "id";
  document.documentElement.lang = state.language;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-label]")) node.textContent = t(node.dataset.label);
  for (const node of document.querySelectorAll("[data-label-title]")) {
    node.title = t(node.dataset.labelTitle);
    node.setAttribute("aria-label", node.title);
  }
}

// ---------------------------------------------------------------- DOM helpers

// h("a", {className: "x", href: url}, "text", child): an element; strings become text nodes.
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === "") continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, body) {
  let init = {};
  if (body instanceof FormData) init = {method: "POST", body};
  else if (body !== undefined) init = {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, init);
  const payload = await response.json().catch(() => ({}));
  if (!response.ok || payload.ok === false) throw new Error(payload.description || response.statusText);
  return payload;
}

// Only web addresses open from the page; anything else (javascript:, data:, tg:) stays plain text.
function webUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

function link(url) {
  const href = webUrl(url);
  return href ? h("a", {href, target: "_blank", rel: "noopener noreferrer"}) : h("span", {className: "link-refused"});
}

// ---------------------------------------------------------------- formatting from entities

const TAGS = {bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
              blockquote: "blockquote", expandable_blockquote: "blockquote"};

// The element an entity opens: [the node to attach, the node its text goes into].
function entityNodes(entity, text) {
  const inner = text.substr(entity.offset, entity.length);
  if (TAGS[entity.type]) { const node = h(TAGS[entity.type]); return [node, node]; }
  let node;
  switch (entity.type) {
    case "pre": {
      const code = h("code", {dataset: entity.language ? {language: entity.language} : undefined});
      return [h("pre", {}, code), code];
    }
    case "spoiler": node = h("span", {className: "spoiler"}); break;
    case "text_link": node = link(entity.url); break;
    case "url": node = link(/^[a-z][a-z0-9+.-]*:/i.test(inner) ? inner : "http://" + inner); break;
    case "email": node = h("a", {href: "mailto:" + inner}); break;
    case "phone_number": node = h("a", {href: "tel:" + inner.replace(/[^\d+]/g, "")}); break;
    case "bot_command": node = h("a", {href: "#", className: "command", dataset: {command: inner}}); break;
    default: node = h("span", {className: `entity-${entity.type}`});
  }
  return [node, node];
}

// Offsets are UTF-16 code units, as JavaScript strings count them. Overlapping entities are split.
function renderText(text, entities) {
  const root = document.createDocumentFragment();
  const sorted = (entities || []).filter((e) => e.length > 0)
    .slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const starts = new Map();
  for (const entity of sorted) {
    if (!starts.has(entity.offset)) starts.set(entity.offset, []);
    starts.get(entity.offset).push(entity);
  }
  const open = [];  // [{entity, node}] from the outermost
  const parent = () => (open.length ? open[open.length - 1].node : root);
  let pending = "";
  const flush = () => { if (pending) parent().append(pending); pending = ""; };
  const enter = (entity) => {
    const [outer, inner] = entityNodes(entity, text);
    parent().append(outer);
    open.push({entity, node: inner});
  };
  for (let i = 0; i <= text.length; i++) {
    const endsHere = open.findIndex((o) => o.entity.offset + o.entity.length <= i);
    if (endsHere >= 0) {
      // Close down to the first entity ending here; reopen the ones that go on (overlaps).
      flush();
      const closed = open.splice(endsHere);
      for (const {entity} of closed) if (entity.offset + entity.length > i) enter(entity);
    }
    if (i === text.length) break;
    if (starts.has(i)) { flush(); for (const entity of starts.get(i)) enter(entity); }
    pending += text[i];
  }
  flush();
  return root;
}

// ---------------------------------------------------------------- drawing

function time(unix) {
  return new Date(unix * 1000).toLocaleTimeString(t("locale"), {hour: "2-digit", minute: "2-digit", timeZone: "Asia/Jakarta"});
}

function dayOf(unix) {
  return new Date(unix * 1000).toLocaleDateString(t("locale"), {weekday: "long", day: "numeric", month: "long", timeZone: "Asia/Jakarta"});
}

function fullName(user) { return [user.first_name, user.last_name].filter(Boolean).join(" "); }

function initials(user) { return (user.first_name || "?").slice(0, 1) + (user.last_name || "").slice(0, 1); }

// A user's note: one text, or texts by language.
function noteOf(user) {
  const note = user.note;
  if (!note || typeof note === "string") return note || "";
  return note[state.language] || note.id || Object.values(note)[0] || "";
}

const COLORS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

function drawUsers() {
  const items = state.users.map((user) => {
    const unread = user.id === state.current ? 0 : Math.max(0, user.bot_messages - (state.seen[user.id] || 0));
    // First and last name are their own lines on a phone, so that neither is cut off.
    const name = h("div", {className: "name"}, h("span", {}, user.first_name),
                   user.last_name ? [" ", h("span", {}, user.last_name)] : []);
    const item = h("li", {className: "chat-item" + (user.id === state.current ? " active" : ""),
                          dataset: {userId: user.id}, title: fullName(user)},
      h("div", {className: "avatar", style: `background:${COLORS[user.id % COLORS.length]}`}, initials(user)),
      h("div", {className: "who"}, name, h("div", {className: "note muted"}, noteOf(user)),
        h("div", {className: "last muted"}, user.last || "")),
      unread ? h("span", {className: "badge"}, unread) : null);
    item.addEventListener("click", () => select(user.id));
    return item;
  });
  $("chat-list").replaceChildren(...items);
}

function drawChat(view) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  state.commands = view.commands || [];
  $("chat-sub").textContent = `bot · ${fullName(view.user)} (${view.user.id})${view.user.blocked ? ` · ${t("blocked")}` : ""}`;
  if (!view.items.length) {
    const [before, after] = LABELS[state.language].empty.split("{command}");
    box.replaceChildren(h("div", {className: "empty"}, before,
      h("a", {href: "#", className: "command", dataset: {command: "/start"}}, h("b", {}, "/start")), after));
  } else {
    let day = "";
    const nodes = [];
    for (const item of view.items) {
      const itemDay = item.date ? dayOf(item.date) : day;
      if (itemDay !== day) nodes.push(h("div", {className: "day"}, h("span", {}, itemDay)));
      day = itemDay;
      nodes.push(drawItem(item));
    }
    box.replaceChildren(...nodes);
  }
  drawReplyKeyboard(view.reply_keyboard);
  drawProblems(view.problems);
  showNewAnswers(view);
  state.seen[view.user.id] = view.user.bot_messages;
  if (atBottom || state.version === "") box.scrollTop = box.scrollHeight;
}

function drawItem(item) {
  if (item.side === "error") {
    return h("div", {className: "row error"}, h("div", {className: "error-note"},
      t("refused", {method: item.method, status: item.status, description: item.description || ""})));
  }
  const body = [];
  if (item.photo) {
    body.push(h("div", {className: "photo"}, h("a", {href: item.photo.url, target: "_blank"},
      h("img", {src: item.photo.url, alt: t("photo")}))));
    // A QR code of this bot (its caption carries the link): held up, another user's camera can scan it.
    const link = botStartLink(item);
    if (link) {
      body.push(h("button", {type: "button", className: "hold-code", dataset: {link, photo: item.photo.url}},
        t("hold_code")));
    }
  }
  if (item.document) {
    const name = item.document.file_name || "file";
    const size = item.document.file_size ? `${Math.max(1, Math.round(item.document.file_size / 1024))} KB` : "";
    body.push(h("a", {className: "doc", href: item.document.url, download: name},
      h("span", {className: "doc-icon"}, "⬇"),
      h("span", {}, h("span", {className: "doc-name"}, name), h("br"), h("span", {className: "muted"}, size))));
  }
  if (item.contact) body.push(`📱 ${item.contact.phone_number}`);
  if (item.location) body.push(`📍 ${item.location.latitude}, ${item.location.longitude}`);
  if (item.sticker) body.push(item.sticker.emoji || t("sticker"));
  if (item.voice) body.push(t("voice"));
  if (item.text) body.push(h("span", {className: "text"}, renderText(item.text, item.entities)));
  body.push(h("span", {className: "meta"}, `${item.edited ? t("edited") + " " : ""}${time(item.date)}`));
  const keyboard = item.inline_keyboard ? h("div", {className: "inline-keyboard"}, item.inline_keyboard.map((row) =>
    h("div", {className: "kb-row"}, row.map((button) => inlineButton(item.message_id, button))))) : null;
  return h("div", {className: `row ${item.side}`, dataset: {messageId: item.message_id}},
    h("div", {className: "bubble"}, body), keyboard);
}

function inlineButton(messageId, button) {
  if (button.callback_data !== undefined) {
    return h("button", {type: "button", className: "inline-btn", dataset: {messageId, callback: button.callback_data}},
             button.text);
  }
  if (button.url) return h("button", {type: "button", className: "inline-btn", dataset: {url: button.url}}, `${button.text} ↗`);
  return h("button", {type: "button", className: "inline-btn", disabled: true, title: t("unsupported")}, button.text);
}

function drawReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  const rows = markup && markup.keyboard;
  $("composer-input").placeholder = (markup && markup.input_field_placeholder) || t("placeholder");
  if (!rows || !rows.length) { box.hidden = true; box.replaceChildren(); return; }
  box.hidden = false;
  box.replaceChildren(...rows.map((row) => h("div", {className: "kb-row"}, row.map((button) => {
    const text = typeof button === "string" ? button : button.text;
    return h("button", {type: "button", className: "reply-btn", dataset: {text}}, text);
  }))));
}

function drawProblems(problems) {
  const box = $("problems");
  box.hidden = !problems.length;
  $("problems-title").textContent = t("problems", {count: problems.length});
  $("problems-list").replaceChildren(...problems.map((line) => h("li", {}, line)));
}

function showNewAnswers(view) {
  const answers = view.callback_answers || [];
  const seen = state.answersSeen[view.user.id];
  state.answersSeen[view.user.id] = answers.length;
  if (seen === undefined) return;  // first look at this chat: old answers are history
  for (const answer of answers.slice(seen)) {
    if (!answer.text) continue;
    if (answer.show_alert) showAlert(answer.text); else toast(answer.text);
  }
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 3000);
}

function showAlert(text) { $("alert-text").textContent = text; $("alert").hidden = false; }

// ---------------------------------------------------------------- acting

async function act(action, body) {
  try {
    await api(`/_standin/users/${state.current}/${action}`, body);
  } catch (error) {
    toast(error.message);
  }
}

function sendText(text) {
  if (!text.trim() || state.current === null) return;
  act("text", {text});
}

// As from Telegram's attach button: the file as a document, with what is in the text box as its caption.
async function sendFile(file) {
  if (state.current === null) return;
  const form = new FormData();
  form.append("document", file, file.name);
  const input = $("composer-input");
  if (input.value.trim()) form.append("caption", input.value);
  clearComposer();
  toast(t("sending_file", {name: file.name}));
  await act("document", form);
}

// The t.me start link of this bot that a message's text or caption carries, if any.
function botStartLink(item) {
  const bot = state.bot && state.bot.username;
  if (!bot || !item.text) return null;
  const pattern = new RegExp(`^https?://t\\.me/${bot}\\?start=[\\w-]+$`, "i");
  for (const entity of item.entities || []) {
    const url = entity.type === "text_link" ? entity.url
      : entity.type === "url" ? item.text.substr(entity.offset, entity.length) : null;
    if (url && pattern.test(url)) return url;
  }
  return null;
}

// The code held up: shown above the chat whoever is chosen, so switching to a PIC and tapping scans it.
function drawHeld() {
  const box = $("held");
  if (!state.held) { box.hidden = true; box.replaceChildren(); return; }
  const current = state.users.find((user) => user.id === state.current);
  box.hidden = false;
  box.replaceChildren(
    h("img", {src: state.held.photo, alt: t("photo")}),
    h("div", {className: "held-text"},
      h("div", {className: "muted"}, t("held_code", {name: state.held.from})),
      h("button", {type: "button", id: "scan-held"}, t("scan_as", {name: current ? current.first_name : "?"})),
      h("button", {type: "button", id: "drop-held", className: "muted"}, t("drop_code"))));
}

function onHeldClick(event) {
  if (event.target.id === "scan-held" && state.held) {
    const url = state.held.url;
    state.held = null;
    drawHeld();
    openUrl(url);
  } else if (event.target.id === "drop-held") {
    state.held = null;
    drawHeld();
  }
}

// A t.me link to this bot with ?start= opens the chat with that start parameter, as Telegram does.
function openUrl(url) {
  const bot = state.bot && state.bot.username;
  const match = bot && url.match(new RegExp(`^https?://t\\.me/${bot}\\?start=([\\w-]+)$`, "i"));
  if (match) { sendText(`/start ${match[1]}`); return; }
  const href = webUrl(url);
  if (href) window.open(href, "_blank", "noopener");
}

function onMessagesClick(event) {
  const button = event.target.closest("button.inline-btn");
  if (button && button.dataset.callback !== undefined) {
    act("press", {message_id: Number(button.dataset.messageId), data: button.dataset.callback});
    return;
  }
  if (button && button.dataset.url) { openUrl(button.dataset.url); return; }
  const hold = event.target.closest("button.hold-code");
  if (hold) {
    const current = state.users.find((user) => user.id === state.current);
    state.held = {url: hold.dataset.link, photo: hold.dataset.photo, from: current ? current.first_name : "?"};
    drawHeld();
    return;
  }
  const command = event.target.closest("a.command");
  if (command) { event.preventDefault(); sendText(command.dataset.command); return; }
  const anchor = event.target.closest("a[href^='http']");
  if (anchor && /^https?:\/\/t\.me\//i.test(anchor.href)) { event.preventDefault(); openUrl(anchor.href); return; }
  const spoiler = event.target.closest(".spoiler");
  if (spoiler) spoiler.classList.add("shown");
}

function drawCommands() {
  const box = $("commands");
  if (!box.hidden) { box.hidden = true; return; }
  const buttons = state.commands.map((c) => h("button", {type: "button", dataset: {command: `/${c.command}`}},
    h("span", {className: "cmd-name"}, `/${c.command}`), h("span", {className: "muted"}, c.description)));
  box.replaceChildren(...(buttons.length ? buttons : [h("p", {className: "muted no-commands"}, t("no_commands"))]));
  box.hidden = false;
}

function clearComposer() {
  const input = $("composer-input");
  input.value = "";
  fitComposer();
}

// The text box grows with its lines, up to a few, as in Telegram's apps.
function fitComposer() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
}

// ---------------------------------------------------------------- polling

async function select(userId) {
  if (state.poll) state.poll.abort();
  state.current = userId;
  state.version = "";
  $("commands").hidden = true;
  applyLabels();
  drawUsers();
  drawClock(true);
  drawHeld();
  $("composer-input").placeholder = t("placeholder");
  $("messages").replaceChildren();
  followChat(userId);
}

async function followChat(userId) {
  const controller = new AbortController();
  state.poll = controller;
  while (state.current === userId && !controller.signal.aborted) {
    try {
      const response = await fetch(`/_standin/web/chats/${userId}?since=${encodeURIComponent(state.version)}&timeout=20`,
                                   {signal: controller.signal});
      if (!response.ok) throw new Error(response.statusText);
      const view = await response.json();
      if (state.current !== userId) return;
      if (view.version !== state.version) { drawChat(view); state.version = view.version; }
    } catch (error) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function refreshUsers() {
  try {
    const session = await api("/_standin/web/session");
    state.bot = session.bot;
    state.users = session.users;
    $("bot-name").textContent = session.bot.first_name + (session.bot.username ? ` (@${session.bot.username})` : "");
    $("bot-avatar").textContent = initials({first_name: session.bot.first_name});
    if (state.current === null && state.users.length) select(state.users[0].id);
    else drawUsers();
  } catch (error) { /* the server may be restarting */ }
}

// ---------------------------------------------------------------- the demo's clock (absent on a bare stand-in)

async function refreshClock() {
  try {
    const response = await fetch("/_demo/clock");
    if (!response.ok) return;
    const clock = await response.json();
    state.clock = {now: Date.parse(clock.now), fetchedAt: Date.now(), jumps: clock.jumps};
    drawClock(true);
  } catch (error) { /* no demo clock */ }
}

// A jump as its button says it, and what it brings as its tooltip.
function jumpLabel(jump) {
  if (jump.step) return t("jump_step", {span: span(jump.step)});
  if (jump.ends) return t("jump_end", {city: jump.city});
  // The meeting day's morning is what one wants to reach there, whatever reminder falls at the same moment.
  if ((jump.brings || []).includes("day")) return t("jump_day", {city: jump.city});
  return jump.before ? t("jump_before", {span: span(jump.before), city: jump.city}) : t("jump_start", {city: jump.city});
}

function jumpTitle(jump) {
  const brings = LABELS[state.language].brings;
  return (jump.brings || []).map((name) => name.startsWith("reminder-")
    ? brings.reminder.replace("{span}", span(name.slice("reminder-".length)))
    : brings[name] || name).join(t("and"));
}

function drawClock(withJumps) {
  const clock = state.clock;
  if (!clock) return;
  $("clock").hidden = false;
  $("clock-toggle").hidden = false;
  const now = new Date(clock.now + Date.now() - clock.fetchedAt);
  $("clock-now").textContent = now.toLocaleString(t("locale"), {weekday: "short", day: "numeric", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Asia/Jakarta"}) + " WIB";
  if (!withJumps) return;
  $("clock-jumps").replaceChildren(...clock.jumps.map((jump, i) =>
    h("button", {type: "button", dataset: {jump: i}, disabled: !jump.available, title: jumpTitle(jump) || undefined},
      jumpLabel(jump))));
}

async function jump(index) {
  const chosen = state.clock.jumps[index];
  try {
    const clock = await api("/_demo/clock", chosen.to ? {to: chosen.to} : {seconds: chosen.seconds});
    state.clock = {now: Date.parse(clock.now), fetchedAt: Date.now(), jumps: clock.jumps};
    drawClock(true);
  } catch (error) { toast(error.message); }
}

// On a phone the clock bar is folded away behind a button in the chat's header.
function toggleClock() {
  const open = $("clock").classList.toggle("open");
  $("clock-toggle").setAttribute("aria-expanded", String(open));
}

// ---------------------------------------------------------------- start

document.addEventListener("DOMContentLoaded", () => {
  applyLabels();
  const input = $("composer-input");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendText(input.value);
    clearComposer();
    $("commands").hidden = true;
  });
  // Enter sends, Shift+Enter starts a new line (and Enter while an input method composes is its own).
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  input.addEventListener("input", fitComposer);
  $("attach-button").addEventListener("click", () => $("attach-input").click());
  $("attach-input").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = "";  // the same file can be chosen again
    if (file) sendFile(file);
  });
  $("messages").addEventListener("click", onMessagesClick);
  $("held").addEventListener("click", onHeldClick);
  $("reply-keyboard").addEventListener("click", (event) => {
    const button = event.target.closest("button.reply-btn");
    if (button) act("tap", {text: button.dataset.text});
  });
  $("menu-button").addEventListener("click", drawCommands);
  $("commands").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    if (button) { sendText(button.dataset.command); $("commands").hidden = true; }
  });
  $("clock-jumps").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-jump]");
    if (button) jump(Number(button.dataset.jump));
  });
  $("clock-toggle").addEventListener("click", toggleClock);
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  refreshUsers();
  refreshClock();
  setInterval(refreshUsers, 2000);
  setInterval(refreshClock, 15000);
  setInterval(() => drawClock(false), 1000);
});
