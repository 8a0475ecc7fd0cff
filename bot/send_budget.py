"""One send budget for every instance of the bot on one PostgreSQL: Telegram's 30 messages a second are the bot's, not each process's.

Each message send takes the next slot of the `send_budget` row (`models.coordination.reserve_sends`,
one UPDATE … RETURNING in a transaction of its own) and starts at it; slots are (1 s + margin)/30
apart, so all instances together start at most 30 sends in any rolling second, with the same margin
for jitter as `bot.rate_limit.FloodLimiter`'s own window. The limiter takes the slot last, once its
per-chat and group rules let the send go. A send that wakes later than its slot by more than half
the margin (a busy event loop) takes a new one: late, it could share a second with the slots after
it. While busy an instance reserves CHUNK slots in one round trip. Used on PostgreSQL only: SQLite has one process, whose limiter's window is the whole budget.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.coordination import hold_sends, reserve_sends

log = logging.getLogger(__name__)

BUDGET = "telegram"
# Slots reserved at once while the bot is busy. At most CHUNK - 1 go unused when a burst ends
# (0.14 s of the bot's budget), against one round trip per CHUNK sends instead of one per send.
CHUNK = 5
# A send woken this many times too late goes anyway, rather than queueing forever on a loaded machine.
_LATE_TRIES = 3
# Headroom between slots, beyond FloodLimiter's own margin: sends from several processes reach Telegram
# over different connections, and a stall anywhere on the way (a busy event loop in a sender, the
# network, the far end) delivers the sends of that moment together, where they share a second with
# the paced ones after them. Slots (1 s + MARGIN) / 30 apart leave room for a stall of about MARGIN:
# in the two-instance test (tests/e2e/test_instances.py) 0.05 s let 32 reach the stand-in within a
# second after a 4-send stall; 0.15 s gives 26 a second, a 990 fan-out about 38 s.
MARGIN = 0.15


class SharedSendBudget:
    """The slots every instance's message sends start at, from the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        per_second: int = 30,
        period: float = 1.0,
        margin: float = MARGIN,
    ) -> None:
        self._sessions = sessions
        self._interval = (period + margin) / per_second
        # Woken later than this after its slot, a send takes a new slot rather than crowd the ones after it.
        self._late = 0.025
        self._failing = False
        # Slots reserved and not used yet (by the limiter, one send at a time), and when the last were.
        self._slots: deque[float] = deque()
        self._reserved_at = 0.0

    async def take(self) -> None:
        """Wait for this instance's next slot; if the database cannot be reached, the limiter's own window holds."""
        for _ in range(_LATE_TRIES):
            start = await self._next_slot()
            if start is None:
                return
            delay = start - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.time() - start <= self._late:
                return

    async def _next_slot(self) -> float | None:
        """A slot reserved earlier and still ahead, or new ones: a few at a time while busy (None: no database)."""
        now = time.time()
        while self._slots:
            start = self._slots.popleft()
            if start >= now - self._late:
                return start
        # Busy (a fan-out): one round trip per CHUNK sends; idle, one slot, so none is left unused.
        count = CHUNK if now - self._reserved_at < 1.0 else 1
        try:
            async with self._sessions() as session, session.begin():
                first = await reserve_sends(session, BUDGET, now=now, interval=self._interval, count=count)
        except Exception as exc:
            if not self._failing:
                log.warning(
                    "send budget: no slot from the database (%s); this instance's limit only", type(exc).__name__
                )
            self._failing = True
            return None
        self._failing = False
        self._reserved_at = now
        self._slots.extend(first + n * self._interval for n in range(1, count))
        return first

    async def hold(self, seconds: float) -> None:
        """No instance starts a send for `seconds` (Telegram refused the whole bot)."""
        try:
            async with self._sessions() as session, session.begin():
                await hold_sends(session, BUDGET, until=time.time() + seconds)
        except Exception as exc:
            log.warning("send budget: the pause was not shared (%s)", type(exc).__name__)
