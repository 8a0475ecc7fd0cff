"""The alert watch: records the alerts time brings and plans digests, on the JobQueue and on every clock move.

Roster alerts are recorded by the domain with each change; what only time causes (a meeting
lagging `lagging_days` before, seated people unconfirmed a day before, the organizers' daily
national digest) is checked every few minutes, at start, and whenever an injected clock moves.
Every check is idempotent (alerts and outbox rows have dedupe keys), so restarts and a second
bot process repeat nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from handlers.common import OutboxWaker
from models.alerts import check_time_alerts

log = logging.getLogger(__name__)

CHECK_JOB = "alerts-check"
WAKE_JOB = "alerts-wake"
CHECK_INTERVAL = timedelta(minutes=5)


class AlertWatch:
    """Runs `check_time_alerts` on a schedule and wakes the outbox for what it planned."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, outbox: OutboxWaker,
                 admin_ids: frozenset[int]) -> None:
        self._sessions = sessions
        self._clock = clock
        self._outbox = outbox
        self._admin_ids = admin_ids
        self._application: Application | None = None
        self._running = False
        self._again = False

    def attach(self, application: Application) -> None:
        """Check every CHECK_INTERVAL, at start, and whenever an injected clock moves."""
        self._application = application
        application.job_queue.run_repeating(self._job, interval=CHECK_INTERVAL, first=CHECK_INTERVAL, name=CHECK_JOB)
        self._clock.subscribe(self.wake)
        # The first check runs once the JobQueue starts, after the database is migrated.
        self.wake()

    def wake(self) -> None:
        """Check at once (one pending check is enough)."""
        application = self._application
        if application is None or application.job_queue is None or application.job_queue.get_jobs_by_name(WAKE_JOB):
            return
        application.job_queue.run_once(self._job, when=0, name=WAKE_JOB)

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run()

    async def run(self) -> None:
        """One check, again if asked for during it; the outbox is woken for whatever it planned.

        One at a time: the repeating job and a clock jump may coincide, and two checks at once
        would race on the same dedupe keys. A check asked for meanwhile may concern a later moment
        (the clock jumped), so it is not dropped but run after.
        """
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            while True:
                self._again = False
                async with self._sessions() as session, session.begin():
                    await check_time_alerts(session, now=self._clock.now(), admin_ids=self._admin_ids)
                self._outbox.wake_for(session)
                if not self._again:
                    break
        finally:
            self._running = False
