"""A timed job runs one run at a time; a run asked for during one runs after it (the alert check)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import FrozenClock
from bot.database import session_factory
from bot.scheduler import ALERTS_JOB, CHECK_INTERVAL, Job, JobRunner, Leases
from botapi_standin import WAIT
from models.alerts import check_time_alerts
from tests.models.factories import T0


class _Outbox:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self, due_at: datetime | None = None) -> None:
        self.woken += 1

    def wake_for(self, session: AsyncSession) -> None:
        self.woken += 1


async def test_a_check_asked_for_during_one_runs_after_it(engine: AsyncEngine) -> None:
    gate = asyncio.Event()
    checked: list[datetime] = []
    running = most = 0

    async def held_check(session: AsyncSession, *, now: datetime) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        checked.append(now)
        await gate.wait()
        await check_time_alerts(session, now=now)
        running -= 1

    clock = FrozenClock(T0)
    outbox = _Outbox()
    watch = JobRunner(
        Job(ALERTS_JOB, held_check, every=CHECK_INTERVAL),
        session_factory(engine),
        clock,
        outbox,
        leases=Leases("test-instance", timedelta(minutes=2)),
    )
    first = asyncio.create_task(watch.run())
    async with asyncio.timeout(WAIT):
        while not checked:
            await asyncio.sleep(0.01)
    # The clock jumps during the check: the check it asks for must see the new moment.
    clock.advance(timedelta(days=1))
    second = asyncio.create_task(watch.run())
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(first, second)
    assert most == 1, "two checks ran at once"
    assert checked == [T0, T0 + timedelta(days=1)]
    assert outbox.woken == 2
