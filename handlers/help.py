"""/bantuan and /bahasa: help, and the choice between Indonesian and English."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.registration import resume, stale
from handlers.texts import LANGUAGES, Texts

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@conversation_turn
async def show_help(update: Update, turn: Turn) -> None:
    """/bantuan: what the bot can do."""
    turn.say("help")
    await resume(turn)


@conversation_turn
async def choose_language(update: Update, turn: Turn) -> None:
    """/bahasa: offer the languages."""
    rows = [[cb.button(LANGUAGE_NAMES[code], cb.SetLanguage(code))] for code in LANGUAGES]
    turn.say("choose_language", InlineKeyboardMarkup(rows))


@conversation_turn
async def on_language(update: Update, turn: Turn) -> None:
    """A language chosen."""
    action = cb.parse(update.callback_query.data)
    if not isinstance(action, cb.SetLanguage) or action.language not in LANGUAGES:
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    turn.conversation.language = action.language
    turn.texts = Texts(action.language)
    turn.say("language_set")
    await resume(turn)


def register_handlers(application: Application) -> None:
    """Add /bantuan (/help) and /bahasa (/language)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["bantuan", "help"], show_help, filters=private))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language, filters=private))
    application.add_handler(CallbackQueryHandler(on_language, pattern=cb.matches(cb.SetLanguage)))
