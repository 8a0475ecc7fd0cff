"""/status: the person's registrations with their seat or waiting-list place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.common import Turn, conversation_turn
from handlers.shell import resume
from handlers.views import describe_all
from models.history import coming_registrations, finished_registrations


@conversation_turn
async def show_status(update: Update, turn: Turn) -> None:
    """/status: the registrations still to come, then the meetings that have started and how each ended."""
    coming = await coming_registrations(turn.session, turn.user_id, now=turn.now)
    finished = await finished_registrations(turn.session, turn.user_id, now=turn.now)
    if coming or finished:
        turn.say_html(await describe_all(turn.session, turn.texts, coming, finished))
    else:
        turn.say("status_none")
    await resume(turn)


def register_handlers(application: Application) -> None:
    """Add /status."""
    application.add_handler(CommandHandler("status", show_status, filters=filters.ChatType.PRIVATE))
