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

Several instances (webhook processes behind a load balancer) may share one PostgreSQL; each job runs
in one of them at a time, by the job's lease (`models.coordination.JobLease`, named by
`Leases.holder`, one random name per process). With L = OUTBOX_LEASE_SECONDS:

- A run first takes the lease (free, run out, or its own) until now + L/2, in a short transaction
  of its own, and renews it every L/6 while it works (two renewals may be late or fail before it
  runs out); at the end it releases it, recording `ran_at`. A wake during another instance's run sets
  `again`: the holder runs once more before it lets go (the release and the request are one
  statement each, so neither is lost).
- An instance that finds the lease held by another plans a re-check just after that lease's
  `until`; the re-check takes the lease only if it ran out (its holder died) and plans the next one
  otherwise. So a holder that dies mid-run is replaced at most L/2 after its last renewal; one that
  dies idle (nobody asked for a run meanwhile) at the next repeating trigger, within
  max(L/2, OUTBOX_POLL_SECONDS) for the outbox: within L as long as OUTBOX_POLL_SECONDS <= L (the
  defaults are 60 and 120). A dead holder's claimed rows keep their own lease (L) and are sent again
  when it runs out.
- The repeating trigger fires in every instance; it runs the job unless a run finished in any
  instance within 0.9 × `every`, so the alerts, digests and retention run once per interval across
  the instances. Wakes (at start, clock moves, what a transaction planned) always run or ask.
- Leases count in real time, never the injected clock: they are about processes being alive.
- `Scheduler.stop` (from the application's post_stop, again in post_shutdown) stops the jobs, puts
  the messages this instance claimed and did not send back to pending, and lets go of its leases, so
  the next instance sends at once. A single instance takes a free lease with one UPDATE: a handler's
  wake still sends at once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from models.coordination import ask_for_run, drop_leases, lease_of, release_lease, renew_lease, take_lease
from models.evaluation import ask_evaluations, next_evaluation_at
from models.not_checked_in import plan_not_checked_in
from models.outbox import EARLIEST_PLANNED, next_due_at, release_claims
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


class Trigger(enum.Enum):
    """Why a run starts, which decides what it does when another instance holds the job."""

    # A wake-up (at start, a clock move, what a transaction planned): the job must run; if another
    # instance holds it, that one is asked to run once more.
    WAKE = "wake"
    # The repeating trigger, which fires in every instance: runs unless a run finished in any
    # instance less than about `every` ago.
    INTERVAL = "interval"
    # A re-check at the `until` of another instance's lease: runs only if that holder is gone.
    TAKEOVER = "takeover"


def _real_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Leases:
    """This instance's name on the job leases and the lease rule's times (see the module's docstring)."""

    holder: str
    # OUTBOX_LEASE_SECONDS: a dead holder is replaced within it.
    bound: timedelta
    # The leases are about processes being alive, so real time, never the injected clock.
    now: Callable[[], datetime] = _real_now

    @property
    def ttl(self) -> timedelta:
        return self.bound / 2

    @property
    def renew_every(self) -> timedelta:
        return self.bound / 6


# Past a holder's `until`, so its lease has run out by the database's comparison too.
_TAKEOVER_SLACK = 0.2
# A repeating trigger skips the run if one finished within this share of `every`: the instances'
# triggers are not in step, and a run's own length must not make the next trigger skip it.
_RECENT = 0.9


class JobRunner:
    """Runs one job one run at a time across every instance, on its repeating trigger and on wake-ups."""

    def __init__(
        self,
        job: Job,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        outbox: OutboxWaker | None = None,
        *,
        leases: Leases,
    ) -> None:
        self.job = job
        self._sessions = sessions
        self._clock = clock
        self._leases = leases
        # Woken for what a domain job's transaction planned; None for the outbox job itself.
        self._outbox = outbox
        self._application: Application | None = None
        self._running: asyncio.Task[object] | None = None
        self._again = False
        self._stopped = False
        self._wake_at: float | None = None  # the event loop's time of the planned wake-up

    @property
    def running(self) -> bool:
        """Whether a run is under way in this instance."""
        return self._running is not None

    @property
    def takeover_name(self) -> str:
        return f"{self.job.name}-takeover"

    def attach(self, application: Application) -> None:
        """Put the repeating job on the application's JobQueue and follow the clock's moves."""
        self._application = application
        job = self.job
        if application.job_queue is None:
            raise RuntimeError("the application has no JobQueue: install python-telegram-bot[job-queue]")
        application.job_queue.run_repeating(
            self._on_interval, interval=job.every, first=job.first or job.every, name=job.name
        )
        if job.on_clock_move:
            self._clock.subscribe(self.wake)

    def wake(self, due_at: datetime | None = None) -> None:
        """Run at `due_at` (at once if it is None or past), unless a run is planned earlier already."""
        application = self._application
        if application is None or application.job_queue is None or self._stopped:
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

    async def _on_interval(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.tick()

    async def _on_takeover(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run(Trigger.TAKEOVER)

    async def tick(self) -> bool:
        """What the repeating trigger does: run unless a run finished lately in any instance; whether it ran."""
        return await self.run(Trigger.INTERVAL)

    @property
    def stopping(self) -> bool:
        """Whether the run should end as soon as it can: `Scheduler.stop`, or the application stopping."""
        application = self._application
        if self._stopped:
            return True
        # `Application.stop` marks the application stopped, then waits for the running jobs while its
        # JobQueue still runs: the run ends after its batch instead of sending everything due.
        job_queue = application.job_queue if application is not None else None
        return (
            application is not None
            and job_queue is not None
            and not application.running
            and job_queue.scheduler.running
        )

    async def run(self, trigger: Trigger = Trigger.WAKE) -> bool:
        """One run, again if woken during it; then the wake-up at the job's next due moment.

        Whether this instance ran the job (False: another holds it, or the trigger found it done).
        """
        if self._stopped:
            return False
        if self._running is not None:
            if trigger is Trigger.WAKE:
                self._again = True
            return False
        self._running = asyncio.current_task()
        self._wake_at = None
        try:
            if not await self._take(trigger):
                return False
            renewing = asyncio.create_task(self._renew())
            try:
                while True:
                    self._again = False
                    await self._run_once()
                    if self.stopping:
                        # Let go in `Scheduler.stop`, which keeps a run asked for for the next holder.
                        break
                    if self._again:
                        continue
                    if await self._release():
                        continue
                    # Woken while letting go (the release waits on the database): the wake would be lost
                    # with the run, so take the lease back and go round again.
                    if not (self._again and await self._take(Trigger.WAKE)):
                        break
            except Exception:
                # A failed run lets go at once: another instance (or the next trigger) tries again.
                await self._release()
                raise
            finally:
                renewing.cancel()
        finally:
            self._running = None
        if self.job.due_at and not self.stopping:
            now = self._clock.now()
            async with self._sessions() as session, session.begin():
                moments = [moment for query in self.job.due_at if (moment := await query(session, now)) is not None]
            if moments:
                self.wake(min(moments))
        return True

    async def _take(self, trigger: Trigger) -> bool:
        """Take the job's lease in a transaction of its own; if another instance holds it, plan a re-check."""
        leases, name = self._leases, self.job.name
        now = leases.now()
        until: datetime | None = None
        async with self._sessions() as session, session.begin():
            if trigger is Trigger.TAKEOVER:
                if await take_lease(session, name, leases.holder, now=now, ttl=leases.ttl, only_if_expired=True):
                    return True
            elif trigger is Trigger.INTERVAL:
                since = now - self.job.every * _RECENT
                if await take_lease(session, name, leases.holder, now=now, ttl=leases.ttl, not_ran_since=since):
                    return True
            else:
                # The holder may let go between the two statements: then the lease is free to take.
                for _ in range(3):
                    if await take_lease(session, name, leases.holder, now=now, ttl=leases.ttl):
                        return True
                    until = await ask_for_run(session, name, leases.holder, now=now)
                    if until is not None:
                        break
            if until is None:
                lease = await lease_of(session, name)
                if lease is not None and lease.holder not in (None, leases.holder) and lease.until is not None:
                    until = lease.until
        if until is not None:
            self._plan_takeover(until)
        return False

    def _plan_takeover(self, until: datetime) -> None:
        """Re-check the job just after the other holder's lease runs out: it renews it while alive."""
        application = self._application
        if application is None or application.job_queue is None or self._stopped:
            return
        delay = max((until - self._leases.now()).total_seconds(), 0.0) + _TAKEOVER_SLACK
        for planned in application.job_queue.get_jobs_by_name(self.takeover_name):
            planned.schedule_removal()
        application.job_queue.run_once(self._on_takeover, when=delay, name=self.takeover_name)

    async def _renew(self) -> None:
        """Renew the lease on a timer for as long as the run lasts (a fan-out of 990 takes half a minute)."""
        leases = self._leases
        while True:
            await asyncio.sleep(leases.renew_every.total_seconds())
            try:
                async with self._sessions() as session, session.begin():
                    kept = await renew_lease(session, self.job.name, leases.holder, now=leases.now(), ttl=leases.ttl)
            except Exception as exc:
                log.warning("%s: renewing the job lease failed: %s", self.job.name, type(exc).__name__)
                continue
            if not kept:
                # Stalled past the lease: another instance runs the job too; the rows' own leases
                # (outbox) and dedupe keys keep that harmless, and this run ends as it would.
                log.warning("%s: the job lease ran out during the run and was taken", self.job.name)

    async def _release(self) -> bool:
        """Record the run and let go; True if another instance asked for a run meanwhile (then run again)."""
        leases = self._leases
        async with self._sessions() as session, session.begin():
            return await release_lease(session, self.job.name, leases.holder, now=leases.now(), ttl=leases.ttl)

    async def _run_once(self) -> None:
        work = self.job.work
        if isinstance(work, OutboxSender):
            await work.deliver(stopping=lambda: self.stopping)
            return
        async with self._sessions() as session, session.begin():
            result = await work(session, now=self._clock.now())
        if result is not None:
            log.info("%s: %s", self.job.name, result)
        if self._outbox is not None:
            self._outbox.wake_for(session)

    async def stop(self, grace: float) -> None:
        """No more runs; the one under way ends after its batch, or is cancelled after `grace` seconds."""
        self._stopped = True
        application = self._application
        if application is not None and application.job_queue is not None:
            for name in (self.job.name, self.job.wake_name, self.takeover_name):
                for planned in application.job_queue.get_jobs_by_name(name):
                    planned.schedule_removal()
        running = self._running
        if running is None or running is asyncio.current_task():
            return
        done, _ = await asyncio.wait({running}, timeout=grace)
        if not done:
            running.cancel()
            await asyncio.wait({running})


# A run under way when the bot stops gets this long to finish its batch before it is cancelled.
STOP_GRACE = 10.0


@dataclass
class Scheduler:
    """The jobs on the application's JobQueue; `outbox` is what handlers wake after their commits."""

    outbox: JobRunner
    runners: tuple[JobRunner, ...]
    sender: OutboxSender
    sessions: async_sessionmaker[AsyncSession]
    leases: Leases
    stopped: bool = field(default=False, init=False)

    def start(self) -> None:
        """Wake the jobs that run at start; called once the database is migrated, in the event loop."""
        for runner in self.runners:
            if runner.job.at_start:
                runner.wake()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop the jobs, put back the messages claimed and not sent, and let go of this instance's leases.

        So another instance (or this bot restarted) sends every due message at once, not after the
        rows' or the jobs' leases run out. Safe to call twice.
        """
        if self.stopped:
            return
        self.stopped = True
        await asyncio.gather(*(runner.stop(grace) for runner in self.runners))
        try:
            async with self.sessions() as session, session.begin():
                returned = await release_claims(session, self.sender.holding)
                dropped = await drop_leases(session, self.leases.holder)
        except Exception as exc:
            # The rows' and jobs' leases run out by themselves: another instance takes over then.
            log.warning("stopping: claims and leases not let go (%s)", type(exc).__name__)
            return
        self.sender.forget(returned)
        if returned or dropped:
            log.info("stopped: %d claimed messages put back, leases let go: %s", len(returned), ", ".join(dropped))


def schedule_jobs(
    application: Application,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    files: FileRunner,
    *,
    instance: str,
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
    leases = Leases(instance, timedelta(seconds=settings.outbox_lease_seconds))
    outbox = JobRunner(outbox_job, sessions, clock, leases=leases)
    runners = (outbox, *(JobRunner(job, sessions, clock, outbox, leases=leases) for job in others))
    for runner in runners:
        runner.attach(application)
    return Scheduler(outbox, runners, sender, sessions, leases)
