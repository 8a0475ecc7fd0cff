"""The web chat: a page that plays the stand-in's users in the browser, like Telegram's private chats.

The page (``web/``: plain HTML, CSS and JavaScript, no build step) reads each chat through the JSON
routes below, long-polling for changes, and acts through the control API (`/_standin/users/...`).
What the bot sent that Telegram would refuse is shown in the chat it was meant for and in a list of
problems: the page hides nothing the tests would fail on.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .state import BotMessage, ChatState, Signal
from .users import detected_entities, markable

if TYPE_CHECKING:
    from .standin import BotApiStandin
    from .users import StandinUser

WEB_DIR = Path(__file__).with_name("web")
LONG_POLL_LIMIT = 25.0  # seconds; under common proxy and browser idle timeouts


def add_webchat_routes(app: web.Application, standin_key: web.AppKey[BotApiStandin]) -> None:
    """Serve the page at / and its JSON under /_standin/web/."""

    def standin(request: web.Request) -> BotApiStandin:
        return request.app[standin_key]

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def session(request: web.Request) -> web.Response:
        server = standin(request)
        return _json(
            {
                "bot": {"username": server.core.bot_username, "first_name": server.core.bot_first_name},
                "users": [user_summary(user) for user in server.users],
                "problems": server.core.problems,
            }
        )

    async def chat(request: web.Request) -> web.Response:
        server = standin(request)
        user = server.get_user(int(request.match_info["id"]))
        if user is None:
            return _json({"description": "chat not found"}, status=404)
        since = request.query.get("since", "")
        timeout = min(float(request.query.get("timeout", 0) or 0), LONG_POLL_LIMIT)
        if since == chat_version(server, user.chat) and timeout > 0:
            await _wait_for_change(server, user.chat, since, timeout)
        return _json(chat_view(server, user))

    async def file(request: web.Request) -> web.Response:
        stored = standin(request).core.files.get(request.match_info["file_id"])
        if stored is None or stored.data is None:
            return _json({"description": "file not found"}, status=404)
        disposition = "inline" if stored.kind == "photo" else "attachment"
        name = (stored.file_name or "file").replace('"', "")
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
        )

    app.router.add_get("/", page)
    app.router.add_static("/_standin/web/static/", WEB_DIR, append_version=False)
    app.router.add_get("/_standin/web/session", session)
    app.router.add_get("/_standin/web/chats/{id}", chat)
    app.router.add_get("/_standin/web/files/{file_id}", file)


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.json_response(
        payload,
        status=status,
        headers={"Cache-Control": "no-store"},
        dumps=lambda value: json.dumps(value, ensure_ascii=False),
    )


def chat_version(standin: BotApiStandin, chat: ChatState) -> str:
    """Changes whenever the chat or the list of problems does."""
    return f"{chat.signal.version}.{len(standin.core.problems)}"


async def _wait_for_change(standin: BotApiStandin, chat: ChatState, since: str, timeout: float) -> None:
    """Return when the chat's version moves from `since`, the stand-in stops, or `timeout` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    signals: tuple[Signal, ...] = (chat.signal, standin.core.activity)
    while chat_version(standin, chat) == since and not standin.core.closing:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        waits = [asyncio.ensure_future(signal.wait(remaining)) for signal in signals]
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in pending:
            wait.cancel()


def user_summary(user: StandinUser) -> dict[str, Any]:
    """A user as the switcher lists them, with their newest message."""
    last = user.last_message
    return {
        **user.user,
        "note": user.note,
        "blocked": user.blocked,
        "bot_messages": sum(1 for m in user.messages if not m.deleted),
        "last": (last.plain_text or _media_label(last))[:80] if last else "",
    }


def chat_view(standin: BotApiStandin, user: StandinUser) -> dict[str, Any]:
    """Everything the page draws for one chat."""
    chat = user.chat
    items: list[dict[str, Any]] = []
    for side, item in chat.timeline:
        if side == "bot" and not item.deleted:
            items.append(_bot_item(item))
        elif side == "user":
            items.append(_user_item(item))
        elif side == "error":
            items.append(
                {"side": "error", "method": item.method, "status": item.status, "description": item.description}
            )
    return {
        "version": chat_version(standin, chat),
        "user": user_summary(user),
        "items": items,
        "reply_keyboard": chat.reply_keyboard,
        "callback_answers": [answer.to_json() for answer in chat.callback_answers],
        "commands": _commands(standin, chat.chat_id, user.user.get("language_code")),
        "problems": standin.core.problems,
    }


def _file_url(file_id: str) -> str:
    return f"/_standin/web/files/{file_id}"


def _with_detected(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entities plus the web addresses and /commands Telegram marks in a bot's text, outside code and links."""
    return entities + [found for found in detected_entities(text) if markable(found, entities)]


def _bot_item(message: BotMessage) -> dict[str, Any]:
    item: dict[str, Any] = {
        "side": "bot",
        "message_id": message.message_id,
        "date": message.date,
        "kind": message.kind,
        "text": message.plain_text,
        "entities": _with_detected(message.plain_text, message.entities),
        "edited": message.edited,
        "inline_keyboard": (message.reply_markup or {}).get("inline_keyboard"),
    }
    if message.document is not None:
        item["document"] = {**message.document, "url": _file_url(message.document["file_id"])}
    if message.photo:
        largest = max(message.photo, key=lambda size: size["width"] * size["height"])
        item["photo"] = {"url": _file_url(largest["file_id"]), "width": largest["width"], "height": largest["height"]}
    return item


def _user_item(message: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "side": "user",
        "message_id": message["message_id"],
        "date": message["date"],
        "text": message.get("text") or message.get("caption") or "",
        "entities": message.get("entities") or message.get("caption_entities") or [],
    }
    for kind in ("contact", "location", "sticker", "voice"):
        if kind in message:
            item[kind] = message[kind]
    if "document" in message:
        item["document"] = {**message["document"], "url": _file_url(message["document"]["file_id"])}
    if "photo" in message:
        item["photo"] = {"url": _file_url(message["photo"][-1]["file_id"])}
    return item


def _media_label(message: BotMessage) -> str:
    if message.document is not None:
        return f"📄 {message.document.get('file_name', '')}"
    return "🖼" if message.photo else ""


def _commands(standin: BotApiStandin, chat_id: int, language: str | None) -> list[dict[str, Any]]:
    """The command menu Telegram shows in this chat: the narrowest scope set, in the user's language first."""
    commands = standin.core.commands
    for scope in (
        {"type": "chat", "chat_id": chat_id},
        {"type": "chat", "chat_id": str(chat_id)},
        {"type": "all_private_chats"},
        {"type": "default"},
    ):
        key = json.dumps(scope, sort_keys=True)
        for code in dict.fromkeys((language or "", "")):
            if (key, code) in commands:
                return commands[(key, code)]
    return []
