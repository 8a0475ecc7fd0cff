"""Wiring: `build_application(settings)` is the one place the bot is put together."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.clock import Clock, SystemClock
from bot.database import create_engine, migrate, session_factory, start_up_turn
from bot.file_worker import FileWorker
from bot.metrics import METRICS, BotMetrics, MeteredRequest
from bot.rate_limit import FloodLimiter
from bot.scheduler import schedule_jobs
from bot.send_budget import SharedSendBudget
from bot.settings import Settings
from bot.update_processor import PerChatUpdateProcessor
from handlers import register_all
from handlers.common import Services, record_handler_names
from handlers.pic_management import set_admin_menus
from handlers.slow_down import send_slow_down_note
from handlers.texts import FALLBACK_LANGUAGE, LANGUAGES, Texts
from models.program import Program
from models.program_file import apply_program, read_program_file

log = logging.getLogger(__name__)

# How long a stopping bot waits for the updates it took to be handled; what is left is cancelled, so
# the process ends within the 10 s a supervisor gives it (systemd: TimeoutStopSec).
FINISH_SECONDS = 5.0
# `python -m bot` exits with this when another deployment serves the token: restarting cannot help
# (deploy/shm-bot-worker.service does not restart on it).
EXIT_CONFLICT = 3
# The name PTB gives the task handling each update when updates run concurrently.
_UPDATE_TASK_NAME = "Application:{bot_id}:process_concurrent_update"


class PollingConflict(Exception):
    """Another process polls this bot's token, or a webhook is set for it: this one must not poll."""


def instance_name() -> str:
    """This process's name on the job leases: unique per process, readable in the database."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def build_application(settings: Settings, *, clock: Clock | None = None, webhook: bool = False) -> Application:
    """The bot, ready to poll (or, with `webhook`, to be fed by bot.webhook); nothing connects until it is initialised."""
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    instance = instance_name()
    processor = PerChatUpdateProcessor(settings.concurrent_updates)
    # A registry per application: tests build several in one process.
    metrics = BotMetrics()
    processor.observe = metrics.observe_update
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_base_url)
        # PTB's own client (its default pool of 256), counting every answer: sends, 429s, 403s.
        .request(MeteredRequest(metrics, connection_pool_size=256))
        # parse_mode is passed per call: as a default PTB also sends it where the API takes none.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(processor)
        .post_init(_on_startup)
        .post_stop(_on_stop)
        .post_shutdown(_on_shutdown)
    )
    if webhook:
        # Updates arrive over HTTP into the update queue (bot.webhook): PTB's poller is not needed.
        builder.updater(None)
    if settings.rate_limit:
        # At most 30 messages in any second, as Telegram asks; a 429 is waited out and retried.
        # Not assigned: the builder's setters change it in place, and the typed result (a bot whose
        # calls take an int) would not fit the variable.
        # Several instances on one PostgreSQL share one budget of 30; SQLite has one process.
        shared = SharedSendBudget(sessions) if engine.dialect.name == "postgresql" else None
        builder.rate_limiter(FloodLimiter(max_retries=3, shared=shared))
    application = builder.build()
    clock = clock or SystemClock()
    # Every timed job (outbox, alerts, digests, retention) is listed in bot.scheduler.
    # One file worker for the handlers' reports and the outbox's certificates.
    files = FileWorker()
    scheduler = schedule_jobs(application, settings, sessions, clock, files, instance=instance)
    application.bot_data["services"] = Services(settings, sessions, clock, scheduler.outbox, files)
    application.bot_data["scheduler"] = scheduler
    application.bot_data["engine"] = engine
    application.bot_data[METRICS] = metrics
    register_all(application)
    # Every callback records its name for the update's log line and latency histogram.
    record_handler_names(application)
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
            # Instances started together on a new database: one loads it, the others find it there.
            await start_up_turn(session)
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


async def _on_stop(application: Application) -> None:
    # After Application.stop (the running job has ended its batch), while the bot can still send.
    await application.bot_data["scheduler"].stop()


async def _on_shutdown(application: Application) -> None:
    # Again, for a lifecycle that skipped post_stop: before the engine goes (a second call does nothing).
    await application.bot_data["scheduler"].stop()
    application.bot_data["services"].files.stop()
    await application.bot_data["engine"].dispose()


@asynccontextmanager
async def initialised(
    application: Application, before_start: Callable[[Application], Awaitable[None]] | None = None
) -> AsyncIterator[Application]:
    """The start-up and shutdown steps every way of running the bot shares, around the block.

    Entering: initialize and post_init (migrate, load the program, set the menus, start the jobs),
    then `before_start`; leaving: shutdown and post_shutdown. Taking updates (polling, a webhook) and
    `Application.start`/`stop` happen inside the block, in the order each way needs.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if before_start is not None:
            await before_start(application)
        yield application
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def finish_updates(application: Application, seconds: float = FINISH_SECONDS) -> int:
    """Wait up to `seconds` for every update taken to be handled; cancel those still running.

    Call it once no more updates come in. Returns how many were cancelled.
    """
    try:
        await asyncio.wait_for(application.update_queue.join(), seconds)
        return 0
    except TimeoutError:
        name = _UPDATE_TASK_NAME.format(bot_id=application.bot.id)
        left = [task for task in asyncio.all_tasks() if task.get_name() == name]
        for task in left:
            task.cancel()
        log.warning("cancelled %d updates still being handled after %g s", len(left), seconds)
        return len(left)


def _polling_error(on_conflict: Callable[[], None] | None) -> Callable[[TelegramError], None]:
    def error_callback(error: TelegramError) -> None:
        if isinstance(error, Conflict):
            log.error(
                "another process polls this bot's token, or a webhook is set for it (Telegram: %s); "
                "this one stops polling",
                error.message,
            )
            if on_conflict is not None:
                on_conflict()
            # Raised from PTB's error callback, it ends the retry loop: polling again would take the
            # other process's turn, and it would stop in its turn.
            raise PollingConflict(error.message) from error
        log.warning("getUpdates failed (%s); polling again", type(error).__name__)

    return error_callback


@asynccontextmanager
async def polling(
    application: Application,
    *,
    poll_timeout: int = 10,
    before_start: Callable[[Application], Awaitable[None]] | None = None,
    on_conflict: Callable[[], None] | None = None,
) -> AsyncIterator[Application]:
    """Run the application on getUpdates as `run_polling` does, for as long as the block lasts.

    Tests, benchmarks and the demo need the bot running inside an event loop they own;
    `run_polling` owns its loop, so this does its steps (with the same start-up hooks) instead.
    `before_start` runs once the database is migrated and the program loaded, before any update or
    job (the first alert check among them) runs: what it writes is there for them.

    Polling stops for good when Telegram answers 409 Conflict (another poller, or a webhook set
    since): `on_conflict` is called and the block should end. A webhook already set raises
    PollingConflict before anything starts, where PTB would delete it and take its updates.
    On leaving, the updates taken are given FINISH_SECONDS to be handled.
    """
    updater = application.updater
    if updater is None:
        raise RuntimeError("the application was built without an updater; it cannot poll")
    await application.initialize()
    if (await application.bot.get_webhook_info()).url:
        await application.shutdown()
        log.error(
            "a webhook is set for this bot's token: `python -m bot webhook` serves it, and polling would take "
            "its updates; stop that deployment and call deleteWebhook to poll instead"
        )
        raise PollingConflict("a webhook is set")
    async with initialised(application, before_start):
        await updater.start_polling(
            poll_interval=0,
            timeout=poll_timeout,
            allowed_updates=Update.ALL_TYPES,
            error_callback=_polling_error(on_conflict),
        )
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                # After a conflict the polling task ended with PollingConflict, which stop() re-raises
                # before PTB's last getUpdates (which would take the other poller's turn).
                with contextlib.suppress(PollingConflict):
                    await updater.stop()
            await finish_updates(application)
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)


async def until_stopped(*events: asyncio.Event) -> None:
    """Wait for SIGTERM or SIGINT (or any of `events`); the signals are the loop's until then."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    waits = [asyncio.ensure_future(event.wait()) for event in (stop, *events)]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
        for number in signals:
            loop.remove_signal_handler(number)


async def freeze_start_up(application: Application) -> None:
    """Keep what start-up made out of every later full collection: `python -m bot`'s processes only.

    The modules, the spec and the program live as long as the process. Walked by each full
    collection, they made it take 90-130 ms in a busy webhook instance: a stall whose sends then
    reached Telegram together, crowding the second after it (21-40 ms frozen). Not for a bot
    inside a process that outlives it (tests, the demo): frozen objects are never collected.
    """
    gc.collect()
    gc.freeze()


async def run_polling(application: Application) -> int:
    """`python -m bot`: poll until SIGTERM or SIGINT (0) or until another process serves the token (EXIT_CONFLICT)."""
    conflict = asyncio.Event()
    try:
        async with polling(application, on_conflict=conflict.set, before_start=freeze_start_up):
            await until_stopped(conflict)
    except PollingConflict:
        return EXIT_CONFLICT
    return EXIT_CONFLICT if conflict.is_set() else 0
