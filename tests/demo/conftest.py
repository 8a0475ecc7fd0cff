"""The demo running in the test's event loop on a free loopback port, with a fresh SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from demo.app import Demo


@pytest.fixture
async def demo(tmp_path) -> AsyncIterator[Demo]:
    """The whole demo: bot, emulator, web chat and clock."""
    async with Demo(tmp_path, port=0) as running:
        yield running


@pytest.fixture
async def http(demo: Demo) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for the demo's page and JSON routes."""
    async with aiohttp.ClientSession(base_url=demo.standin.url) as session:
        yield session
