"""The outbox sender: delivers due outbox rows, woken by the JobQueue (APScheduler) when they fall due.

The database holds what is planned (`models.outbox`); the JobQueue holds only one wake-up, at
the next due moment, rebuilt from the rows at start. A repeating sweep also picks up rows that
another process planned (`python -m bot load-program`, a second bot on the same PostgreSQL).

Sending respects Telegram's limits through the bot's rate limiter (`bot.rate_limit`). A person
who blocked the bot is marked unreachable and not tried again; a 429 that gets through the
limiter's own retries puts the message back for its `retry_after`; timeouts and server errors are
retried with growing pauses.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.rate_limit import retry_after_seconds
from handlers.common import Reply, send
from handlers.planned_messages import render
from handlers.staff_messages import render_staff
from handlers.texts import Texts
from models.announcement import report_finished
from models.attendance import lapse_expired_offers, next_hold_expiry, reason_not_to_send
from models.conversation import languages_of
from models.outbox import (
    EARLIEST_PLANNED,
    MAX_ATTEMPTS,
    OutboxMessage,
    OutboxStatus,
    claim_due,
    mark_missed,
    next_due_at,
    record_outcome,
)
from models.reachability import set_reachable

log = logging.getLogger(__name__)

WAKE_JOB = "outbox-wake"
SWEEP_JOB = "outbox-sweep"
# Messages claimed at once: also the most a crash can make a person receive twice.
BATCH = 30


def _recipient(message: OutboxMessage) -> int:
    """The Telegram user the message goes to."""
    if message.registration is not None:
        return message.registration.participant.telegram_user_id
    assert message.recipient_user_id is not None, f"outbox message {message.id} has no recipient"
    return message.recipient_user_id


def retry_delay(attempts: int) -> timedelta:
    """The pause before trying a failed message again: 30 s, 1 min, 2 min … up to 30 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 30 * 60))


@dataclass(frozen=True)
class _Outgoing:
    message_id: int
    telegram_user_id: int
    reply: Reply
    attempts: int


class OutboxSender:
    """Sends the outbox. One run at a time per process; a wake during a run makes it go round again."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, lease: timedelta,
                 poll_interval: timedelta) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lease = lease
        self._poll_interval = poll_interval
        self._application: Application | None = None
        self._running = False
        self._again = False
        self._wake_at: float | None = None  # the event loop's time of the planned wake-up

    def attach(self, application: Application) -> None:
        """Use the application's bot and JobQueue; schedules the sweep."""
        self._application = application
        application.job_queue.run_repeating(self._job, interval=self._poll_interval, first=self._poll_interval,
                                            name=SWEEP_JOB)
        # An injected clock moves without real time passing: check what fell due.
        self._clock.subscribe(self.wake)

    def wake(self, due_at: datetime | None = None) -> None:
        """Run at `due_at` (at once if it is None or past), unless a run is planned earlier already."""
        application = self._application
        if application is None or application.job_queue is None:
            return
        now = self._clock.now()
        delay = max((due_at - now).total_seconds(), 0.0) if due_at is not None else 0.0
        # Compared in real time: an injected clock may have jumped past a wake-up planned earlier.
        wake_at = asyncio.get_running_loop().time() + delay
        if self._wake_at is not None and self._wake_at <= wake_at and application.job_queue.get_jobs_by_name(WAKE_JOB):
            return
        for job in application.job_queue.get_jobs_by_name(WAKE_JOB):
            job.schedule_removal()
        self._wake_at = wake_at
        application.job_queue.run_once(self._job, when=delay, name=WAKE_JOB)

    def wake_for(self, session: AsyncSession) -> None:
        """Wake in time for what the session's (committed) transaction planned, if it planned anything."""
        if EARLIEST_PLANNED in session.info:
            self.wake(session.info[EARLIEST_PLANNED])

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run()

    async def run(self) -> Counter[OutboxStatus]:
        """Send everything due now, then plan the next wake-up; returns how many rows ended how."""
        report: Counter[OutboxStatus] = Counter()
        if self._running:
            self._again = True
            return report
        self._running = True
        self._wake_at = None
        try:
            while True:
                self._again = False
                await self._drain(report)
                if not self._again:
                    break
        finally:
            self._running = False
        if report:
            log.info("outbox: %s", ", ".join(f"{n} {status.value}" for status, n in sorted(report.items())))
        await self._plan_next_wake()
        return report

    async def _plan_next_wake(self) -> None:
        async with self._sessions() as session, session.begin():
            moments = [m for m in (await next_due_at(session), await next_hold_expiry(session)) if m is not None]
        if moments:
            self.wake(min(moments))

    async def _drain(self, report: Counter[OutboxStatus]) -> None:
        while True:
            outgoing, claimed = await self._claim(report)
            if not claimed:
                return
            report.update(await asyncio.gather(*(self._send(item) for item in outgoing)))

    async def _claim(self, report: Counter[OutboxStatus]) -> tuple[list[_Outgoing], int]:
        """Claim a batch and render it; messages no longer wanted are recorded and dropped."""
        outgoing: list[_Outgoing] = []
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            await lapse_expired_offers(session, now=now)
            await report_finished(session, now=now)
            report[OutboxStatus.MISSED] += await mark_missed(session, now)
            claimed = await claim_due(session, now=now, lease=self._lease, limit=BATCH)
            languages = await languages_of(session, [_recipient(m) for m in claimed])
            for message in claimed:
                user_id = _recipient(message)
                texts = Texts(languages.get(user_id))
                reply: Reply | None = None
                if message.registration is None:
                    # A PIC's or organizer's message: its renderer knows whether it is still wanted.
                    reply = await render_staff(session, message, texts, now)
                    reason = OutboxStatus.OBSOLETE if reply is None else None
                else:
                    reason = reason_not_to_send(message, message.registration, now)
                    if reason is None:
                        reply = await render(session, message, message.registration, texts, now)
                if reason is not None or reply is None:
                    reason = reason or OutboxStatus.OBSOLETE
                    message.status, message.lease_until = reason, None
                    report[reason] += 1
                    continue
                outgoing.append(_Outgoing(message.id, user_id, reply, message.attempts))
            if EARLIEST_PLANNED in session.info:
                # Lapsed holds offered seats to the next people, finished announcements are reported:
                # those messages are due at once.
                self._again = True
        return outgoing, len(claimed)

    async def _send(self, item: _Outgoing) -> OutboxStatus:
        """Send one message and record the outcome (PENDING: to be tried again)."""
        assert self._application is not None
        retry_at: datetime | None = None
        error: str | None = None
        try:
            await send(self._application.bot, item.reply)
            status = OutboxStatus.SENT
        except Forbidden as exc:
            status, error = OutboxStatus.UNREACHABLE, f"Forbidden: {exc.message}"
        except RetryAfter as exc:
            # The rate limiter waited and retried already; this row waits the pause Telegram asked for.
            status, error = OutboxStatus.PENDING, "RetryAfter"
            retry_at = self._clock.now() + timedelta(seconds=retry_after_seconds(exc))
        except BadRequest as exc:
            status, error = OutboxStatus.FAILED, f"BadRequest: {exc.message}"
        except TelegramError as exc:
            # Timeouts and server errors: the message may or may not have arrived; try again later.
            error = f"{type(exc).__name__}: {exc.message}"
            if item.attempts >= MAX_ATTEMPTS:
                status = OutboxStatus.FAILED
            else:
                status = OutboxStatus.PENDING
                retry_at = self._clock.now() + retry_delay(item.attempts)
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            await record_outcome(session, item.message_id, status, now=now, error=error, retry_at=retry_at)
            if status == OutboxStatus.UNREACHABLE:
                await set_reachable(session, item.telegram_user_id, False, now=now)
        if error is not None:
            log.info("outbox message %d: %s (%s)", item.message_id, status.value, error.split(":")[0])
        return status
