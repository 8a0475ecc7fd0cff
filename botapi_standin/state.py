"""In-memory state of the stand-in: call records, chats, the bot's messages, change signals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .markup import inline_buttons


class Signal:
    """A broadcast "something changed" notification that many coroutines can wait on."""

    __slots__ = ("_event", "version")

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self.version = 0

    def notify(self) -> None:
        """Wake every current waiter."""
        self.version += 1
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> bool:
        """Wait for the next notify(); return False on timeout."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


# How long a test waits for the bot before it fails. A wait returns the moment its condition holds, so a
# generous ceiling costs nothing when the bot is quick and keeps a loaded machine from failing a test.
WAIT = 30.0


async def wait_until(signal: Signal, predicate: Callable[[], bool], timeout: float) -> bool:
    """Re-check predicate on every notify until it holds; False if timeout passes first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        await signal.wait(remaining)
    return True


@dataclass(slots=True)
class CallRecord:
    """One Bot API request as received (status is 0 while it is still being answered)."""

    method: str
    params: dict[str, Any]
    status: int
    received_at: float
    description: str | None = None
    result: Any = None
    injected: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-friendly view for the control API."""
        return {
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "received_at": self.received_at,
            "description": self.description,
            "injected": self.injected,
        }


@dataclass(slots=True)
class WarningRecord:
    """Something Telegram would silently accept but that is probably a mistake."""

    method: str
    parameter: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(slots=True)
class CallbackAnswer:
    """An answerCallbackQuery call for one of the user's button presses."""

    callback_query_id: str
    data: str | None
    message_id: int | None
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-friendly view."""
        return {
            "callback_query_id": self.callback_query_id,
            "data": self.data,
            "message_id": self.message_id,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
        }


@dataclass(slots=True)
class PendingQuery:
    """A callback query waiting for answerCallbackQuery."""

    chat_id: int
    data: str | None
    message_id: int | None
    answered: bool = False


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, kept current through edits and deletion."""

    message_id: int
    chat_id: int
    date: int
    kind: str  # "text", "document" or "photo"
    sender: dict[str, Any] = field(repr=False)
    chat: dict[str, Any] = field(repr=False)
    text: str | None = None  # raw text as the bot sent it (markup included)
    caption: str | None = None  # raw caption as the bot sent it
    parse_mode: str | None = None
    plain_text: str = ""  # text or caption after entity parsing: what the user reads
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    reply_to: dict[str, Any] | None = field(default=None, repr=False)
    edited: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row, flattened."""
        return inline_buttons(self.reply_markup)

    @property
    def button_texts(self) -> list[str]:
        """Visible texts of the inline buttons."""
        return [b["text"] for b in self.buttons]

    def find_button(self, text: str | None = None, data: str | None = None) -> dict[str, Any]:
        """Find one inline button by callback_data, exact text, or unique text substring."""
        buttons = self.buttons
        if data is not None:
            matches = [b for b in buttons if b.get("callback_data") == data]
        else:
            matches = [b for b in buttons if b["text"] == text]
            if not matches and text:
                matches = [b for b in buttons if text in b["text"]]
        if len(matches) != 1:
            wanted = f"data={data!r}" if data is not None else f"text={text!r}"
            problem = "no button matches" if not matches else "several buttons match"
            raise AssertionError(
                f"{problem} {wanted} on bot message #{self.message_id} ({self.plain_text[:80]!r}); "
                f"buttons: {self.describe_buttons() or 'none'}"
            )
        return matches[0]

    def describe_buttons(self) -> str:
        """Buttons as 'text (data)' separated by ' | ', rows by ' // '."""
        if not self.reply_markup:
            return ""
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return " // ".join(" | ".join(_describe_button(b) for b in row) for row in rows)

    def to_api(self) -> dict[str, Any]:
        """Render as a Bot API Message object (what the bot gets back and callback queries carry)."""
        msg: dict[str, Any] = {"message_id": self.message_id, "from": self.sender, "chat": self.chat, "date": self.date}
        if self.reply_to is not None:
            msg["reply_to_message"] = self.reply_to
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if self.kind == "text":
            msg["text"] = self.plain_text
            if self.entities:
                msg["entities"] = self.entities
        else:
            if self.document is not None:
                msg["document"] = self.document
            if self.photo is not None:
                msg["photo"] = self.photo
            if self.plain_text:
                msg["caption"] = self.plain_text
                if self.entities:
                    msg["caption_entities"] = self.entities
        # Message.reply_markup is only ever an inline keyboard in the Bot API.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = self.reply_markup
        return msg

    def to_json(self) -> dict[str, Any]:
        """Return the control-API view: current content plus stand-in bookkeeping."""
        return {
            "message_id": self.message_id,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "plain_text": self.plain_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "document": self.document,
            "photo": self.photo,
            "edited": self.edited,
            "deleted": self.deleted,
            "date": self.date,
        }

    def describe(self) -> str:
        """One transcript line for this message."""
        body = self.plain_text if self.kind == "text" else f"[{self.kind}] {self.plain_text}".rstrip()
        if self.document:
            body = f"[document {self.document.get('file_name')}] {self.plain_text}".rstrip()
        line = f"< bot #{self.message_id}: {body}"
        if self.reply_markup:
            line += (
                f"  [{self.describe_buttons()}]"
                if self.describe_buttons()
                else f"  [{_markup_kind(self.reply_markup)}]"
            )
        if self.edited:
            line += f"  (edited {self.edited}x)"
        if self.deleted:
            line += "  (deleted)"
        return line


def _describe_button(button: Any) -> str:
    """'text (callback_data)' or 'text <url>' for transcripts."""
    if isinstance(button, str):
        return button
    if "callback_data" in button:
        return f"{button['text']} ({button['callback_data']})"
    if "url" in button:
        return f"{button['text']} <{button['url']}>"
    extras = [k for k in button if k != "text"]
    return f"{button['text']}{' {' + ','.join(extras) + '}' if extras else ''}"


def _markup_kind(markup: dict[str, Any]) -> str:
    """Name a non-keyboard reply_markup for transcripts."""
    if markup.get("remove_keyboard"):
        return "remove keyboard"
    if markup.get("force_reply"):
        return "force reply"
    return "markup"


@dataclass(eq=False)
class ChatState:
    """A private chat between the bot and one test user."""

    user: dict[str, Any]
    chat: dict[str, Any]
    chat_instance: str
    blocked: bool = False
    next_message_id: int = 1
    bot_messages: list[BotMessage] = field(default_factory=list)
    messages_by_id: dict[int, BotMessage | dict[str, Any]] = field(default_factory=dict)
    timeline: list[tuple[str, Any]] = field(default_factory=list)  # ("user"|"bot"|"event"|"error", item)
    reply_keyboard: dict[str, Any] | None = None
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    chat_actions: list[str] = field(default_factory=list)
    signal: Signal = field(default_factory=Signal)
    clock: Callable[[], float] = field(default=time.time, repr=False)  # Unix time, movable in the demo

    @property
    def chat_id(self) -> int:
        """The chat id (== the user's id in private chats)."""
        return int(self.chat["id"])

    def take_message_id(self) -> int:
        """Allocate the next message id; both sides share one sequence like in Telegram."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def now(self) -> int:
        """Unix time for message dates."""
        return int(self.clock())
