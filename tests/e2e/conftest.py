"""End-to-end fixtures: the real Application polling the loopback Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.app import build_application, polling
from bot.clock import FrozenClock
from bot.settings import Settings
from botapi_standin import WAIT, BotApiStandin
from tests.conftest import with_shipped_program
from tests.models.factories import T0

T = TypeVar("T")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    """A Bot API stand-in on a free loopback port."""
    async with BotApiStandin(bot_username="shm_test_bot") as server:
        yield server


@dataclass
class RunningBot:
    """A bot under test and what it talks to."""

    standin: BotApiStandin
    clock: FrozenClock
    settings: Settings
    application: Application

    async def query(self, read: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Read the bot's database in a transaction of its own."""
        async with self.application.bot_data["services"].sessions() as session, session.begin():
            return await read(session)

    async def eventually(
        self, read: Callable[[AsyncSession], Awaitable[T]], check: Callable[[T], bool], timeout: float = WAIT
    ) -> T:
        """Re-read the database until `check` holds for what was read; fail after `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.query(read)
            if check(value):
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"database condition not met within {timeout}s: {value!r}")
            await asyncio.sleep(0.05)


def bot_settings(standin: BotApiStandin, db_url: str, **overrides: object) -> Settings:
    """Settings pointing the bot at the stand-in and the test database."""
    values: dict[str, object] = {"rate_limit": False, **overrides}
    return Settings(bot_token=TOKEN, api_base_url=standin.base_url, database_url=db_url, **values)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(
    standin: BotApiStandin, db_url: str, clock: FrozenClock | None = None, **overrides: object
) -> AsyncIterator[RunningBot]:
    """The bot with these settings (admin_ids=… for organizers), polling the stand-in on a new database; pass
    `clock` to keep one clock across a restart."""
    clock = clock or FrozenClock(T0)
    # What the bot's start-up would load (at T0, by its clock), copied in: start-up loading is tested with
    # `polling` in test_reminders and with `python -m bot` in test_restart.
    await with_shipped_program(db_url)
    settings = bot_settings(standin, db_url, **overrides)
    async with polling(build_application(settings, clock=clock), poll_timeout=1) as application:
        yield RunningBot(standin, clock, settings, application)
    # Whatever a test did, the bot never sent Telegram anything it would refuse, nor called a method the
    # stand-in only acknowledges (its effect would go untested).
    assert standin.core.problems == []


@pytest.fixture
async def bot(standin: BotApiStandin, db_url: str) -> AsyncIterator[RunningBot]:
    """The bot, built by build_application and polling the stand-in, on each database engine."""
    async with running_bot(standin, db_url) as running:
        yield running
