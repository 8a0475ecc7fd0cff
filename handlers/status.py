"""/status: the person's registrations with their seat or waiting-list place, and the seats' check-in codes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.checkin_code import code_photos
from handlers.common import Document, Turn, conversation_turn
from handlers.shell import resume
from handlers.views import describe_all
from models.history import coming_registrations, finished_registrations


@conversation_turn
async def show_status(update: Update, turn: Turn) -> None:
    """/status: the registrations still to come, then the meetings that have started and how each ended.

    Each seat at a meeting not over yet comes with its check-in code (on the day itself too, once
    the meeting has started: someone arriving late shows it at the door).
    """
    coming = await coming_registrations(turn.session, turn.user_id, now=turn.now)
    finished = await finished_registrations(turn.session, turn.user_id, now=turn.now)
    if coming or finished:
        codes: tuple[Document, ...] = ()
        for registration in [*coming, *(f.registration for f in finished)]:
            codes += await code_photos(turn.session, registration, turn.texts, turn.bot_username, turn.now)
        turn.say_html(await describe_all(turn.session, turn.texts, coming, finished), documents=codes)
    else:
        turn.say("status_none")
    await resume(turn)


def register_handlers(application: Application) -> None:
    """Add /status."""
    application.add_handler(CommandHandler("status", show_status, filters=filters.ChatType.PRIVATE))
