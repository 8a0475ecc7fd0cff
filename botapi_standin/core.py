"""The stand-in's core: request dispatch, validation and the implemented Bot API methods.

Transport-free: the HTTP layer (server.py) and the test-user helpers (users.py) both drive it.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .faults import FaultInjector, RateLimiter
from .files import FileStore
from .formatting import check_caption, check_text
from .html_entities import ParsedText
from .images import check_photo
from .markup import validate_reply_markup
from .spec import BotApiSpec, UploadedFile, load_spec
from .state import BotMessage, CallbackAnswer, CallRecord, ChatState, PendingQuery, Signal, WarningRecord, wait_until
from .updates import TERMINATED, UpdateQueue
from .webhook import WebhookDelivery, WebhookPacing, check_webhook_params

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_INT_RE = re.compile(r"^-?\d+$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
# getFile: "bots can download files of up to 20MB in size"; a user may send bigger ones.
MAX_BOT_DOWNLOAD = 20 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class StandinCore:
    """State and behaviour of one fake Bot API server."""

    def __init__(
        self,
        *,
        bot_username: str = "shm_test_bot",
        bot_first_name: str = "SHM Bot",
        rate_limit_per_second: int | None = None,
        strict_html: bool = True,
        first_update_id: int = 10001,
        spec: BotApiSpec | None = None,
        clock: Callable[[], float] = time.time,
        webhook_pacing: WebhookPacing | None = None,
        deliver_webhooks: bool = False,
    ) -> None:
        self.spec = spec or load_spec()
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = 0
        self.clock = clock  # Unix time of message dates: the demo moves it with the bot's clock
        self.strict_html = strict_html
        self.calls: list[CallRecord] = []
        self.errors: list[CallRecord] = []
        self.warnings: list[WarningRecord] = []
        self.unimplemented: list[CallRecord] = []
        self.chats: dict[int, ChatState] = {}
        self.updates = UpdateQueue(first_update_id)
        self.files = FileStore()
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter(rate_limit_per_second)
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, PendingQuery] = {}
        self.closing = False
        self._stop_signal = Signal()
        self.activity = Signal()  # notified after every answered request and every webhook attempt
        self.delivery = WebhookDelivery(self.updates, clock, webhook_pacing, self.activity)
        # Off: setWebhook is only recorded, for tests that play Telegram towards the bot themselves.
        self.deliver_webhooks = deliver_webhooks
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._ok,
            "close": self._ok,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }

    # ------------------------------------------------------------------ bot identity

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object (id comes from the token the bot uses)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    def _me(self) -> dict[str, Any]:
        """The bot as getMe returns it."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Release every waiting long poll, delay and waiter so the server can stop quickly."""
        self.closing = True
        self.updates.closing = True
        self.updates.signal.notify()
        self._stop_signal.notify()
        self.activity.notify()
        for chat in self.chats.values():
            chat.signal.notify()

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the stand-in stops."""
        await wait_until(self._stop_signal, lambda: self.closing, seconds)

    # ------------------------------------------------------------------ request entry point

    async def handle(
        self,
        token: str,
        method_name: str,
        raw_params: dict[str, Any],
        files: dict[str, UploadedFile] | None = None,
        client_alive: Callable[[], bool] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API request; returns (HTTP status, JSON body)."""
        record = CallRecord(method_name, dict(raw_params), 0, time.monotonic())
        self.calls.append(record)
        try:
            return await self._answer(token, method_name, raw_params, files or {}, record, client_alive)
        finally:
            self.activity.notify()

    async def _answer(
        self,
        token: str,
        method_name: str,
        raw_params: dict[str, Any],
        files: dict[str, UploadedFile],
        record: CallRecord,
        client_alive: Callable[[], bool] | None,
    ) -> tuple[int, dict[str, Any]]:
        """Run the request and turn refusals into error payloads."""
        try:
            result = await self._dispatch(token, method_name, raw_params, files, record)
        except ApiError as err:
            record.status, record.description, record.injected = err.status, err.description, err.injected
            if err.description == TERMINATED and client_alive is not None:
                # A poll whose client already went away (PTB cancelled it) is not the bot's error.
                await asyncio.sleep(0.05)
                if not client_alive():
                    return err.status, err.to_payload()
            self.errors.append(record)
            self._show_in_chat(record)
            return err.status, err.to_payload()
        record.status, record.result = 200, result
        return 200, {"ok": True, "result": result}

    async def _dispatch(
        self, token: str, method_name: str, raw: dict[str, Any], files: dict[str, UploadedFile], record: CallRecord
    ) -> Any:
        """Validate token, method and parameters, apply injected faults, run the handler."""
        if not TOKEN_RE.match(token):
            raise ApiError(401, "Unauthorized")
        self.bot_id = int(token.split(":", 1)[0])
        method = self.spec.resolve(method_name)
        if method is None:
            raise ApiError(404, "Not Found")
        record.method = method.name
        params, unknown = self.spec.decode_params(method, raw, files)
        record.params = {k: v.summary() if isinstance(v, UploadedFile) else v for k, v in params.items()}
        for name in unknown:
            self.warnings.append(
                WarningRecord(
                    method.name, name, f"{method.name}: unknown parameter {name!r} (Telegram silently ignores it)"
                )
            )
        delay = self.faults.take_delay(method.name, params.get("chat_id"))
        if delay:
            await self._sleep(delay)
        failure = self.faults.take_failure(method.name, params.get("chat_id"))
        if failure is not None:
            failure.injected = True
            raise failure
        missing = self.spec.missing_required(method, params)
        if missing is not None:
            raise missing
        handler = self._handlers.get(method.name)
        if handler is None:
            self.unimplemented.append(record)
            return True
        self.rate_limiter.check(method.name, time.monotonic())
        return await handler(params)

    def _show_in_chat(self, record: CallRecord) -> None:
        """Put a refusal the bot caused into the chat it was meant for, where a person would miss a message."""
        if record.injected:
            return
        chat_id = record.params.get("chat_id")
        if isinstance(chat_id, str) and _INT_RE.match(chat_id):
            chat_id = int(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is not None:
            chat.timeline.append(("error", record))
            chat.signal.notify()

    @property
    def problems(self) -> list[str]:
        """What the bot did wrong, one line each: refusals it caused, unknown parameters, unimplemented methods."""
        lines = [f"{r.method} -> {r.status} {r.description}" for r in self.errors if not r.injected]
        lines += [str(w) for w in self.warnings]
        lines += [f"{r.method} is not implemented by the stand-in" for r in self.unimplemented]
        return lines

    # ------------------------------------------------------------------ chats and users (for users.py)

    def register_user(self, user: dict[str, Any]) -> ChatState:
        """Create (or return) the private chat with this user."""
        chat = self.chats.get(int(user["id"]))
        if chat is None:
            chat_obj = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if user.get(key):
                    chat_obj[key] = user[key]
            chat = ChatState(user=user, chat=chat_obj, chat_instance=str(secrets.randbits(62)), clock=self.clock)
            self.chats[int(user["id"])] = chat
        return chat

    def register_group(self, chat_id: int, title: str, member: dict[str, Any]) -> ChatState:
        """Create (or return) a group chat with the bot, spoken in by one member."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat_obj = {"id": chat_id, "type": "group", "title": title}
            chat = ChatState(user=member, chat=chat_obj, chat_instance=str(secrets.randbits(62)), clock=self.clock)
            self.chats[chat_id] = chat
        return chat

    def add_user_message(self, chat: ChatState, content: dict[str, Any]) -> dict[str, Any]:
        """Store a message the user sends and return it as a Bot API Message."""
        message = {
            "message_id": chat.take_message_id(),
            "from": chat.user,
            "chat": chat.chat,
            "date": chat.now(),
            **content,
        }
        chat.messages_by_id[message["message_id"]] = message
        chat.timeline.append(("user", message))
        chat.signal.notify()
        return message

    def enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and return it."""
        return self.updates.put(kind, payload)

    def open_callback_query(self, chat: ChatState, message: BotMessage, data: str | None) -> dict[str, Any]:
        """Create a CallbackQuery for a press on the message and remember it for answerCallbackQuery."""
        query_id = str(secrets.randbits(62))
        self.callback_queries[query_id] = PendingQuery(chat.chat_id, data, message.message_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": chat.user,
            "message": message.to_api(),
            "chat_instance": chat.chat_instance,
        }
        if data is not None:
            query["data"] = data
        return query

    def _target_chat(self, chat_id: Any, *, sending: bool = True) -> ChatState:
        """Resolve chat_id to a known chat; refuse unknown chats and, for sends, blocked users."""
        if isinstance(chat_id, str) and _INT_RE.match(chat_id):
            chat_id = int(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.blocked:
            refusal = forbidden("bot was blocked by the user")
            refusal.injected = True
            raise refusal
        return chat

    # ------------------------------------------------------------------ simple methods

    async def _ok(self, params: dict[str, Any]) -> bool:
        """Methods that just succeed (logOut, close)."""
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        """getMe."""
        return self._me()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getUpdates with offset confirmation, limit, long polling and allowed_updates."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        self.updates.set_allowed(params.get("allowed_updates"))
        return await self.updates.get(
            int(params.get("offset") or 0), int(params.get("limit") or 100), float(params.get("timeout") or 0)
        )

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: POST queued updates to url if delivering (an empty url removes it, as in Telegram)."""
        url = str(params.get("url") or "")
        if url:
            secret, max_connections = check_webhook_params(
                url, params.get("secret_token"), params.get("max_connections")
            )
        await self.delivery.stop()
        if params.get("drop_pending_updates"):
            self.updates.clear()
        if not url:
            self.webhook = None
            return True
        self.updates.set_allowed(params.get("allowed_updates"))
        self.webhook = {k: v for k, v in params.items() if k != "certificate"}
        self.webhook["max_connections"] = max_connections
        if self.deliver_webhooks:
            # A long poll still waiting would hand out the same updates the webhook gets.
            self.updates.end_poll()
            await self.delivery.start(url, secret, max_connections)
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook (optionally dropping pending updates); undelivered updates stay for getUpdates."""
        await self.delivery.stop()
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """getWebhookInfo."""
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.updates)}
        if self.webhook:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.delivery.last_error_date is not None:
            info["last_error_date"] = self.delivery.last_error_date
            info["last_error_message"] = self.delivery.last_error_message
        return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """Commands are stored per (scope, language_code) like Telegram."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        """setMyCommands with Telegram's command/description checks."""
        commands = params["commands"]
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request(
                    "command description is empty"
                    if not command.get("description")
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getMyCommands."""
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands."""
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile for files the stand-in knows (uploads and files users sent)."""
        stored = self.files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_BOT_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": params["file_id"],
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction."""
        chat = self._target_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(params["action"])
        chat.signal.notify()
        return True

    # ------------------------------------------------------------------ sending messages

    def _reply_target(self, chat: ChatState, reply_parameters: Any) -> dict[str, Any] | None:
        """Resolve reply_parameters to the replied Message, refusing missing ones like Telegram."""
        if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
            return None
        target = chat.messages_by_id.get(reply_parameters["message_id"])
        if target is None or isinstance(target, BotMessage) and target.deleted:
            if reply_parameters.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target.to_api() if isinstance(target, BotMessage) else target

    def _store_bot_message(self, chat: ChatState, message: BotMessage) -> BotMessage:
        """Add a sent message to the chat, update the visible reply keyboard, wake waiters."""
        chat.bot_messages.append(message)
        chat.messages_by_id[message.message_id] = message
        chat.timeline.append(("bot", message))
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        chat.signal.notify()
        return message

    def _new_message(
        self, chat: ChatState, kind: str, parsed: ParsedText, params: dict[str, Any], **fields: Any
    ) -> BotMessage:
        """Build a BotMessage from validated parameters."""
        reply_to = self._reply_target(chat, params.get("reply_parameters"))
        return BotMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.chat_id,
            date=chat.now(),
            kind=kind,
            sender=self.bot_user,
            chat=chat.chat,
            parse_mode=params.get("parse_mode"),
            plain_text=parsed.text,
            entities=parsed.entities,
            reply_markup=validate_reply_markup(params.get("reply_markup")),
            reply_to=reply_to,
            **fields,
        )

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage."""
        chat = self._target_chat(params["chat_id"])
        parsed = check_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), strict_html=self.strict_html
        )
        message = self._new_message(chat, "text", parsed, params, text=params["text"])
        return self._store_bot_message(chat, message).to_api()

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendDocument (upload, file_id or URL)."""
        return self._send_media(params, "document", self.files.document)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto (upload, file_id or URL)."""
        return self._send_media(params, "photo", self.files.photo_sizes)

    def _send_media(self, params: dict[str, Any], kind: str, describe: Callable[[Any], Any]) -> dict[str, Any]:
        """A file message with an optional caption; `describe` makes its Document or PhotoSize list."""
        chat = self._target_chat(params["chat_id"])
        parsed = check_caption(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            strict_html=self.strict_html,
        )
        stored = self.files.from_input(params[kind], kind)
        if kind == "photo":
            check_photo(stored.data)
        message = self._new_message(
            chat, kind, parsed, params, caption=params.get("caption"), **{kind: describe(stored)}
        )
        return self._store_bot_message(chat, message).to_api()

    # ------------------------------------------------------------------ editing and deleting

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState, BotMessage]:
        """Find the bot message an edit* call targets, refusing like Telegram."""
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        if params.get("message_id") in (None, ""):
            raise bad_request("message identifier is not specified")
        chat = self._target_chat(params["chat_id"], sending=False)
        message = chat.messages_by_id.get(params["message_id"])
        if message is None or isinstance(message, BotMessage) and message.deleted:
            raise bad_request("message to edit not found")
        if not isinstance(message, BotMessage):
            raise bad_request("message can't be edited")
        return chat, message

    @staticmethod
    def _inline_markup(message: BotMessage) -> dict[str, Any] | None:
        """The inline keyboard currently attached to a message (edits compare against it)."""
        markup = message.reply_markup
        return markup if markup and "inline_keyboard" in markup else None

    def _apply_edit(
        self,
        chat: ChatState,
        message: BotMessage,
        parsed: ParsedText | None,
        markup: dict[str, Any] | None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Refuse no-op edits, else update the message in place and wake waiters."""
        new_text = parsed.text if parsed is not None else message.plain_text
        new_entities = parsed.entities if parsed is not None else message.entities
        if (new_text, new_entities, markup) == (message.plain_text, message.entities, self._inline_markup(message)):
            raise bad_request(NOT_MODIFIED)
        message.history.append(
            {
                "text": message.text,
                "caption": message.caption,
                "plain_text": message.plain_text,
                "reply_markup": message.reply_markup,
            }
        )
        message.plain_text, message.entities, message.reply_markup = new_text, new_entities, markup
        for key, value in fields.items():
            setattr(message, key, value)
        message.edited += 1
        message.edit_date = chat.now()
        chat.signal.notify()
        return message.to_api()

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText (without reply_markup the inline keyboard is removed, as in Telegram)."""
        chat, message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        parsed = check_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), strict_html=self.strict_html
        )
        markup = validate_reply_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, message, parsed, markup, text=params["text"], parse_mode=params.get("parse_mode"))

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageCaption."""
        chat, message = self._editable(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        parsed = check_caption(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            strict_html=self.strict_html,
        )
        markup = validate_reply_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(
            chat, message, parsed, markup, caption=params.get("caption"), parse_mode=params.get("parse_mode")
        )

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup (no reply_markup removes the keyboard)."""
        chat, message = self._editable(params)
        markup = validate_reply_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, message, None, markup)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        """deleteMessage for bot messages and the user's own messages."""
        chat = self._target_chat(params["chat_id"], sending=False)
        message = chat.messages_by_id.get(params["message_id"])
        if message is None or isinstance(message, BotMessage) and message.deleted:
            raise bad_request("message to delete not found")
        if isinstance(message, BotMessage):
            message.deleted = True
        else:
            del chat.messages_by_id[params["message_id"]]
            chat.timeline.append(("event", f"  (bot deleted user message #{params['message_id']})"))
        chat.signal.notify()
        return True

    # ------------------------------------------------------------------ callback queries

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery: each query can be answered once."""
        query_id = str(params["callback_query_id"])
        query = self.callback_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            query_id,
            query.data,
            query.message_id,
            text,
            bool(params.get("show_alert")),
            params.get("url"),
            params.get("cache_time"),
        )
        chat = self.chats[query.chat_id]
        chat.callback_answers.append(answer)
        shown = f"{'alert' if answer.show_alert else 'toast'} {text!r}" if text else "silently"
        chat.timeline.append(("event", f"  (bot answered the press of {query.data!r} {shown})"))
        chat.signal.notify()
        return True
