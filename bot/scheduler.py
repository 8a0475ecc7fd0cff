"""Every timed job of the bot, on python-telegram-bot's JobQueue (APScheduler): what runs, when, what it calls.

`jobs()` is the one list; `BEFORE_SENDING` the domain work the outbox sender does in its claim
transaction. A job either sends the outbox (`bot.outbox.OutboxSender`) or calls one domain
function in a transaction of its own and wakes the sender for what that planned; the rules are in
the domain functions.

Each job runs one at a time: a repeating job and a wake may coincide, and two runs at once would
race on the same rows and dedupe keys. A wake during a run makes the job go round again, since it
may concern a later moment (an injected clock jumped). The database holds what is planned; the
JobQueue holds at most one wake-up per job, at the job's next due moment, read from the rows after
each run and at start. An injected clock (`FrozenClock`, the demo's `OffsetClock`) moves without
real time passing, so the jobs that depend on the time are woken whenever it moves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.outbox import DomainCall, OutboxSender
from bot.settings import Settings
from handlers.common import FileRunner, OutboxWaker
from models.alerts import check_time_alerts, plan_national_digest
from models.announcement import report_finished
from models.attendance import lapse_expired_offers, next_hold_expiry
from models.certificates import issue_due, next_certificate_at
from models.evaluation import ask_evaluations, next_evaluation_at
from models.not_checked_in import plan_not_checked_in
from models.outbox import EARLIEST_PLANNED, next_due_at
from models.personal_data import purge_expired

log = logging.getLogger(__name__)

OUTBOX_JOB = "outbox"
ALERTS_JOB = "alerts"
NATIONAL_DIGEST_JOB = "national-digest"
RETENTION_JOB = "retention"
CHECK_INTERVAL = timedelta(minutes=5)

# A job's next due moment, as the rows say at `now` (work bounded by time looks back from it).
NextMoment = Callable[[AsyncSession, datetime], Awaitable[datetime | None]]


def at_any_time(query: Callable[[AsyncSession], Awaitable[datetime | None]]) -> NextMoment:
    """A next-moment query that does not depend on the time."""

    async def next_at(session: AsyncSession, now: datetime) -> datetime | None:
        return await query(session)

    return next_at


def looking_back_from(query: Callable[..., Awaitable[datetime | None]]) -> NextMoment:
    """A next-moment query bounded by time: it is given `now`."""

    async def next_at(session: AsyncSession, now: datetime) -> datetime | None:
        return await query(session, now=now)

    return next_at


@dataclass(frozen=True)
class DueWork:
    """Domain work the outbox sender does before it claims, and when it next falls due (None: any run)."""

    name: str
    call: DomainCall
    next_at: NextMoment | None = None


# Done in the sender's claim transaction, in this order, before it claims: a hold that ran out is
# lapsed before any message about it is checked, and what the work plans (the offer to the next
# person, the author's report, a certificate) is due at once and goes out in the same batch.
BEFORE_SENDING: tuple[DueWork, ...] = (
    DueWork("seat-offer lapses", lapse_expired_offers, next_at=at_any_time(next_hold_expiry)),
    DueWork("announcement reports", report_finished),
    # After a meeting's end: each person checked in is asked for the evaluation, once (before the
    # certificates, which may wait for it).
    DueWork("evaluation questions", ask_evaluations, next_at=looking_back_from(next_evaluation_at)),
    # A meeting that has ended: a certificate for everyone checked in, its message due at once (or in
    # the morning).
    DueWork("certificates", issue_due, next_at=looking_back_from(next_certificate_at)),
)


async def time_alerts(session: AsyncSession, *, now: datetime, admin_ids: frozenset[int]) -> None:
    """The alerts job's work: the quota alerts time brings, then the not-checked-in list an hour after a start."""
    await check_time_alerts(session, now=now, admin_ids=admin_ids)
    await plan_not_checked_in(session, now=now, admin_ids=admin_ids)


@dataclass(frozen=True)
class Job:
    """A job: its name on the JobQueue, what it calls, and when it runs."""

    name: str
    # The sender, or a domain function run in a transaction of its own.
    work: OutboxSender | DomainCall
    every: timedelta
    first: timedelta | None = None  # the first repeat; `every` after start if None
    at_start: bool = False
    on_clock_move: bool = False
    # Queries for the job's next due moment; the job is woken at the earliest after each run.
    due_at: tuple[NextMoment, ...] = ()

    @property
    def wake_name(self) -> str:
        return f"{self.name}-wake"


def jobs(settings: Settings, sender: OutboxSender) -> tuple[Job, ...]:
    """Every job of the bot, the outbox first."""
    return (
        # Also swept every OUTBOX_POLL_SECONDS for rows another process planned (`load-program`,
        # a second bot on the same PostgreSQL); at start what fell due while the bot was down goes out.
        Job(
            OUTBOX_JOB,
            sender,
            every=timedelta(seconds=settings.outbox_poll_seconds),
            at_start=True,
            on_clock_move=True,
            due_at=(at_any_time(next_due_at), *(work.next_at for work in BEFORE_SENDING if work.next_at is not None)),
        ),
        # What only time causes: a lagging meeting, seated people unconfirmed a day before, untaken digests,
        # the alerts of meetings without a PIC, handed to the organizers, and an hour after a meeting's
        # start the seated people not checked in.
        Job(
            ALERTS_JOB,
            partial(time_alerts, admin_ids=settings.admin_ids),
            every=CHECK_INTERVAL,
            at_start=True,
            on_clock_move=True,
        ),
        Job(
            NATIONAL_DIGEST_JOB,
            partial(plan_national_digest, admin_ids=settings.admin_ids),
            every=CHECK_INTERVAL,
            at_start=True,
            on_clock_move=True,
        ),
        # Daily; the first a minute after start, once start-up is done.
        Job(
            RETENTION_JOB,
            partial(purge_expired, retention_days=settings.retention_days),
            every=timedelta(days=1),
            first=timedelta(minutes=1),
        ),
    )


class JobRunner:
    """Runs one job one run at a time, on its repeating trigger and on wake-ups."""

    def __init__(
        self, job: Job, sessions: async_sessionmaker[AsyncSession], clock: Clock, outbox: OutboxWaker | None = None
    ) -> None:
        self.job = job
        self._sessions = sessions
        self._clock = clock
        # Woken for what a domain job's transaction planned; None for the outbox job itself.
        self._outbox = outbox
        self._application: Application | None = None
        self._running = False
        self._again = False
        self._wake_at: float | None = None  # the event loop's time of the planned wake-up

    def attach(self, application: Application) -> None:
        """Put the repeating job on the application's JobQueue and follow the clock's moves."""
        self._application = application
        job = self.job
        if application.job_queue is None:
            raise RuntimeError("the application has no JobQueue: install python-telegram-bot[job-queue]")
        application.job_queue.run_repeating(
            self._callback, interval=job.every, first=job.first or job.every, name=job.name
        )
        if job.on_clock_move:
            self._clock.subscribe(self.wake)

    def wake(self, due_at: datetime | None = None) -> None:
        """Run at `due_at` (at once if it is None or past), unless a run is planned earlier already."""
        application = self._application
        if application is None or application.job_queue is None:
            return
        job_queue = application.job_queue
        delay = max((due_at - self._clock.now()).total_seconds(), 0.0) if due_at is not None else 0.0
        # Compared in real time: an injected clock may have jumped past a wake-up planned earlier.
        wake_at = asyncio.get_running_loop().time() + delay
        if self._wake_at is not None and self._wake_at <= wake_at and job_queue.get_jobs_by_name(self.job.wake_name):
            return
        for planned in job_queue.get_jobs_by_name(self.job.wake_name):
            planned.schedule_removal()
        self._wake_at = wake_at
        job_queue.run_once(self._callback, when=delay, name=self.job.wake_name)

    def wake_for(self, session: AsyncSession) -> None:
        """Wake in time for what the session's (committed) transaction planned, if it planned anything."""
        if EARLIEST_PLANNED in session.info:
            self.wake(session.info[EARLIEST_PLANNED])

    async def _callback(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run()

    async def run(self) -> None:
        """One run, again if woken during it; then the wake-up at the job's next due moment."""
        if self._running:
            self._again = True
            return
        self._running = True
        self._wake_at = None
        try:
            while True:
                self._again = False
                await self._run_once()
                if not self._again:
                    break
        finally:
            self._running = False
        if self.job.due_at:
            now = self._clock.now()
            async with self._sessions() as session, session.begin():
                moments = [moment for query in self.job.due_at if (moment := await query(session, now)) is not None]
            if moments:
                self.wake(min(moments))

    async def _run_once(self) -> None:
        work = self.job.work
        if isinstance(work, OutboxSender):
            await work.deliver()
            return
        async with self._sessions() as session, session.begin():
            result = await work(session, now=self._clock.now())
        if result is not None:
            log.info("%s: %s", self.job.name, result)
        if self._outbox is not None:
            self._outbox.wake_for(session)


@dataclass(frozen=True)
class Scheduler:
    """The jobs on the application's JobQueue; `outbox` is what handlers wake after their commits."""

    outbox: JobRunner
    runners: tuple[JobRunner, ...]

    def start(self) -> None:
        """Wake the jobs that run at start; called once the database is migrated, in the event loop."""
        for runner in self.runners:
            if runner.job.at_start:
                runner.wake()


def schedule_jobs(
    application: Application,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    files: FileRunner,
) -> Scheduler:
    """Put every job of `jobs()` on the application's JobQueue; the outbox builds its files with `files`."""
    sender = OutboxSender(
        application.bot,
        sessions,
        clock,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        files=files,
        before_claim=[work.call for work in BEFORE_SENDING],
    )
    outbox_job, *others = jobs(settings, sender)
    assert outbox_job.name == OUTBOX_JOB, "the outbox job comes first: the others wake it"
    outbox = JobRunner(outbox_job, sessions, clock)
    runners = (outbox, *(JobRunner(job, sessions, clock, outbox) for job in others))
    for runner in runners:
        runner.attach(application)
    return Scheduler(outbox, runners)
