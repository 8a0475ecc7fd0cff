"""The one note a person gets when they send updates faster than the bot answers them."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from handlers.common import services
from handlers.texts import Texts, language_for
from models.conversation import languages_of

log = logging.getLogger(__name__)


async def send_slow_down_note(application: Application, update: Update) -> None:
    """Tell the sender of a skipped update, in their language, to wait and send again one at a time.

    It stands in for the skipped update (`bot.update_processor.FloodRule`), which is not handled: no
    conversation turn, so the update is neither claimed nor taken as a button press.
    """
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        return
    language = language_for(user.language_code if user else None)
    if user is not None and chat.type == chat.PRIVATE:
        try:
            async with services(application).sessions() as session, session.begin():
                language = (await languages_of(session, [user.id])).get(user.id, language)
        except SQLAlchemyError as error:
            # The note matters more than its language: Telegram's will do.
            log.warning("update %s: the sender's language was not read (%s)", update.update_id, type(error).__name__)
    try:
        await application.bot.send_message(chat.id, Texts(language)("slow_down"), parse_mode=ParseMode.HTML)
    except TelegramError as error:
        log.info("update %s: the slow-down note was not delivered (%s)", update.update_id, type(error).__name__)
