"""Test users: play a Telegram user against the bot and read what the bot sent them."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from typing import Any

from .core import StandinCore
from .html_entities import utf16_len
from .markup import keyboard_buttons
from .state import WAIT, BotMessage, CallbackAnswer, ChatState, wait_until

# TDLib's bot-command matcher: '/cmd' or '/cmd@botname' not glued to word characters or / < >.
_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
# Web addresses as Telegram marks them in plain text: with a scheme, or starting www.; the sentence's
# closing punctuation is not part of the address.
_URL_RE = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"'`]+(?<![.,;:!?)\]}'\"»])", re.IGNORECASE)


def _entities(kind: str, pattern: re.Pattern[str], text: str) -> list[dict[str, Any]]:
    return [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in pattern.finditer(text)
    ]


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """MessageEntity dicts of type bot_command, with UTF-16 offsets, as Telegram adds them."""
    return _entities("bot_command", _COMMAND_RE, text)


def url_entities(text: str) -> list[dict[str, Any]]:
    """MessageEntity dicts of type url for the web addresses in plain text, as Telegram adds them."""
    return _entities("url", _URL_RE, text)


# Styles a web address or /command may sit inside and still be marked; code and links keep their text as is.
_STYLES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote"})


def markable(found: dict[str, Any], entities: list[dict[str, Any]]) -> bool:
    """Whether the detected entity `found` can be added to `entities`: apart from each, or within a style."""
    start, end = found["offset"], found["offset"] + found["length"]
    return all(
        end <= e["offset"]
        or start >= e["offset"] + e["length"]
        or (e["type"] in _STYLES and e["offset"] <= start and end <= e["offset"] + e["length"])
        for e in entities
    )


def detected_entities(text: str) -> list[dict[str, Any]]:
    """The web addresses and /commands Telegram marks in a plain text, in text order."""
    urls = url_entities(text)
    commands = [found for found in bot_command_entities(text) if markable(found, urls)]
    return sorted(urls + commands, key=lambda entity: entity["offset"])


class StandinUser:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, core: StandinCore, chat: ChatState, note: str | dict[str, str] | None = None) -> None:
        self._core = core
        self._chat = chat
        self.note = note
        self._next_index = 0  # next_message() cursor into the bot's messages
        self._next_answer = 0  # wait_callback_answer() cursor

    # ------------------------------------------------------------------ identity and reading

    @property
    def id(self) -> int:
        """The user id (== chat id)."""
        return self._chat.chat_id

    @property
    def user(self) -> dict[str, Any]:
        """The user as a Bot API User object."""
        return self._chat.user

    @property
    def chat(self) -> ChatState:
        """The underlying chat state."""
        return self._chat

    @property
    def blocked(self) -> bool:
        """Whether the user currently has the bot blocked."""
        return self._chat.blocked

    @property
    def messages(self) -> list[BotMessage]:
        """Every message the bot sent in this chat, oldest first (deleted ones flagged)."""
        return list(self._chat.bot_messages)

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message that has not been deleted."""
        return next((m for m in reversed(self._chat.bot_messages) if not m.deleted), None)

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard (ReplyKeyboardMarkup) the user currently sees, if any."""
        return self._chat.reply_keyboard

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """answerCallbackQuery calls for this user's presses."""
        return list(self._chat.callback_answers)

    @property
    def chat_actions(self) -> list[str]:
        """sendChatAction actions received in this chat."""
        return list(self._chat.chat_actions)

    def message(self, message_id: int) -> BotMessage:
        """The bot message with this id."""
        found = self._chat.messages_by_id.get(message_id)
        if not isinstance(found, BotMessage):
            raise AssertionError(f"no bot message #{message_id} in chat {self.id}\n{self.transcript()}")
        return found

    def transcript(self) -> str:
        """The chat as readable lines, for assertion messages."""
        lines = [f"--- chat with {self.user['first_name']} ({self.id}){' [blocked]' if self.blocked else ''} ---"]
        for side, item in self._chat.timeline:
            if side == "bot":
                lines.append(item.describe())
            elif side == "user":
                lines.append(_describe_user_message(item))
            elif side == "error":
                lines.append(f"! refused {item.method}: {item.status} {item.description}")
            else:
                lines.append(item)
        return "\n".join(lines)

    # ------------------------------------------------------------------ waiting

    async def next_message(self, timeout: float = WAIT) -> BotMessage:
        """Wait for the next bot message not yet returned by next_message()."""
        chat = self._chat
        if not await wait_until(chat.signal, lambda: len(chat.bot_messages) > self._next_index, timeout):
            raise AssertionError(f"no new bot message within {timeout}s\n{self.transcript()}")
        message = chat.bot_messages[self._next_index]
        self._next_index += 1
        return message

    def skip_messages(self) -> None:
        """Mark every message sent so far as seen by next_message()."""
        self._next_index = len(self._chat.bot_messages)

    async def wait_for(self, predicate: Callable[[StandinUser], bool], timeout: float = WAIT) -> None:
        """Wait until predicate(user) holds; re-checked whenever the bot changes this chat."""
        if not await wait_until(self._chat.signal, lambda: bool(predicate(self)), timeout):
            raise AssertionError(f"condition not met within {timeout}s\n{self.transcript()}")

    async def wait_callback_answer(self, timeout: float = WAIT) -> CallbackAnswer:
        """Wait for the next answerCallbackQuery not yet returned by this method."""
        chat = self._chat
        if not await wait_until(chat.signal, lambda: len(chat.callback_answers) > self._next_answer, timeout):
            raise AssertionError(f"no callback answer within {timeout}s\n{self.transcript()}")
        answer = chat.callback_answers[self._next_answer]
        self._next_answer += 1
        return answer

    # ------------------------------------------------------------------ sending

    def _send(self, content: dict[str, Any]) -> dict[str, Any]:
        """Store a user message and enqueue its update."""
        if self._chat.blocked:
            raise AssertionError(f"user {self.id} has blocked the bot; call unblock() first")
        message = self._core.add_user_message(self._chat, content)
        return self._core.enqueue("message", message)

    async def send_text(self, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """Send a text message (bot_command and url entities added like Telegram)."""
        content: dict[str, Any] = {"text": text}
        entities = detected_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            content["reply_to_message"] = self._replied(reply_to)
        return self._send(content)

    def _replied(self, message_id: int) -> dict[str, Any]:
        """The Message object the user replies to."""
        target = self._chat.messages_by_id.get(message_id)
        if target is None:
            raise AssertionError(f"cannot reply to unknown message #{message_id}")
        return target.to_api() if isinstance(target, BotMessage) else target

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a regular static sticker."""
        stored = self._core.files.add("sticker", b"RIFF....WEBP", "sticker.webp", "image/webp")
        return self._send(
            {
                "sticker": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": emoji,
                    "set_name": "StandinStickers",
                    "file_size": stored.file_size,
                }
            }
        )

    async def send_photo(self, caption: str | None = None, data: bytes = b"\xff\xd8\xff\xe0JFIF") -> dict[str, Any]:
        """Send a photo (PhotoSize array with a thumbnail and the full size)."""
        stored = self._core.files.add("photo", data, "photo.jpg", "image/jpeg")
        content: dict[str, Any] = {"photo": self._core.files.photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        return self._send(content)

    async def send_voice(self, duration: int = 3) -> dict[str, Any]:
        """Send a voice note."""
        stored = self._core.files.add("voice", b"OggS" + bytes(60), "voice.ogg", "audio/ogg")
        return self._send(
            {
                "voice": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "duration": duration,
                    "mime_type": "audio/ogg",
                    "file_size": stored.file_size,
                }
            }
        )

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Send a location."""
        return self._send({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_document(
        self,
        name: str = "document.pdf",
        content: bytes = b"%PDF-1.4 standin",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a document; its bytes are downloadable via getFile."""
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        stored = self._core.files.add("document", content, name, mime)
        message: dict[str, Any] = {"document": self._core.files.document(stored)}
        if caption:
            message["caption"] = caption
            entities = detected_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self._send(message)

    async def share_contact(
        self,
        phone_number: str,
        own: bool = True,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Share a contact; own=True is what a request_contact button sends (user_id = the sender)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or (self.user["first_name"] if own else "Contact"),
        }
        surname = last_name if last_name is not None else (self.user.get("last_name") if own else None)
        if surname:
            contact["last_name"] = surname
        if own or user_id is not None:
            contact["user_id"] = self.id if own else user_id
        return self._send({"contact": contact})

    async def edit_text(self, message_id: int, text: str) -> dict[str, Any]:
        """Edit a text message the user sent, as Telegram's apps allow: the bot gets an edited_message update."""
        if self._chat.blocked:
            raise AssertionError(f"user {self.id} has blocked the bot; call unblock() first")
        original = self._chat.messages_by_id.get(message_id)
        if not isinstance(original, dict) or original.get("from", {}).get("id") != self.id or "text" not in original:
            raise AssertionError(f"user {self.id} sent no text message #{message_id}\n{self.transcript()}")
        original.pop("entities", None)
        original.update({"text": text, "edit_date": self._chat.now()})
        entities = detected_entities(text)
        if entities:
            original["entities"] = entities
        self._chat.timeline.append(("event", f"> user edited #{message_id} to {text!r}"))
        return self._core.enqueue("edited_message", dict(original))

    async def tap_keyboard(self, text: str) -> dict[str, Any]:
        """Tap a reply-keyboard button: sends its text, or the contact/location it requests."""
        buttons = keyboard_buttons(self._chat.reply_keyboard)
        match = next((b for b in buttons if b["text"] == text), None)
        if match is None:
            shown = " | ".join(b["text"] for b in buttons) or "no reply keyboard"
            raise AssertionError(f"no reply-keyboard button {text!r}; shown: {shown}\n{self.transcript()}")
        if self._chat.reply_keyboard and self._chat.reply_keyboard.get("one_time_keyboard"):
            self._chat.reply_keyboard = None
        if match.get("request_contact"):
            return await self.share_contact(f"+62812{self.id % 10_000_000:07d}")
        if match.get("request_location"):
            return await self.send_location(-6.2, 106.8)
        return await self.send_text(text)

    # ------------------------------------------------------------------ buttons

    def _bot_message(self, message_or_id: BotMessage | int) -> BotMessage:
        """Resolve a BotMessage or message id to the current, undeleted bot message."""
        message_id = message_or_id.message_id if isinstance(message_or_id, BotMessage) else int(message_or_id)
        message = self.message(message_id)
        if message.deleted:
            raise AssertionError(f"bot message #{message_id} was deleted\n{self.transcript()}")
        return message

    async def press(
        self, message_or_id: BotMessage | int, text: str | None = None, data: str | None = None
    ) -> dict[str, Any]:
        """Press an inline button (by visible text, unique substring, or callback_data)."""
        if text is None and data is None:
            raise ValueError("press() needs text= or data=")
        message = self._bot_message(message_or_id)
        try:
            button = message.find_button(text=text, data=data)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.transcript()}") from None
        if "callback_data" not in button:
            raise AssertionError(
                f"button {button['text']!r} has no callback_data (it is {button}); pressing it sends no callback query"
            )
        return self._press(message, button["callback_data"], f"pressed {button['text']!r}")

    async def press_forged(self, message_or_id: BotMessage | int, data: str) -> dict[str, Any]:
        """Send a callback query with arbitrary data, as a tampering client could."""
        return self._press(self._bot_message(message_or_id), data, "sent forged callback")

    def _press(self, message: BotMessage, data: str, what: str) -> dict[str, Any]:
        """Enqueue the callback_query update and log it in the transcript."""
        if self._chat.blocked:
            raise AssertionError(f"user {self.id} has blocked the bot; call unblock() first")
        query = self._core.open_callback_query(self._chat, message, data)
        self._chat.timeline.append(("event", f"> user {what} on #{message.message_id} (data={data!r})"))
        return self._core.enqueue("callback_query", query)

    # ------------------------------------------------------------------ blocking

    async def block(self, *, notify: bool = True) -> dict[str, Any] | None:
        """Block the bot: later sends get 403; the bot receives my_chat_member member→kicked.

        notify=False: Telegram's my_chat_member update has not reached the bot (yet).
        """
        self._chat.blocked = True
        self._chat.timeline.append(("event", "  (user blocked the bot)"))
        return self._member_update("member", "kicked") if notify else None

    async def unblock(self) -> dict[str, Any]:
        """Unblock the bot: the bot receives my_chat_member kicked→member."""
        self._chat.blocked = False
        self._chat.timeline.append(("event", "  (user unblocked the bot)"))
        return self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> dict[str, Any]:
        """Enqueue a my_chat_member update for the bot's status change in this chat."""

        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"status": status, "user": self._core.bot_user}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        payload = {
            "chat": self._chat.chat,
            "from": self.user,
            "date": self._chat.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._chat.signal.notify()
        return self._core.enqueue("my_chat_member", payload)


def _describe_user_message(message: dict[str, Any]) -> str:
    """One transcript line for a user message."""
    mid = message["message_id"]
    for kind in ("text", "contact", "location", "document", "photo", "sticker", "voice"):
        if kind in message:
            value = message[kind]
            if kind == "contact":
                value = value["phone_number"]
            elif kind == "document":
                value = value.get("file_name")
            elif kind != "text":
                value = ""
            label = "" if kind == "text" else f"[{kind}] "
            return f"> user #{mid}: {label}{value}".rstrip()
    return f"> user #{mid}: (message)"
