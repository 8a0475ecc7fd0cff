"""Wiring: `build_application(settings)` is the one place the bot is put together."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.clock import Clock, SystemClock
from bot.database import create_engine, migrate, session_factory
from bot.file_worker import FileWorker
from bot.rate_limit import FloodLimiter
from bot.scheduler import schedule_jobs
from bot.settings import Settings
from bot.update_processor import PerChatUpdateProcessor
from handlers import register_all
from handlers.common import Services
from handlers.pic_management import set_admin_menus
from handlers.slow_down import send_slow_down_note
from handlers.texts import FALLBACK_LANGUAGE, LANGUAGES, Texts
from models.program import Program
from models.program_file import apply_program, read_program_file

log = logging.getLogger(__name__)


def build_application(settings: Settings, *, clock: Clock | None = None) -> Application:
    """The bot, ready to poll or serve webhooks; nothing connects until it is initialised."""
    engine = create_engine(settings.database_url)
    processor = PerChatUpdateProcessor(settings.concurrent_updates)
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_base_url)
        # parse_mode is passed per call: as a default PTB also sends it where the API takes none.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(processor)
        .post_init(_on_startup)
        .post_shutdown(_on_shutdown)
    )
    if settings.rate_limit:
        # At most 30 messages in any second, as Telegram asks; a 429 is waited out and retried.
        # Not assigned: the builder's setters change it in place, and the typed result (a bot whose
        # calls take an int) would not fit the variable.
        builder.rate_limiter(FloodLimiter(max_retries=3))
    application = builder.build()
    clock = clock or SystemClock()
    sessions = session_factory(engine)
    # Every timed job (outbox, alerts, digests, retention) is listed in bot.scheduler.
    # One file worker for the handlers' reports and the outbox's certificates.
    files = FileWorker()
    scheduler = schedule_jobs(application, settings, sessions, clock, files)
    application.bot_data["services"] = Services(settings, sessions, clock, scheduler.outbox, files)
    application.bot_data["scheduler"] = scheduler
    application.bot_data["engine"] = engine
    register_all(application)
    processor.slow_down_note = functools.partial(send_slow_down_note, application)
    return application


async def _on_startup(application: Application) -> None:
    services: Services = application.bot_data["services"]
    await migrate(application.bot_data["engine"])
    async with services.sessions() as session:
        empty = await session.scalar(select(Program.id).limit(1)) is None
    if empty:
        # Read before the transaction, as every program file is: no lock is held while it is parsed.
        spec = read_program_file(services.settings.program_file)
        async with services.sessions() as session, session.begin():
            if await session.scalar(select(Program.id).limit(1)) is None:
                report = await apply_program(session, spec, now=services.clock.now())
                log.info("loaded program %s: %d meetings", report.program_code, len(report.created))
    # Each catalogue's menu for its own Telegram language; everyone else's (no or another language_code)
    # is the fallback's, as their first messages are.
    for language in (*LANGUAGES, None):
        commands = [
            BotCommand(name, description) for name, description in Texts(language or FALLBACK_LANGUAGE).commands()
        ]
        await application.bot.set_my_commands(commands, language_code=language)
    await set_admin_menus(application.bot, services.sessions, services.settings.admin_ids)
    # The jobs that run at start; the outbox's wake-ups are rebuilt from its rows by its first run.
    application.bot_data["scheduler"].start()


async def _on_shutdown(application: Application) -> None:
    application.bot_data["services"].files.stop()
    await application.bot_data["engine"].dispose()


@asynccontextmanager
async def polling(
    application: Application,
    *,
    poll_timeout: int = 10,
    before_start: Callable[[Application], Awaitable[None]] | None = None,
) -> AsyncIterator[Application]:
    """Run the application on getUpdates as `run_polling` does, for as long as the block lasts.

    Tests, benchmarks and the demo need the bot running inside an event loop they own;
    `run_polling` owns its loop, so this does its steps (with the same start-up hooks) instead.
    `before_start` runs once the database is migrated and the program loaded, before any update or
    job (the first alert check among them) runs: what it writes is there for them.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if before_start is not None:
            await before_start(application)
        updater = application.updater
        if updater is None:
            raise RuntimeError("the application was built without an updater; it cannot poll")
        await updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                await updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
