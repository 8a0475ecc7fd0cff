"""Real `python -m bot` and `python -m bot webhook` processes: SIGTERM finishes the updates in flight and
exits 0; a poller that finds another one (or a webhook) says so once and exits with EXIT_CONFLICT."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks.harness import drop_schema
from bot.app import EXIT_CONFLICT
from bot.database import create_engine
from bot.settings import PROJECT_ROOT
from bot.webhook import SECRET_HEADER, webhook_path
from botapi_standin import WAIT, BotApiStandin
from models.program import Meeting, Program
from tests.bot.test_logs import NAME, PHONE_TYPED, PROFILE_NAME, personal_details_in
from tests.e2e.chat import register
from tests.e2e.conftest import TOKEN
from tests.e2e.test_webhook import SECRET, free_port

# The supervisor's patience (deploy/*.service: TimeoutStopSec is 15): a stopped bot is gone well within it.
STOP_WITHIN = 10.0
# Long enough for SIGTERM to arrive while the reply is held; short of what the bot waits for updates
# (FINISH_SECONDS) and PTB for an answer (5 s).
HELD = 3.0
CONFLICT_LINE = "another process polls this bot's token"


@dataclass
class BotProcess:
    """A bot process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def log(self) -> str:
        """Everything the process wrote so far."""
        return self.log_file.read_text()

    async def exit_code(self, timeout: float) -> int:
        """Wait (without blocking the stand-in, which runs in this loop) for the process to end."""
        await eventually(lambda: _done(self.process), timeout, f"the bot did not exit\n{self.log}")
        return int(self.process.returncode)


async def _done(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is not None


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Wait for `check`, tried every 50 ms; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def bot_process(
    standin: BotApiStandin, db_url: str, log_file: Path, *args: str, **settings: str
) -> AsyncIterator[BotProcess]:
    """`python -m bot *args` pointed at the stand-in; killed on leaving if still running."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "DATABASE_URL": db_url,
        **settings,
    }
    with log_file.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    running = BotProcess(process, log_file)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        # No token in the logs, whatever happened.
        assert TOKEN.split(":")[1] not in running.log


async def polls(standin: BotApiStandin, process: BotProcess, before: int = 0) -> None:
    """Wait until the process polls (more than `before` getUpdates calls)."""

    async def polling() -> bool:
        assert process.process.poll() is None, process.log
        return len(standin.calls_to("getUpdates")) > before

    await eventually(polling, 3 * WAIT, f"the bot did not start polling\n{process.log}")


async def post_update(session: aiohttp.ClientSession, base: str, update: dict[str, object]) -> int:
    """POST an update to the webhook as Telegram does; the status."""
    async with session.post(
        base + webhook_path(SECRET), data=json.dumps(update), headers={SECRET_HEADER: SECRET}
    ) as response:
        return response.status


async def health(session: aiohttp.ClientSession, base: str) -> int | None:
    """The /healthz status, or None when nothing answers."""
    try:
        async with session.get(base + "/healthz") as response:
            return response.status
    except aiohttp.ClientError:
        return None


def in_flight(standin: BotApiStandin, chat_id: int) -> bool:
    """Whether a sendMessage to the chat has arrived and is not answered yet."""
    return any(c.status == 0 and int(c.params["chat_id"]) == chat_id for c in standin.calls_to("sendMessage"))


@asynccontextmanager
async def webhook_process(
    standin: BotApiStandin, db_url: str, tmp_path: Path, **settings: str
) -> AsyncIterator[tuple[BotProcess, aiohttp.ClientSession, str]]:
    """`python -m bot webhook` on a free port, once its /healthz answers 200: the process, a client
    session and the server's base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {"WEBHOOK_URL": base, "WEBHOOK_SECRET": SECRET, "PORT": str(port), **settings}
    async with (
        bot_process(standin, db_url, tmp_path / "bot.log", "webhook", **settings) as bot,
        aiohttp.ClientSession() as session,
    ):
        await serving(bot, session, base)
        yield bot, session, base


async def serving(bot: BotProcess, session: aiohttp.ClientSession, base: str) -> None:
    """Wait until the webhook process's /healthz answers 200; fail if the process ends first."""

    async def healthy() -> bool:
        assert bot.process.poll() is None, bot.log
        return await health(session, base) == 200

    await eventually(healthy, 3 * WAIT, f"/healthz did not answer 200\n{bot.log}")


async def test_sigterm_in_webhook_mode_finishes_the_update_in_flight_refuses_new_ones_and_exits_0(
    standin, db_url, tmp_path
) -> None:
    siti, budi = standin.user(7301, "Siti"), standin.user(7302, "Budi")
    async with webhook_process(standin, db_url, tmp_path) as (bot, session, base):
        [registered] = standin.calls_to("setWebhook")
        assert registered.params["url"] == base + webhook_path(SECRET)
        assert registered.params["secret_token"] == SECRET

        standin.delay_next("sendMessage", HELD, chat_id=siti.id)
        # Answered once handled: the post waits for the held reply, past the signal.
        posted = asyncio.ensure_future(post_update(session, base, await siti.send_text("/start shm23-aceh")))

        async def held() -> bool:
            return in_flight(standin, siti.id)

        await eventually(held, WAIT, "the reply was not sent")
        bot.process.send_signal(signal.SIGTERM)

        async def stopping() -> bool:
            return await health(session, base) == 503

        await eventually(stopping, WAIT, f"/healthz did not turn 503\n{bot.log}")
        assert in_flight(standin, siti.id), "the reply was answered before the bot refused updates"
        # Telegram retries a refused update: another instance (or this one, restarted) takes it.
        assert await post_update(session, base, await budi.send_text("/start")) == 503
        assert await posted == 200
        assert await bot.exit_code(STOP_WITHIN) == 0, bot.log
    assert "✅ Setuju" in (await siti.next_message()).button_texts
    assert budi.messages == []
    assert "still being handled after" not in bot.log, bot.log
    # The webhook stays set: other instances behind the same address still serve it.
    assert standin.webhook is not None and standin.calls_to("deleteWebhook") == []


async def test_a_webhook_process_logs_one_json_line_per_event_and_nothing_personal(standin, db_url, tmp_path) -> None:
    """LOG_FORMAT=json as the Procfile's web process writes it: every line JSON, each update one line with
    its fields, and none with the participant's name, phone or the token (the in-process check is
    tests/bot/test_logs.py; this one holds what the real process prints, start-up and shutdown included)."""
    siti = standin.user(7341, PROFILE_NAME)
    standin.deliver_webhooks = True
    async with webhook_process(standin, db_url, tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG") as (bot, _, _):
        done = await register(siti, name=NAME, phone=PHONE_TYPED)
        assert "Pendaftaran berhasil" in done.plain_text, siti.transcript()
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.exit_code(STOP_WITHIN) == 0, bot.log
    lines = bot.log.splitlines()
    entries = [json.loads(line) for line in lines]
    assert all({"time", "level", "event", "logger"} <= set(e) for e in entries), entries
    handled = [e for e in entries if e["event"] == "update handled"]
    # One line per update: /start, the consent and role presses, four answers and the confirmation.
    assert len(handled) == 8 and len({e["update_id"] for e in handled}) == 8, handled
    assert all(e["outcome"] == "ok" and isinstance(e["duration_ms"], float) for e in handled), handled
    assert {e["kind"] for e in handled} == {"message", "callback_query"}
    assert [(line, personal_details_in(line)) for line in lines if personal_details_in(line)] == []


async def test_instances_started_together_on_a_new_database_migrate_and_load_the_program_once(
    standin, db_url, tmp_path
) -> None:
    """A first deploy starts every instance at once on an empty database: one migrates and loads the
    shipped program while the others wait their turn (`bot.database.start_up_turn`), and all serve."""
    if make_url(db_url).get_backend_name() == "sqlite":
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}"
    else:
        await drop_schema(db_url)
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    async with AsyncExitStack() as started, aiohttp.ClientSession() as session:
        instances = [
            await started.enter_async_context(
                bot_process(
                    standin,
                    db_url,
                    tmp_path / f"instance{port}.log",
                    "webhook",
                    WEBHOOK_URL=f"http://127.0.0.1:{port}",
                    WEBHOOK_SECRET=SECRET,
                    PORT=str(port),
                )
            )
            for port in ports
        ]
        for instance, port in zip(instances, ports, strict=True):
            await serving(instance, session, f"http://127.0.0.1:{port}")
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(Program)) == 1
            assert await connection.scalar(select(func.count()).select_from(Meeting)) == 38
    finally:
        await engine.dispose()


async def test_sigterm_while_polling_finishes_the_update_in_flight_and_exits_0(standin, db_url, tmp_path) -> None:
    siti = standin.user(7311, "Siti")
    async with bot_process(standin, db_url, tmp_path / "bot.log") as bot:
        await polls(standin, bot)
        standin.delay_next("sendMessage", HELD, chat_id=siti.id)
        await siti.send_text("/start shm23-aceh")

        async def held() -> bool:
            return in_flight(standin, siti.id)

        await eventually(held, WAIT, f"the reply was not sent\n{bot.log}")
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.exit_code(STOP_WITHIN) == 0, bot.log
    assert "✅ Setuju" in (await siti.next_message()).button_texts
    # The update was confirmed on the way out: a restarted bot does not get it again.
    assert standin.pending_updates == []
    assert "still being handled after" not in bot.log, bot.log


async def set_webhook(standin: BotApiStandin, url: str) -> None:
    """setWebhook for the bot's token, as another deployment's `python -m bot webhook` would."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{standin.base_url}{TOKEN}/setWebhook", json={"url": url}) as response,
    ):
        assert response.status == 200


async def test_a_second_poller_makes_the_first_stop_with_one_line_and_answers_alone(standin, db_url, tmp_path) -> None:
    siti = standin.user(7321, "Siti")
    async with bot_process(standin, db_url, tmp_path / "first.log") as first:
        await polls(standin, first)
        async with bot_process(standin, db_url, tmp_path / "second.log") as second:
            assert await first.exit_code(3 * WAIT) == EXIT_CONFLICT, first.log
            assert first.log.count(CONFLICT_LINE) == 1, first.log
            await siti.send_text("/start shm23-aceh")
            assert "✅ Setuju" in (await siti.next_message()).button_texts
            assert second.process.poll() is None, second.log
            second.process.send_signal(signal.SIGTERM)
            assert await second.exit_code(STOP_WITHIN) == 0, second.log
    assert CONFLICT_LINE not in second.log


async def test_a_webhook_set_while_polling_stops_the_poller_with_one_line(standin, db_url, tmp_path) -> None:
    siti = standin.user(7331, "Siti")
    async with bot_process(standin, db_url, tmp_path / "bot.log") as bot:
        await polls(standin, bot)
        await set_webhook(standin, "https://bot.example.org/telegram/0123")
        # Ends the poll in progress at once; the next one meets the webhook.
        await siti.send_text("/start shm23-aceh")
        assert await bot.exit_code(3 * WAIT) == EXIT_CONFLICT, bot.log
    assert bot.log.count(CONFLICT_LINE) == 1, bot.log
    # It stopped after the first refusal, without trying again, and left the webhook alone.
    assert len([c for c in standin.calls_to("getUpdates") if c.status == 409]) == 1
    assert standin.webhook is not None


async def test_a_poller_refuses_to_start_while_a_webhook_is_set(standin, db_url, tmp_path) -> None:
    await set_webhook(standin, "https://bot.example.org/telegram/0123")
    async with bot_process(standin, db_url, tmp_path / "bot.log") as bot:
        assert await bot.exit_code(3 * WAIT) == EXIT_CONFLICT, bot.log
    assert bot.log.count("a webhook is set for this bot's token") == 1, bot.log
    assert standin.webhook is not None and standin.calls_to("deleteWebhook") == []
    assert standin.calls_to("getUpdates") == []


def test_webhook_mode_without_its_settings_says_what_is_missing() -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TELEGRAM_BOT_TOKEN": TOKEN}
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "webhook"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "WEBHOOK_URL is not set" in refused.stderr, refused.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "webhook"],
        cwd=PROJECT_ROOT,
        env={**env, "WEBHOOK_URL": "https://bot.example.org"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "WEBHOOK_SECRET is not set" in refused.stderr, refused.stderr
