"""What every handler shares: one transaction per update, replies sent after it commits."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.clock import Clock
from bot.settings import Settings
from handlers.html_text import split_html, visible_length
from handlers.texts import Html, Texts, language_for
from models.conversation import (
    Conversation,
    answer_lost,
    claim_update,
    closed_by_last_press,
    is_first_contact,
    load_conversation,
    mark_answered,
    remember_press,
    repeats_last_press,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
# Telegram's limit, counted after entity parsing in UTF-16 units (`visible_length`).
MESSAGE_LIMIT = 4096
# Notices of a press that chose nothing: its closed message shows no choice.
REFUSALS = frozenset({"stale_button", "staff_not_allowed"})


class OutboxWaker(Protocol):
    """Whoever sends the outbox: told when a transaction planned messages."""

    def wake(self, due_at: datetime | None = None) -> None: ...

    def wake_for(self, session: AsyncSession) -> None: ...


class FileRunner(Protocol):
    """Where heavy files (Excel, charts) are built: `bot.file_worker.FileWorker`, out of the bot's process."""

    async def run(self, function: Callable[..., T], /, *args: object, **kwargs: object) -> T: ...


@dataclass(frozen=True)
class Services:
    """What handlers need from the application, kept in bot_data."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    outbox: OutboxWaker
    files: FileRunner


@dataclass(frozen=True)
class Build:
    """How to make a file's bytes once the update's transaction has committed.

    Made inside the transaction, a report would hold SQLite's write lock while the file worker
    starts (about a second) and builds it. In the worker (a spawned process) the function and its
    arguments must be picklable; a light file (`in_worker=False`, a CSV) is made in a thread instead.
    """

    function: Callable[..., bytes]
    args: tuple[object, ...] = ()
    kwargs: dict[str, object] = field(default_factory=dict)
    in_worker: bool = True


@dataclass(frozen=True)
class Document:
    """A file sent after a message, such as a meeting's calendar entry or a report."""

    filename: str
    data: bytes | Build
    caption: Html
    # Sent as a photo, shown inline (a chart), rather than as a file to download.
    photo: bool = False


@dataclass
class Handling:
    """What became of the update being handled, for its log line and metrics (`bot.update_processor`)."""

    # The callback that handled it (its __qualname__), None if no handler took it.
    handler: str | None = None
    # None while nothing went wrong; "error", "skipped-duplicate", "lost-answer" (applied before, its step
    # asked again), "skipped-flood" (`bot.update_processor`).
    outcome: str | None = None


# Set by the update processor for each update, in the update's own task; handlers only write into it.
HANDLING: ContextVar[Handling | None] = ContextVar("shm_handling", default=None)


def note_outcome(outcome: str) -> None:
    """Record what became of the update being handled (outside an update: nothing to record)."""
    handling = HANDLING.get()
    if handling is not None:
        handling.outcome = outcome


def recorded(callback: UpdateHandler) -> UpdateHandler:
    """The callback, recording its name and whether it failed in the update's `Handling`."""
    # "registration.on_text": several modules have an `on_button`.
    module = str(getattr(callback, "__module__", "")).removeprefix("handlers.")
    name = f"{module}.{getattr(callback, '__qualname__', type(callback).__name__)}".lstrip(".")

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handling = HANDLING.get()
        if handling is not None:
            handling.handler = name
        try:
            await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception:
            note_outcome("error")
            raise

    return wrapper


def record_handler_names(application: Application) -> None:
    """Make every registered handler's callback record its name (see `recorded`); call once, after adding them."""
    for handlers in application.handlers.values():
        for handler in handlers:
            handler.callback = recorded(handler.callback)


def services(holder: ContextTypes.DEFAULT_TYPE | Application) -> Services:
    """The application's services, from a handler's context or (while adding handlers) the application."""
    return holder.bot_data["services"]


def sender(update: Update) -> User:
    """Who sent the update; `conversation_turn` runs a handler only for an update that has one."""
    if update.effective_user is None:
        raise ValueError(f"update {update.update_id} has no sender")
    return update.effective_user


def sent_message(update: Update) -> Message:
    """The new message of an update, for handlers whose filters admit nothing else (text, a contact, a file)."""
    if update.message is None:
        raise ValueError(f"update {update.update_id} carries no new message")
    return update.message


def sent_text(update: Update) -> str:
    """The text of the new message, for handlers of filters.TEXT and of commands."""
    text = sent_message(update).text
    if text is None:
        raise ValueError(f"update {update.update_id} carries no text")
    return text


@dataclass(frozen=True)
class Reply:
    """A message to send once the update's transaction has committed."""

    chat_id: int
    text: Html
    keyboard: Keyboard | None = None
    # Files sent after the text, in this order (an export in two formats).
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class Rewrite:
    """New text and buttons for the message whose button was pressed; an edit takes inline buttons only."""

    text: Html
    keyboard: InlineKeyboardMarkup | None


@dataclass
class Turn:
    """One update being handled: its session, the person's conversation and what to answer."""

    session: AsyncSession
    conversation: Conversation
    now: datetime
    texts: Texts
    chat_id: int
    settings: Settings
    files: FileRunner
    # The bot's @username, for t.me links the bot hands out (a QR code of a deep link).
    bot_username: str
    replies: list[Reply] = field(default_factory=list)
    callback_answer: str | None = None
    # Take the keyboard off the message whose button was pressed, so it cannot be pressed again.
    close_pressed_keyboard: bool = False
    # What the closed message then says was chosen; None shows the pressed button's label.
    choice: str | None = None
    # A refused press (REFUSALS) closes the keyboard without showing a choice.
    show_choice: bool = True
    # Or rewrite that message in place (paging, sub-menus).
    replace_pressed: Rewrite | None = None
    # Command menus of single chats, set after the commit: chat id -> (command, description), or None for the default.
    menus: dict[int, list[tuple[str, str]] | None] = field(default_factory=dict)

    @property
    def user_id(self) -> int:
        return self.conversation.telegram_user_id

    def say(
        self, key: str, keyboard: Keyboard | None = None, *, documents: tuple[Document, ...] = (), **params: object
    ) -> None:
        """Answer the person with a catalogue text (and files after it)."""
        self.say_html(self.texts(key, **params), keyboard, documents)

    def say_html(self, text: Html, keyboard: Keyboard | None = None, documents: tuple[Document, ...] = ()) -> None:
        """Answer the person with text composed from catalogue pieces, split to fit Telegram."""
        parts = split_message(text)
        for part in parts[:-1]:
            self.replies.append(Reply(self.chat_id, part))
        self.replies.append(Reply(self.chat_id, parts[-1], keyboard, documents))

    def rewrite_pressed(self, text: Html, keyboard: InlineKeyboardMarkup | None) -> None:
        """Replace the text and buttons of the message whose button was pressed."""
        self.replace_pressed = Rewrite(text, keyboard)

    def answer_button(self, key: str) -> None:
        """The short notice shown where the person pressed a button."""
        self.callback_answer = self.texts(key)
        if key in REFUSALS:
            self.show_choice = False


def split_message(text: Html, limit: int = MESSAGE_LIMIT) -> list[Html]:
    """The text in parts Telegram accepts (`split_html`): what a preview shows is what is sent."""
    return split_html(text, limit)


TurnHandler = Callable[[Update, Turn], Awaitable[None]]
# What python-telegram-bot's handler classes take: a coroutine function, not any awaitable.
UpdateHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
FirstContactHook = Callable[[Turn], Awaitable[None]]
_FIRST_CONTACT: list[FirstContactHook] = []
_LOST_ANSWER: list[FirstContactHook] = []


def on_first_contact(hook: FirstContactHook) -> FirstContactHook:
    """Run the decorated function in the first update anyone sends, once their language is known."""
    _FIRST_CONTACT.append(hook)
    return hook


def on_lost_answer(hook: FirstContactHook) -> FirstContactHook:
    """Run the decorated function for an update applied before whose answer never went out (`answer_lost`)."""
    _LOST_ANSWER.append(hook)
    return hook


def conversation_turn(handler: TurnHandler) -> UpdateHandler:
    """Run a handler in one transaction with the person's conversation, then deliver its answers.

    An update Telegram delivers again after a crash is recognised by its id and skipped, so a
    step is never applied twice, whichever instance got it; one of the person's updates reaching
    an instance after a later one is still applied. Answers go out after the commit, so no
    database lock (the person's conversation row among them) is held while talking to Telegram;
    once they are handed over the update is marked answered. One applied by a process that stopped
    before that is not applied again when it comes back, but the person is told and asked their
    current step again (`on_lost_answer`), so nobody waits for an answer that was lost.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        svc = services(context)
        now = svc.clock.now()
        async with svc.sessions() as session, session.begin():
            # Until the person chooses with /bahasa, they read the language their Telegram speaks.
            # Locked until the commit: another instance handling this person's next update waits.
            conversation = await load_conversation(session, user.id, now=now, language=language_for(user.language_code))
            first_contact = await is_first_contact(session, conversation)
            claimed = await claim_update(session, conversation, update.update_id, now)
            if not claimed and not await answer_lost(session, update.update_id):
                # Its one log line is the update processor's, with this outcome.
                note_outcome("skipped-duplicate")
                return
            turn = Turn(
                session,
                conversation,
                now,
                Texts(conversation.language),
                chat.id,
                svc.settings,
                svc.files,
                context.bot.username,
            )
            press = _press(update)
            if not claimed:
                note_outcome("lost-answer")
                for hook in _LOST_ANSWER:
                    await hook(turn)
            elif press is not None and _repeats(conversation, update, *press):
                # Another tap of a double or triple tap: acknowledged, and nothing is done or asked again.
                turn.answer_button("repeated_press")
            else:
                await handler(update, turn)
                closed = turn.close_pressed_keyboard and turn.replace_pressed is None
                remember_press(conversation, *(press or (None, None, None)), closed=closed)
            if first_contact and claimed:
                for hook in _FIRST_CONTACT:
                    await hook(turn)
                _tell_how_to_switch_language(turn)
            conversation.updated_at = now
        # Messages to others (a seat offer, a promotion) wait in the outbox until it is woken.
        svc.outbox.wake_for(session)
        await deliver(update, context, turn)
        async with svc.sessions() as session, session.begin():
            await mark_answered(session, update.update_id)

    return wrapper


def _press(update: Update) -> tuple[int, str, str] | None:
    """The pressed message, the button's data and a digest of what the message showed, for a press on a
    message the bot can still see."""
    query = update.callback_query
    if query is None or query.message is None or query.data is None:
        return None
    return query.message.message_id, query.data, _digest(query.message)


def _digest(message: object) -> str:
    """A fingerprint of a message's text and buttons as Telegram showed them when it was pressed."""
    text = getattr(message, "text", None) or ""
    shown = "\x00".join([text, *sorted(_button_data(message))])
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _repeats(conversation: Conversation, update: Update, message_id: int, data: str, digest: str) -> bool:
    """Whether a press is a later tap of the press applied last: the same button on the same view, or
    another button of the keyboard that press closed, pressed while it still showed (the taps crossed)."""
    if repeats_last_press(conversation, message_id, data, digest):
        return True
    query = update.callback_query
    return closed_by_last_press(conversation, message_id) and query is not None and _has_keyboard(query.message)


def _button_data(message: object) -> set[str]:
    if not isinstance(message, Message) or message.reply_markup is None:
        return set()
    return {str(b.callback_data) for row in message.reply_markup.inline_keyboard for b in row if b.callback_data}


def _unchanged(message: object, rewrite: Rewrite) -> bool:
    """Whether a rewrite would leave the pressed message as it is, an edit Telegram refuses."""
    if not isinstance(message, Message) or message.text is None:
        return False
    shown = message.reply_markup.to_dict() if message.reply_markup else None
    wanted = rewrite.keyboard.to_dict() if rewrite.keyboard else None
    return message.text_html == rewrite.text and shown == wanted


def _tell_how_to_switch_language(turn: Turn) -> None:
    """End the first answer someone ever gets with how to switch the language it is in."""
    mine = [n for n, reply in enumerate(turn.replies) if reply.chat_id == turn.chat_id]
    if not mine:
        turn.say("language_switch_hint")
        return
    first = turn.replies[mine[0]]
    text = Html(f"{first.text}\n\n{turn.texts('language_switch_hint')}")
    if visible_length(text) <= MESSAGE_LIMIT:
        turn.replies[mine[0]] = dataclasses.replace(first, text=text)
    else:
        turn.replies.insert(mine[0] + 1, Reply(turn.chat_id, turn.texts("language_switch_hint")))


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Send what the turn decided: the button notice, the closed keyboard and the replies."""
    query = update.callback_query
    if query is not None:
        # Answering the press and closing its keyboard are courtesies: a failure there must not
        # keep the replies from going out.
        try:
            await query.answer(turn.callback_answer)
        except TelegramError as error:
            log.info("update %s: the button press was not answered (%s)", update.update_id, type(error).__name__)
        try:
            if turn.replace_pressed is not None and _unchanged(query.message, turn.replace_pressed):
                log.info("update %s: the pressed message already reads as it would be rewritten", update.update_id)
            elif turn.replace_pressed is not None:
                await query.edit_message_text(
                    turn.replace_pressed.text, parse_mode=ParseMode.HTML, reply_markup=turn.replace_pressed.keyboard
                )
            elif turn.close_pressed_keyboard and _has_keyboard(query.message):
                chosen = (
                    text_with_choice(query.message, query.data, turn.texts, turn.choice) if turn.show_choice else None
                )
                if chosen is None:
                    await query.edit_message_reply_markup(reply_markup=None)
                else:
                    await query.edit_message_text(chosen, parse_mode=ParseMode.HTML, reply_markup=None)
        except TelegramError as error:
            # Already changed, or too old to edit: it may still show stale choices, which are refused.
            log.info("update %s: the pressed message was not edited (%s)", update.update_id, type(error).__name__)
    # Menus first: whoever reads a reply (a new PIC's welcome) finds the commands it names.
    for chat_id, commands in turn.menus.items():
        await set_chat_menu(context.bot, chat_id, commands)
    # Every reply is tried: one that fails must not silence the notice to someone else.
    failure: Exception | None = None
    unreachable: set[int] = set()
    for reply in turn.replies:
        if reply.chat_id in unreachable:
            continue
        try:
            reply = await build_files(reply, turn.files)
        except Exception as error:  # noqa: BLE001 - whatever broke the file, the commit stands and an apology goes
            log.error("update %s: a file was not made (%s)", update.update_id, type(error).__name__, exc_info=error)
            failure = failure or error
            continue
        try:
            await send(context.bot, reply)
        except Forbidden:
            # The recipient blocked the bot; what the update changed (a seat) stands regardless.
            log.info("a message of update %s was not delivered: the recipient blocked the bot", update.update_id)
            unreachable.add(reply.chat_id)
        except TelegramError as error:
            failure = failure or error
    if failure is not None:
        # The update's changes are committed; say something went wrong, in the person's language.
        log.warning("update %s: a reply was not delivered (%s)", update.update_id, type(failure).__name__)
        try:
            await context.bot.send_message(turn.chat_id, turn.texts("error"), parse_mode=ParseMode.HTML)
        except TelegramError:
            log.warning("update %s: the apology was not delivered either", update.update_id)


async def build_files(reply: Reply, files: FileRunner) -> Reply:
    """The reply with the bytes of the files left to build after the commit, made side by side."""

    async def made(document: Document) -> Document:
        build = document.data
        if not isinstance(build, Build):
            return document
        if build.in_worker:
            data = await files.run(build.function, *build.args, **build.kwargs)
        else:
            data = await asyncio.to_thread(build.function, *build.args, **build.kwargs)
        return dataclasses.replace(document, data=data)

    if not any(isinstance(document.data, Build) for document in reply.documents):
        return reply
    return dataclasses.replace(reply, documents=tuple(await asyncio.gather(*map(made, reply.documents))))


async def send(bot: Bot, reply: Reply) -> None:
    """Send a reply: its text, then its files (built already) if it has any."""
    # A text over Telegram's limit (a planned message listing many people) goes in parts, nothing left out.
    *parts, last = split_message(reply.text)
    for part in parts:
        await bot.send_message(reply.chat_id, part, parse_mode=ParseMode.HTML)
    await bot.send_message(reply.chat_id, last, parse_mode=ParseMode.HTML, reply_markup=reply.keyboard)
    for document in reply.documents:
        assert isinstance(document.data, bytes), "files are built before sending (build_files)"
        file = InputFile(document.data, filename=document.filename)
        if document.photo:
            await bot.send_photo(reply.chat_id, file, caption=document.caption, parse_mode=ParseMode.HTML)
        else:
            await bot.send_document(reply.chat_id, file, caption=document.caption, parse_mode=ParseMode.HTML)


async def set_chat_menu(bot: Bot, chat_id: int, commands: list[tuple[str, str]] | None) -> None:
    """Give one chat its own command menu, or (None) return it to the menu everyone has."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if commands is None:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands([BotCommand(name, text) for name, text in commands], scope=scope)
    except TelegramError as error:
        # Only the menu is off: every staff command is authorised on the server when it is used.
        log.info("the command menu of a chat was not set (%s)", type(error).__name__)


def text_with_choice(message: object, data: str | None, texts: Texts, choice: str | None = None) -> Html | None:
    """The pressed message's text followed by what was chosen (`choice`, else the pressed button's label), so
    the chat reads as a record; None when there is nothing to show (a file's caption) or it would not fit."""
    if not isinstance(message, Message) or message.text is None:
        return None
    if choice is None:
        buttons = message.reply_markup.inline_keyboard if message.reply_markup else ()
        choice = next((b.text for row in buttons for b in row if b.callback_data == data), None)
    if choice is None:
        return None
    text = Html(f"{message.text_html}\n\n{texts('pressed_choice', choice=choice)}")
    return text if visible_length(text) <= MESSAGE_LIMIT else None


def _has_keyboard(message: object) -> bool:
    # The pressed message comes with its current buttons; forged data may name one without any.
    return isinstance(message, Message) and message.reply_markup is not None
