"""Fixtures: a running stand-in and a tiny python-telegram-bot Application polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import polling
from botapi_standin import BotApiStandin
from tests.standin.standin_helpers import BotUnderTest, add_demo_handlers, build_app


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    """A started stand-in on a free port."""
    server = BotApiStandin(bot_username="shm_test_bot")
    await server.start(host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(standin: BotApiStandin) -> AsyncIterator[BotUnderTest]:
    """A polling PTB Application with the demo handlers; shut down cleanly afterwards."""
    app = build_app(standin)
    under_test = BotUnderTest(app)
    add_demo_handlers(app, under_test)
    async with polling(app, poll_timeout=1):
        yield under_test
