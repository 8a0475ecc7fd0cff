"""The shell around every conversation: /start and its deep links, /cancel, stale buttons, catch-alls.

A conversation claims the deep links it opens with `deep_link(prefix)`, as it claims its steps
with `handlers.steps`: `/start <payload>` goes to the claimant of the payload's prefix, and a plain
`/start` (or a payload nobody claims) to the one conversation that claims it with `plain_start`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers.common import Turn, conversation_turn, on_lost_answer, sent_text
from handlers.steps import ask_again, expects_buttons, holds_draft

# Telegram's rule for the parameter of a t.me/<bot>?start= link.
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Opens `/start <payload>` (the whole payload, prefix included; "" for a plain /start).
DeepLinkOpener = Callable[[Update, Turn, str], Awaitable[None]]


class DeepLinks:
    """Which conversation opens a /start payload: the claimant of its prefix, else the plain /start's."""

    def __init__(self) -> None:
        self._prefixes: dict[str, DeepLinkOpener] = {}
        self._plain: DeepLinkOpener | None = None

    def claim(self, prefix: str, opener: DeepLinkOpener) -> None:
        """Give the payloads starting with `prefix` to `opener`; a prefix that overlaps another is refused."""
        # A prefix as long as a whole payload would leave no room for what follows it.
        if not PAYLOAD.fullmatch(prefix) or len(prefix) == 64:
            raise ValueError(f"deep-link prefix {prefix!r} is not the start of a valid payload")
        for taken in self._prefixes:
            if taken.startswith(prefix) or prefix.startswith(taken):
                raise ValueError(f"deep-link prefix {prefix!r} overlaps {taken!r}")
        self._prefixes[prefix] = opener

    def claim_plain(self, opener: DeepLinkOpener) -> None:
        """Give a plain /start, and every payload no prefix claims, to `opener`."""
        if self._plain is not None:
            raise ValueError("the plain /start is claimed twice")
        self._plain = opener

    def check(self) -> None:
        """Refuse to build a bot whose plain /start nobody answers."""
        if self._plain is None:
            raise ValueError("no conversation claims the plain /start")

    def route(self, payload: str) -> DeepLinkOpener:
        """The opener of a payload; one Telegram would not make (forged, typed) is nobody's prefix."""
        if PAYLOAD.fullmatch(payload):
            for prefix, opener in self._prefixes.items():
                if payload.startswith(prefix):
                    return opener
        self.check()
        assert self._plain is not None
        return self._plain


DEEP_LINKS = DeepLinks()


def deep_link(prefix: str) -> Callable[[DeepLinkOpener], DeepLinkOpener]:
    """Open `/start <prefix>…` with the decorated function."""

    def register(opener: DeepLinkOpener) -> DeepLinkOpener:
        DEEP_LINKS.claim(prefix, opener)
        return opener

    return register


def plain_start(opener: DeepLinkOpener) -> DeepLinkOpener:
    """Open a plain /start, or one whose payload no conversation claims, with the decorated function."""
    DEEP_LINKS.claim_plain(opener)
    return opener


def start_link(bot_username: str, payload: str) -> str:
    """The t.me link that sends the bot `/start <payload>`."""
    if not PAYLOAD.fullmatch(payload):
        raise ValueError("a deep-link payload is 1-64 characters of A-Z, a-z, 0-9, _ and -")
    return f"https://t.me/{bot_username}?start={payload}"


@conversation_turn
async def start(update: Update, turn: Turn) -> None:
    """/start [payload]: the conversation that claims the payload opens it."""
    text = sent_text(update)
    payload = text.split(maxsplit=1)[1].strip() if " " in text else ""
    await DEEP_LINKS.route(payload)(update, turn, payload)


async def resume(turn: Turn) -> None:
    """After something else (a command) was answered, ask the current step of a draft again."""
    if holds_draft(turn):
        turn.say("resume")
        await ask_again(turn)


@on_lost_answer
async def after_lost_answer(turn: Turn) -> None:
    """An update applied before whose answer was lost: say it arrived, and ask the current step again (or,
    with no step left to ask, where to see what it did)."""
    if holds_draft(turn):
        turn.say("answer_lost")
        await ask_again(turn)
    else:
        turn.say("answer_lost_idle")


async def stale(turn: Turn) -> None:
    """A button that belongs to no current question: say so and ask the current step again."""
    turn.answer_button("stale_button")
    turn.close_pressed_keyboard = True
    await ask_again(turn)


@conversation_turn
async def leave(update: Update, turn: Turn) -> None:
    """/cancel: leave the step in progress and forget what was typed."""
    if turn.conversation.step is None:
        turn.say("nothing_to_leave")
        return
    draft = holds_draft(turn)
    turn.conversation.clear_draft()
    if draft:
        # The phone step's reply keyboard goes with the draft.
        turn.say("left_conversation", ReplyKeyboardRemove())
    else:
        # A staff command's step (an announcement's text, a roster change's reason) or a correction's;
        # a correction asking for the phone shows the share button, which goes too.
        turn.say("staff_step_left", ReplyKeyboardRemove())


@conversation_turn
async def on_other_message(update: Update, turn: Turn) -> None:
    """Stickers, photos, voice, locations, files: never an answer to any step."""
    if expects_buttons(turn):
        turn.say("use_buttons")
    elif turn.conversation.step is not None:
        turn.say("not_text")
    else:
        turn.say("idle_hint")
    await ask_again(turn)


@conversation_turn
async def _answer_edit(update: Update, turn: Turn) -> None:
    """An edited message: edits are not read as answers, so the person is asked to send it anew."""
    turn.say("edit_not_read")
    await ask_again(turn)


async def on_edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an edit before any step or command handler could take it for a new message."""
    await _answer_edit(update, context)
    raise ApplicationHandlerStop


@conversation_turn
async def on_unknown_command(update: Update, turn: Turn) -> None:
    """A command the bot does not know."""
    turn.say("unknown_command")
    await resume(turn)


@conversation_turn
async def on_forged_button(update: Update, turn: Turn) -> None:
    """Button data that matches no action: forged, or from an older version of the bot."""
    await stale(turn)


def register_handlers(application: Application) -> None:
    """Add /start and /cancel."""
    DEEP_LINKS.check()
    private = filters.ChatType.PRIVATE
    # In a group of its own ahead of all others: an edit never reaches a command or a step.
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, on_edited_message), group=-1)
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("cancel", leave, filters=private))


def register_fallbacks(application: Application) -> None:
    """Handlers that catch what no other handler took; added after every other module's."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, on_unknown_command))
    application.add_handler(MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other_message))
    application.add_handler(CallbackQueryHandler(on_forged_button))
