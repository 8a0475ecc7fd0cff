"""Helpers for the stand-in tests: a tiny python-telegram-bot Application with demo handlers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from botapi_standin import WAIT, BotApiStandin

TOKEN = "123456:" + "A" * 35


@dataclass
class BotUnderTest:
    """The PTB application plus what its handlers observed."""

    app: Application
    member_updates: list[Any] = field(default_factory=list)
    handler_errors: list[BaseException] = field(default_factory=list)

    @property
    def bot(self) -> Any:
        """The PTB Bot talking to the stand-in."""
        return self.app.bot


def build_app(standin: BotApiStandin) -> Application:
    """A PTB Application pointed at the stand-in (short timeouts keep tests fast)."""
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .read_timeout(3)
        .get_updates_read_timeout(3)
        .build()
    )


def add_demo_handlers(app: Application, under_test: BotUnderTest) -> None:
    """Echo, an inline-keyboard menu, a button handler, document download and my_chat_member."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Ya, daftar", callback_data="yes"),
                    InlineKeyboardButton("Tidak", callback_data="no"),
                ],
                [InlineKeyboardButton("Situs", url="https://example.org")],
            ]
        )
        await update.message.reply_text("<b>Pilih</b>:", parse_mode="HTML", reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"Dipilih: {query.data}")
        await query.edit_message_text(f"<b>Pilihan</b>: {query.data}", parse_mode="HTML")

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.message.document.get_file()
        data = await file.download_as_bytearray()
        await update.message.reply_text(f"got {len(data)} bytes: {bytes(data[:5]).decode()}")

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        under_test.member_updates.append(update.my_chat_member)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        under_test.handler_errors.append(context.error)

    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)


async def eventually(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    """Poll predicate until it holds (for state outside the stand-in, e.g. handler side effects)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)
