"""The last resort for a handler that failed before answering: log it (never who or what they
typed) and apologise. Failures while delivering answers are handled in `handlers.common.deliver`."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.texts import Texts, language_for

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without personal data and tell the person something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, type(context.error).__name__, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            log.info("update %s: the button press was not answered", update_id)
    try:
        # The person's chosen language lives in the database, which may be what failed: their Telegram's.
        language = language_for(update.effective_user.language_code if update.effective_user else None)
        await context.bot.send_message(update.effective_chat.id, Texts(language)("error"), parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell chat of update %s about the failure", update_id)
