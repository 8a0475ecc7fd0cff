"""Report files (Excel, the national chart) are built in a child process that ends when idle.

openpyxl and matplotlib add about 70 MB to a process once imported, and Python never gives that
back: a bot that had built one chart would idle at ~130 MB instead of ~80 MB. So the files are
built in one spawned worker process, started on first use and stopped after `idle_seconds`
without work; the bot process itself never imports either library. The first file after a pause
pays the worker's start (about a second); the ones after it cost what building the file costs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class FileWorker:
    """Runs picklable, module-level functions in a child process kept only while it is used."""

    def __init__(self, *, idle_seconds: float = 120.0) -> None:
        self._idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._busy = 0
        self._stop_timer: asyncio.TimerHandle | None = None

    @property
    def running(self) -> bool:
        """Whether the worker process exists now."""
        return self._pool is not None

    async def run(self, function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """The function's result, computed in the worker; a worker that died is replaced once."""
        loop = asyncio.get_running_loop()
        if self._stop_timer is not None:
            self._stop_timer.cancel()
            self._stop_timer = None
        self._busy += 1
        try:
            for attempt in (1, 2):
                pool = self._executor()
                try:
                    return await loop.run_in_executor(pool, functools.partial(function, *args, **kwargs))
                except BrokenProcessPool:
                    log.warning("the file worker died; %s", "starting another" if attempt == 1 else "giving up")
                    # Every job queued on the dead worker lands here; the first one replaces it, and the
                    # others must not discard that replacement, on which the first one's retry already runs.
                    self._discard(pool)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            self._busy -= 1
            if self._busy == 0 and self._pool is not None:
                self._stop_timer = loop.call_later(self._idle_seconds, self.stop)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: a fork would copy the bot's event loop, threads and connections.
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor | None = None) -> None:
        """Shut the current worker down; given `pool`, only if that is still the current one."""
        if pool is not None and pool is not self._pool:
            return
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        """End the worker process (it is started again when needed)."""
        if self._stop_timer is not None:
            self._stop_timer.cancel()
            self._stop_timer = None
        if self._busy == 0:
            self._discard()
