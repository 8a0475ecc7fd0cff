"""The demo: the real bot polling the Bot API emulator, the web chat page, and a clock that fast-forwards.

Everything runs in one process on loopback; the database is a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application

from bot.app import build_application, polling
from bot.clock import OffsetClock
from bot.settings import Settings, database_url
from botapi_standin import BotApiStandin
from demo.seed import ADMIN, PIC, USERS, seed_staff, upcoming_meetings, write_program
from handlers.common import set_chat_menu
from handlers.pic_management import staff_menu
from handlers.texts import Texts
from models.program import Meeting
from models.reminder_plan import format_duration
from models.seat_schedule import plan_of

log = logging.getLogger(__name__)

# Shaped like a real token (the emulator checks the shape); it opens nothing anywhere.
DEMO_TOKEN = "700000001:DEMO-local-emulator-token-not-a-secret"
BOT_USERNAME = "shm_demo_bot"
# The fast-forward steps; the page also offers the moments the next meeting's plan sends something,
# and words them in the chosen user's language (botapi_standin/web/chat.js).
STEPS = (timedelta(hours=1), timedelta(days=1))
STARTS = "starts"  # what the meeting's start brings: registration closes
DAY = "day"  # the meeting day's first waking moment: check-in codes arrive
ENDS = "ends"  # what the meeting's end brings: certificates and the evaluation


async def meeting_moments(session: AsyncSession, meeting: Meeting) -> list[tuple[datetime, list[str]]]:
    """The moments the meeting's plan sends something (after waking-hours shifts), soonest first, with the slots."""
    assert meeting.starts_at is not None
    rules = await plan_of(session, meeting)
    brings: dict[datetime, list[str]] = {}
    for slot in (
        *rules.reminder_slots(meeting.starts_at, meeting.zone),
        *rules.attendance_slots(meeting.starts_at, meeting.zone),
    ):
        brings.setdefault(slot.due_at, []).append(slot.name)
    local_start = meeting.starts_at.astimezone(meeting.zone)
    morning = datetime.combine(local_start.date(), rules.waking_from, meeting.zone)
    if morning < meeting.starts_at:
        brings.setdefault(morning.astimezone(meeting.starts_at.tzinfo), []).append(DAY)
    brings.setdefault(meeting.starts_at, []).append(STARTS)
    if meeting.ends_at is not None:
        brings.setdefault(meeting.ends_at, []).append(ENDS)
    return sorted(brings.items())


class Demo:
    """The running demo; `async with Demo(...) as demo:` serves until the block ends."""

    def __init__(
        self, directory: Path, *, host: str = "127.0.0.1", port: int = 8080, clock: OffsetClock | None = None
    ) -> None:
        self.directory = directory
        self.host = host
        self.port = port
        self.clock = clock or OffsetClock()
        self.standin = BotApiStandin(
            bot_username=BOT_USERNAME, bot_first_name="SHM Bot", clock=lambda: self.clock.now().timestamp()
        )
        self.application: Application | None = None
        self._stack = contextlib.AsyncExitStack()

    @property
    def url(self) -> str:
        """The web chat's address."""
        return self.standin.url + "/"

    def settings(self) -> Settings:
        """The bot's settings: the emulator as Bot API, a fresh SQLite file, the demo program, the demo admin."""
        return Settings(
            bot_token=DEMO_TOKEN,
            api_base_url=self.standin.base_url,
            database_url=database_url(f"sqlite:///{self.directory / 'demo.sqlite3'}"),
            admin_ids=frozenset({ADMIN.id}),
            program_file=write_program(self.directory, self.clock.now()),
        )

    async def __aenter__(self) -> Demo:
        await self.standin.start(self.host, self.port, extend=self._add_routes)
        self._stack.push_async_callback(self.standin.stop)
        for user in USERS:
            self.standin.user(
                user.id, user.first_name, user.last_name, language_code=user.language_code, note=user.note
            )
        try:
            self.application = build_application(self.settings(), clock=self.clock)
            # A short long poll: stopping waits for the one under way. The staff is seeded before the
            # first alert check, which would otherwise record the PIC's alerts with no PIC to tell.
            await self._stack.enter_async_context(polling(self.application, poll_timeout=2, before_start=self._seed))
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def _seed(self, application: Application) -> None:
        async with self.sessions() as session, session.begin():
            pic = await seed_staff(session, self.clock.now())
        # As when an organizer grants it: the PIC's chat gets the staff commands in its menu.
        await set_chat_menu(application.bot, PIC.id, staff_menu(Texts(PIC.language_code), pic))

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The bot's database sessions."""
        assert self.application is not None, "the demo is not running"
        return self.application.bot_data["services"].sessions

    # ------------------------------------------------------------------ the clock, for the page

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/_demo/clock", self._get_clock)
        app.router.add_post("/_demo/clock", self._move_clock)

    async def clock_view(self) -> dict[str, Any]:
        """The bot's time and the fast-forward moves on offer, as data the page words in the user's language."""
        # Steps {"step": "1h"}; moments {"before": "7d", "brings": the plan's slots, e.g. ["reminder-7d"]}.
        now = self.clock.now()
        jumps: list[dict[str, Any]] = [
            {"step": format_duration(step), "seconds": step.total_seconds(), "available": True} for step in STEPS
        ]
        async with self.sessions() as session:
            upcoming = await upcoming_meetings(session, now)
            if upcoming:
                meeting = upcoming[0]
                assert meeting.starts_at is not None
                for moment, brings in await meeting_moments(session, meeting):
                    before = meeting.starts_at - moment
                    jumps.append(
                        {
                            "to": moment.isoformat(),
                            "before": format_duration(before) if before > timedelta(0) else None,
                            "ends": ENDS in brings,
                            "city": meeting.city,
                            "brings": brings,
                            "available": moment > now,
                        }
                    )
        return {"now": now.isoformat(), "offset_seconds": self.clock.offset.total_seconds(), "jumps": jumps}

    async def _get_clock(self, request: web.Request) -> web.Response:
        return web.json_response(await self.clock_view())

    async def _move_clock(self, request: web.Request) -> web.Response:
        """POST {"seconds": n} moves the clock on by n seconds, {"to": iso} to a later moment."""
        try:
            body = await request.json()
            if "to" in body:
                self.clock.set(datetime.fromisoformat(str(body["to"])))
            else:
                self.clock.advance(timedelta(seconds=float(body["seconds"])))
        except (ValueError, KeyError, TypeError) as error:
            return web.json_response({"ok": False, "description": f"the clock did not move: {error}"}, status=400)
        log.info("demo clock moved to %s", self.clock.now().isoformat())
        return web.json_response(await self.clock_view())


async def serve(host: str, port: int) -> None:
    """Run the demo until Ctrl+C or SIGTERM; then stop cleanly and delete its database."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with tempfile.TemporaryDirectory(prefix="shm-bot-demo-") as directory:
        async with Demo(Path(directory), host=host, port=port) as demo:
            print(f"shm-bot demo: open {demo.url} in a browser (Ctrl+C stops it; nothing is kept)", flush=True)
            await stop.wait()
    print("shm-bot demo: stopped", flush=True)


def main(host: str = "127.0.0.1", port: int = 8080) -> int:
    """The `python -m bot demo` command."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(serve(host, port))
    except OSError as error:
        print(f"shm-bot demo: cannot listen on {host}:{port}: {error.strerror}", flush=True)
        return 1
    return 0
