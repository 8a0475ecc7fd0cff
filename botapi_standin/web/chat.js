// The web chat: plays the stand-in's users against the bot, one private chat each.
// Reads chats from /_standin/web/ (long polling) and acts through the control API /_standin/users/.
"use strict";

const state = {
  bot: null,
  users: [],
  current: null,        // the user id whose chat is shown
  version: "",
  seen: {},             // user id -> bot messages already seen
  answersSeen: {},      // user id -> callback answers already shown
  poll: null,           // AbortController of the chat's long poll
  commands: [],
  clock: null,          // {now (ms), fetchedAt (ms), jumps}
};

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const SAFE_URL = /^(https?:|tg:|mailto:|tel:)/i;

async function api(path, body) {
  const init = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, init);
  const payload = await response.json().catch(() => ({}));
  if (!response.ok || payload.ok === false) throw new Error(payload.description || response.statusText);
  return payload;
}

// ---------------------------------------------------------------- formatting from entities

const TAGS = {
  bold: ["<b>", "</b>"], italic: ["<i>", "</i>"], underline: ["<u>", "</u>"], strikethrough: ["<s>", "</s>"],
  code: ["<code>", "</code>"], blockquote: ["<blockquote>", "</blockquote>"],
  expandable_blockquote: ["<blockquote>", "</blockquote>"],
};

function openTag(entity, text) {
  const inner = text.substr(entity.offset, entity.length);
  if (TAGS[entity.type]) return TAGS[entity.type][0];
  switch (entity.type) {
    case "pre": return `<pre><code${entity.language ? ` data-language="${esc(entity.language)}"` : ""}>`;
    case "spoiler": return '<span class="spoiler">';
    case "text_link": return link(entity.url);
    case "url": return link(/^[a-z]+:/i.test(inner) ? inner : "http://" + inner);
    case "email": return link("mailto:" + inner);
    case "phone_number": return link("tel:" + inner);
    case "bot_command": return `<a href="#" class="command" data-command="${esc(inner)}">`;
    default: return `<span class="entity-${esc(entity.type)}">`;
  }
}

function closeTag(entity) {
  if (TAGS[entity.type]) return TAGS[entity.type][1];
  if (entity.type === "pre") return "</code></pre>";
  if (["text_link", "url", "email", "phone_number", "bot_command"].includes(entity.type)) return "</a>";
  return "</span>";
}

function link(url) {
  return SAFE_URL.test(url) ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">` : "<a>";
}

// Offsets are UTF-16 code units, as JavaScript strings count them.
function renderText(text, entities) {
  const sorted = (entities || []).filter((e) => e.length > 0)
    .slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const starts = new Map();
  for (const entity of sorted) {
    if (!starts.has(entity.offset)) starts.set(entity.offset, []);
    starts.get(entity.offset).push(entity);
  }
  const open = [];
  let out = "";
  for (let i = 0; i <= text.length; i++) {
    const endsHere = open.findIndex((e) => e.offset + e.length <= i);
    if (endsHere >= 0) {
      // Close down to the first entity ending here; reopen the ones that go on (overlaps).
      const closed = open.splice(endsHere);
      for (let k = closed.length - 1; k >= 0; k--) out += closeTag(closed[k]);
      for (const entity of closed) if (entity.offset + entity.length > i) { out += openTag(entity, text); open.push(entity); }
    }
    if (i === text.length) break;
    for (const entity of starts.get(i) || []) { out += openTag(entity, text); open.push(entity); }
    out += esc(text[i]);
  }
  return out;
}

// ---------------------------------------------------------------- drawing

function time(unix) {
  return new Date(unix * 1000).toLocaleTimeString("id-ID", {hour: "2-digit", minute: "2-digit", timeZone: "Asia/Jakarta"});
}

function dayOf(unix) {
  return new Date(unix * 1000).toLocaleDateString("id-ID", {weekday: "long", day: "numeric", month: "long", timeZone: "Asia/Jakarta"});
}

function fullName(user) { return [user.first_name, user.last_name].filter(Boolean).join(" "); }

function initials(user) { return (user.first_name || "?").slice(0, 1) + (user.last_name || "").slice(0, 1); }

const COLORS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

function drawUsers() {
  const list = $("chat-list");
  list.innerHTML = "";
  for (const user of state.users) {
    const unread = user.id === state.current ? 0 : Math.max(0, user.bot_messages - (state.seen[user.id] || 0));
    const item = document.createElement("li");
    item.className = "chat-item" + (user.id === state.current ? " active" : "");
    item.dataset.userId = user.id;
    item.innerHTML = `<div class="avatar" style="background:${COLORS[user.id % COLORS.length]}">${esc(initials(user))}</div>
      <div class="who"><div class="name">${esc(fullName(user))}</div>
      <div class="note muted">${esc(user.note || "")}</div><div class="last muted">${esc(user.last || "")}</div></div>
      ${unread ? `<span class="badge">${unread}</span>` : ""}`;
    item.addEventListener("click", () => select(user.id));
    list.appendChild(item);
  }
}

function drawChat(view) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  state.commands = view.commands || [];
  $("chat-sub").textContent = `bot · ${fullName(view.user)} (${view.user.id})${view.user.blocked ? " · diblokir" : ""}`;
  if (!view.items.length) {
    box.innerHTML = `<div class="empty">Belum ada pesan. Kirim <b>/start</b> untuk mulai.</div>`;
  } else {
    let day = "";
    box.innerHTML = view.items.map((item) => {
      const itemDay = item.date ? dayOf(item.date) : day;
      const separator = itemDay !== day ? `<div class="day"><span>${esc(itemDay)}</span></div>` : "";
      day = itemDay;
      return separator + drawItem(item);
    }).join("");
  }
  drawReplyKeyboard(view.reply_keyboard);
  drawProblems(view.problems);
  showNewAnswers(view);
  state.seen[view.user.id] = view.user.bot_messages;
  if (atBottom || state.version === "") box.scrollTop = box.scrollHeight;
}

function drawItem(item) {
  if (item.side === "error") {
    return `<div class="row error"><div class="error-note">⚠ Telegram akan menolak ${esc(item.method)}: ${esc(item.status)} ${esc(item.description || "")}</div></div>`;
  }
  let body = "";
  if (item.photo) body += `<div class="photo"><a href="${esc(item.photo.url)}" target="_blank"><img src="${esc(item.photo.url)}" alt="foto"></a></div>`;
  if (item.document) {
    const size = item.document.file_size ? `${Math.max(1, Math.round(item.document.file_size / 1024))} KB` : "";
    body += `<a class="doc" href="${esc(item.document.url)}" download="${esc(item.document.file_name || "file")}">
      <span class="doc-icon">⬇</span><span><span class="doc-name">${esc(item.document.file_name || "file")}</span><br><span class="muted">${size}</span></span></a>`;
  }
  if (item.contact) body += `📱 ${esc(item.contact.phone_number)}`;
  if (item.location) body += `📍 ${esc(item.location.latitude)}, ${esc(item.location.longitude)}`;
  if (item.sticker) body += esc(item.sticker.emoji || "[stiker]");
  if (item.voice) body += "🎤 pesan suara";
  if (item.text) body += `<span class="text">${renderText(item.text, item.entities)}</span>`;
  const meta = `<span class="meta">${item.edited ? "diedit " : ""}${time(item.date)}</span>`;
  let keyboard = "";
  if (item.inline_keyboard) {
    keyboard = `<div class="inline-keyboard">${item.inline_keyboard.map((row) =>
      `<div class="kb-row">${row.map((button) => inlineButton(item.message_id, button)).join("")}</div>`).join("")}</div>`;
  }
  return `<div class="row ${item.side}" data-message-id="${item.message_id}"><div class="bubble">${body}${meta}</div>${keyboard}</div>`;
}

function inlineButton(messageId, button) {
  const text = esc(button.text);
  if (button.callback_data !== undefined) {
    return `<button class="inline-btn" data-message-id="${messageId}" data-callback="${esc(button.callback_data)}">${text}</button>`;
  }
  if (button.url) return `<button class="inline-btn" data-url="${esc(button.url)}">${text} ↗</button>`;
  return `<button class="inline-btn" disabled title="tidak didukung di sini">${text}</button>`;
}

function drawReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  const rows = markup && markup.keyboard;
  $("composer-input").placeholder = (markup && markup.input_field_placeholder) || "Tulis pesan…";
  if (!rows || !rows.length) { box.hidden = true; box.innerHTML = ""; return; }
  box.hidden = false;
  box.innerHTML = rows.map((row) => `<div class="kb-row">${row.map((button) => {
    const b = typeof button === "string" ? {text: button} : button;
    return `<button type="button" class="reply-btn" data-text="${esc(b.text)}">${esc(b.text)}</button>`;
  }).join("")}</div>`).join("");
}

function drawProblems(problems) {
  const box = $("problems");
  box.hidden = !problems.length;
  $("problems-title").textContent = `⚠ ${problems.length} kiriman bot yang akan ditolak Telegram`;
  $("problems-list").innerHTML = problems.map((line) => `<li>${esc(line)}</li>`).join("");
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

// A t.me link to this bot with ?start= opens the chat with that start parameter, as Telegram does.
function openUrl(url) {
  const bot = state.bot && state.bot.username;
  const match = bot && url.match(new RegExp(`^https?://t\\.me/${bot}\\?start=([\\w-]+)$`, "i"));
  if (match) { sendText(`/start ${match[1]}`); return; }
  window.open(url, "_blank", "noopener");
}

function onMessagesClick(event) {
  const button = event.target.closest("button.inline-btn");
  if (button && button.dataset.callback !== undefined) {
    act("press", {message_id: Number(button.dataset.messageId), data: button.dataset.callback});
    return;
  }
  if (button && button.dataset.url) { openUrl(button.dataset.url); return; }
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
  box.innerHTML = state.commands.map((c) =>
    `<button type="button" data-command="/${esc(c.command)}"><span class="cmd-name">/${esc(c.command)}</span><span class="muted">${esc(c.description)}</span></button>`).join("")
    || '<p class="muted" style="padding:8px 14px">Bot belum memasang daftar perintah.</p>';
  box.hidden = false;
}

// ---------------------------------------------------------------- polling

async function select(userId) {
  if (state.poll) state.poll.abort();
  state.current = userId;
  state.version = "";
  $("commands").hidden = true;
  drawUsers();
  $("messages").innerHTML = "";
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

function drawClock(withJumps) {
  const clock = state.clock;
  if (!clock) return;
  $("clock").hidden = false;
  const now = new Date(clock.now + Date.now() - clock.fetchedAt);
  $("clock-now").textContent = now.toLocaleString("id-ID", {weekday: "short", day: "numeric", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Asia/Jakarta"}) + " WIB";
  if (!withJumps) return;
  $("clock-jumps").innerHTML = clock.jumps.map((jump, i) =>
    `<button type="button" data-jump="${i}" ${jump.available ? "" : "disabled"} title="${esc(jump.title || "")}">${esc(jump.label)}</button>`).join("");
}

async function jump(index) {
  const chosen = state.clock.jumps[index];
  try {
    const clock = await api("/_demo/clock", chosen.to ? {to: chosen.to} : {seconds: chosen.seconds});
    state.clock = {now: Date.parse(clock.now), fetchedAt: Date.now(), jumps: clock.jumps};
    drawClock(true);
  } catch (error) { toast(error.message); }
}

// ---------------------------------------------------------------- start

document.addEventListener("DOMContentLoaded", () => {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("composer-input");
    sendText(input.value);
    input.value = "";
    $("commands").hidden = true;
  });
  $("messages").addEventListener("click", onMessagesClick);
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
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  refreshUsers();
  refreshClock();
  setInterval(refreshUsers, 2000);
  setInterval(refreshClock, 15000);
  setInterval(() => drawClock(false), 1000);
});
