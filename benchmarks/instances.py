"""Bot instances in webhook mode behind a round-robin proxy on one database, and a registration burst
with a reminder fan-out through them: what `benchmarks.scale` measures and tests/e2e/test_instances.py
checks.

Each instance is a real `python -m bot webhook` process. They all register the proxy's address with
setWebhook (as instances behind a load balancer register its address), and the stand-in, delivering
webhooks as Telegram does, posts every update to the proxy, which hands it to the instances in turn.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO

import aiohttp
from sqlalchemy import func, select, update

from benchmarks.fanout import seed_fanout
from bot.database import create_engine, session_factory
from bot.settings import PROJECT_ROOT, database_url
from botapi_standin import BotApiStandin, BotMessage, StandinUser
from botapi_standin.proxy import RoundRobinProxy
from botapi_standin.webhook import WebhookPacing
from models.base import changed_rows
from models.coordination import JobLease
from models.outbox import OutboxMessage, OutboxStatus
from models.program import Meeting, Role, RoleQuota
from models.registration import Registration, RegistrationStatus

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
SECRET = "scale-test_secret"
# The role every person of the burst asks for: its quota fills, and the rest wait.
ROLE = "Stakeholder"
# Where the burst registers: meetings the fan-out's people do not sit in, starting this long after the
# fan-out's reminders are due, so none of the burst's own reminders falls due with them.
OPENED_AFTER = timedelta(days=3)
REMINDER = "Pengingat"
# Telegram waits about a minute for a webhook's answer; a burst's answers wait for Telegram's 30 a
# second, so a step may take well over the stand-in's default 10 s, which would post it again.
PATIENT = WebhookPacing(timeout=60.0)
RESULTS = ("Pendaftaran berhasil", "Anda masuk daftar tunggu nomor")
LOST = "mungkin tidak sampai"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    """One `python -m bot webhook` process and where its output goes."""

    process: subprocess.Popen[bytes]
    port: int
    output: IO[bytes]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        """Everything the process wrote so far."""
        self.output.flush()
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no chance to finish or release anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@dataclass
class Fleet:
    """The instances and the proxy in front of them."""

    proxy: RoundRobinProxy
    instances: list[Instance]

    def by_pid(self, pid: int) -> Instance | None:
        return next((i for i in self.instances if i.process.pid == pid), None)


async def _healthy(session: aiohttp.ClientSession, instance: Instance) -> bool:
    try:
        async with session.get(instance.base + "/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


@contextmanager
def steady_clock() -> Iterator[None]:
    """No pauses of this process's garbage collector while inside: the stand-in's clock keeps time.

    The stand-in counts a call's second by when its event loop takes the request. A full collection
    of this process (the test run's objects, the stand-in's records of thousands of calls) stops that
    loop for 0.1-0.2 s, and the requests of the pause are then taken at one moment: 7 in one
    millisecond, 33 in a second of sends that left the bots 38 ms apart. What is measured is the bots'
    pacing, so the objects of the set-up are frozen and collection waits until the run is over.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


@asynccontextmanager
async def webhook_instances(
    standin: BotApiStandin, db_url: str, count: int, *, pin: bool = False, timeout: float = 60.0, **env: str
) -> AsyncIterator[Fleet]:
    """`count` webhook instances on `db_url` behind a round-robin proxy, each answering /healthz 200.

    `pin` sends update n to instance n % count, retries included (one person's consecutive updates
    land on different instances); otherwise each request goes to the next instance, so a retry of
    an update a dead instance refused reaches a live one. `env`: more settings for every instance.
    """
    with steady_clock():
        async with _webhook_instances(standin, db_url, count, pin=pin, timeout=timeout, **env) as fleet:
            yield fleet


@asynccontextmanager
async def _webhook_instances(
    standin: BotApiStandin, db_url: str, count: int, *, pin: bool, timeout: float, **env: str
) -> AsyncIterator[Fleet]:
    ports = [free_port() for _ in range(count)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports], pin_by_update_id=pin)
    await proxy.start()
    instances: list[Instance] = []
    try:
        for port in ports:
            full_env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": standin.base_url,
                "DATABASE_URL": db_url,
                "WEBHOOK_URL": proxy.url,
                "WEBHOOK_SECRET": SECRET,
                "PORT": str(port),
                "LOG_LEVEL": "WARNING",
                **env,
            }
            # A file, not a pipe: a pipe nobody reads fills up and blocks a bot that logs a lot.
            output = tempfile.TemporaryFile()
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "webhook"],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            instances.append(Instance(process, port, output))
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + timeout
            for instance in instances:
                while not await _healthy(session, instance):
                    if instance.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"an instance did not become healthy\n{instance.log}")
                    await asyncio.sleep(0.05)
        yield Fleet(proxy, instances)
    finally:
        for instance in instances:
            if instance.process.poll() is None:
                instance.process.terminate()
        for instance in instances:
            # Waited for off the event loop: the stand-in in this loop answers the stopping bot's last sends.
            try:
                await asyncio.to_thread(instance.process.wait, 15)
            except subprocess.TimeoutExpired:
                instance.process.kill()
                await asyncio.to_thread(instance.process.wait, 10)
        await proxy.stop()


async def seed_burst_and_fanout(db_url: str, fanout_people: int, meetings: int, due_at: datetime) -> list[str]:
    """Seat `fanout_people` with one reminder due at `due_at`, and open `meetings` other meetings for a burst.

    Returns the opened meetings' codes (their deep-link payloads).
    """
    await seed_fanout(db_url, fanout_people, due_at)
    engine = create_engine(database_url(db_url))
    try:
        async with session_factory(engine)() as session, session.begin():
            taken = select(Registration.meeting_id)
            opened = list(
                await session.scalars(
                    select(Meeting)
                    .where(Meeting.listed.is_(True), Meeting.id.not_in(taken))
                    .order_by(Meeting.code)
                    .limit(meetings)
                )
            )
            if len(opened) < meetings:
                raise ValueError(f"only {len(opened)} meetings are free for the burst")
            starts_at = due_at + OPENED_AFTER
            for meeting in opened:
                meeting.starts_at, meeting.ends_at = starts_at, starts_at + timedelta(hours=7)
                meeting.registration_opens_at = meeting.registration_closes_at = None
            return [meeting.code for meeting in opened]
    finally:
        await engine.dispose()


@dataclass
class Person:
    """A simulated participant who reads the bot's messages in order and waits for the one each step asks."""

    user: StandinUser
    timeout: float
    latencies: list[float] = field(default_factory=list)
    seen: int = 0

    async def _expect(self, started: float, wanted: Callable[[BotMessage], bool], what: str) -> BotMessage:
        deadline = started + self.timeout
        while True:
            messages = self.user.messages
            for index in range(self.seen, len(messages)):
                if wanted(messages[index]):
                    self.seen = index + 1
                    self.latencies.append(time.perf_counter() - started)
                    return messages[index]
            left = deadline - time.perf_counter()
            if left <= 0:
                raise AssertionError(f"the bot did not ask for {what}\n{self.user.transcript()}")
            shown = len(messages)

            def more(user: StandinUser, shown: int = shown) -> bool:
                return len(user.messages) > shown

            await self.user.wait_for(more, timeout=left)

    async def step(self, send: Callable[[], object], wanted: Callable[[BotMessage], bool], what: str) -> BotMessage:
        started = time.perf_counter()
        sent = send()
        if asyncio.iscoroutine(sent):
            await sent
        return await self._expect(started, wanted, what)

    async def register(self, meeting: str, n: int) -> BotMessage:
        """The whole registration, 8 updates; the bot's final answer."""
        user = self.user

        def says(*words: str) -> Callable[[BotMessage], bool]:
            return lambda m: any(word in m.plain_text for word in words)

        def offers(button: str) -> Callable[[BotMessage], bool]:
            return lambda m: any(button in text for text in m.button_texts)

        consent = await self.step(lambda: user.send_text(f"/start {meeting}"), offers("Setuju"), "consent")
        roles = await self.step(lambda: user.press(consent, text="Setuju"), offers(ROLE), "the role")
        await self.step(lambda: user.press(roles, text=ROLE), says("nama lengkap"), "the name")
        await self.step(lambda: user.send_text(f"Peserta Nomor {n}"), says("instansi"), "the institution")
        await self.step(lambda: user.send_text("Dinas Perpustakaan & Arsip"), says("jabatan"), "the position")
        await self.step(lambda: user.send_text("Pustakawan Ahli Madya"), says("nomor HP"), "the phone")
        summary = await self.step(lambda: user.send_text(f"0812{n:08d}"), offers("Kirim"), "the summary")
        # The result, or (its answer lost with an instance that died) the note saying it was received.
        return await self.step(lambda: user.press(summary, text="Kirim"), says(*RESULTS, LOST), "the result")


async def register_burst(
    standin: BotApiStandin, meetings: list[str], people: int, *, first_id: int = 900_000, timeout: float = 300.0
) -> list[Person]:
    """`people` register at once, spread over `meetings`, each waiting for the bot's answer to each step."""
    crowd = [Person(standin.user(first_id + n, f"R{n}"), timeout) for n in range(people)]
    await asyncio.gather(*(person.register(meetings[n % len(meetings)], n) for n, person in enumerate(crowd)))
    return crowd


def reminders_received(standin: BotApiStandin) -> Counter[int]:
    """How many reminders each chat received (sendMessage answered 200)."""
    return Counter(
        int(c.params["chat_id"])
        for c in standin.calls_to("sendMessage")
        if c.status == 200 and REMINDER in str(c.params.get("text", ""))
    )


@dataclass(frozen=True)
class Seats:
    """What the burst left in the database for its meetings."""

    registrations: int
    people: int
    # (meeting code, role code) -> (seated, waiting, quota)
    by_role: dict[tuple[str, str], tuple[int, int, int]]
    outbox_unsettled: int


async def seats_of(db_url: str, meetings: list[str]) -> Seats:
    """Registrations in the burst's meetings, by role, against the quotas; outbox rows not settled."""
    engine = create_engine(database_url(db_url))
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(Meeting.code, Role.code, Registration.status, func.count())
                .join(Registration, Registration.meeting_id == Meeting.id)
                .join(Role, Role.id == Registration.role_id)
                .where(Meeting.code.in_(meetings))
                .group_by(Meeting.code, Role.code, Registration.status)
            )
            counts: Counter[tuple[str, str, RegistrationStatus]] = Counter()
            for meeting, role, status, n in rows:
                counts[(meeting, role, status)] = n
            quotas = await session.execute(
                select(Meeting.code, Role.code, RoleQuota.seats)
                .join(RoleQuota, RoleQuota.meeting_id == Meeting.id)
                .join(Role, Role.id == RoleQuota.role_id)
                .where(Meeting.code.in_(meetings))
            )
            by_role = {
                (meeting, role): (
                    counts[(meeting, role, RegistrationStatus.SEATED)],
                    counts[(meeting, role, RegistrationStatus.WAITLISTED)],
                    seats,
                )
                for meeting, role, seats in quotas
                if counts[(meeting, role, RegistrationStatus.SEATED)]
                or counts[(meeting, role, RegistrationStatus.WAITLISTED)]
            }
            in_meetings = select(Meeting.id).where(Meeting.code.in_(meetings))
            registrations = await session.scalar(
                select(func.count()).select_from(Registration).where(Registration.meeting_id.in_(in_meetings))
            )
            people = await session.scalar(
                select(func.count(func.distinct(Registration.participant_id))).where(
                    Registration.meeting_id.in_(in_meetings)
                )
            )
            unsettled = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                .where(OutboxMessage.due_at <= datetime.now(UTC))
            )
            return Seats(registrations or 0, people or 0, by_role, unsettled or 0)
    finally:
        await engine.dispose()


async def outbox_holder_pid(db_url: str) -> int | None:
    """The process id of the instance holding the outbox's lease now, if one does."""
    engine = create_engine(database_url(db_url))
    try:
        async with session_factory(engine)() as session:
            lease = await session.get(JobLease, "outbox")
            if lease is None or lease.holder is None:
                return None
            # Holders are named <host>-<pid>-<random> (bot.app).
            return int(lease.holder.rsplit("-", 2)[1])
    finally:
        await engine.dispose()


async def start_fanout(db_url: str, planned_at: datetime, now: datetime) -> int:
    """Bring the fan-out's reminders (all planned for `planned_at`) forward to `now`; how many."""
    engine = create_engine(database_url(db_url))
    try:
        async with session_factory(engine)() as session, session.begin():
            return await changed_rows(
                session,
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at == planned_at)
                .values(due_at=now),
            )
    finally:
        await engine.dispose()


# Telegram's overall limit: a fan-out of n messages takes at least n / 30 seconds.
TELEGRAM_PER_SECOND = 30


@dataclass(frozen=True)
class ScaleFigures:
    """What one configuration of `measure_instances` measured."""

    name: str
    updates: int
    burst_seconds: float
    latencies: list[float]
    fanout_people: int
    fanout_seconds: float
    duplicates: int
    misses: int
    busiest_second: int
    quotas_held: bool

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.burst_seconds

    @property
    def floor_ratio(self) -> float:
        """Fan-out time over the time Telegram's limit allows at best."""
        return self.fanout_seconds / (self.fanout_people / TELEGRAM_PER_SECOND)

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return (
            f"{self.name:<22} {self.updates_per_second:>9.1f} {1000 * p50:>7.0f} {1000 * p95:>7.0f}"
            f" {self.fanout_seconds:>8.1f} {self.floor_ratio:>6.2f} {self.duplicates:>5} {self.misses:>6}"
            f" {self.busiest_second:>5} {'yes' if self.quotas_held else 'NO':>6}"
        )


SCALE_HEADER = (
    f"{'':<22} {'updates/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'fan-out':>8} {'÷floor':>6} {'dupl':>5} {'missed':>6}"
    f" {'max/s':>5} {'quotas':>6}"
)


def quotas_held(seats: Seats, people: int) -> bool:
    """Every person registered once; each role seats up to its quota, and people wait only for a full role."""
    if (seats.registrations, seats.people) != (people, people):
        return False
    if sum(seated + waiting for seated, waiting, _ in seats.by_role.values()) != people:
        return False
    return all(
        seated <= quota and (waiting == 0 or seated == quota) for seated, waiting, quota in seats.by_role.values()
    )


async def measure_instances(
    name: str, db_url: str, instances: int, *, people: int, fanout_people: int, meetings: int
) -> ScaleFigures:
    """A registration burst of `people`, then a fan-out to `fanout_people`, through `instances` webhook processes."""
    planned_at = datetime.now(UTC) + timedelta(hours=1)
    codes = await seed_burst_and_fanout(db_url, fanout_people, meetings, planned_at)
    first = 500_000  # benchmarks.fanout.FIRST_USER_ID
    fanout = range(first, first + fanout_people)
    async with BotApiStandin(
        rate_limit_per_second=TELEGRAM_PER_SECOND, deliver_webhooks=True, webhook_pacing=PATIENT
    ) as standin:
        for user_id in fanout:
            standin.user(user_id, f"P{user_id}")
        async with webhook_instances(standin, db_url, instances, pin=instances > 1, OUTBOX_POLL_SECONDS="1"):
            started = time.perf_counter()
            crowd = await register_burst(standin, codes, people)
            burst_seconds = time.perf_counter() - started
            await start_fanout(db_url, planned_at, datetime.now(UTC))
            started = time.perf_counter()
            deadline = started + 20 * fanout_people / TELEGRAM_PER_SECOND + 60
            while not set(reminders_received(standin)) >= set(fanout) and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            fanout_seconds = time.perf_counter() - started
            # Late duplicates (a claim sent twice) would come within a lease; the outbox settles first.
            await asyncio.sleep(2)
            seats = await seats_of(db_url, codes)
        received = reminders_received(standin)
        return ScaleFigures(
            name,
            updates=8 * people,
            burst_seconds=burst_seconds,
            latencies=[latency for person in crowd for latency in person.latencies],
            fanout_people=fanout_people,
            fanout_seconds=fanout_seconds,
            duplicates=sum(max(received[user_id] - 1, 0) for user_id in fanout),
            misses=sum(1 for user_id in fanout if received[user_id] == 0),
            busiest_second=standin.busiest_second(),
            quotas_held=quotas_held(seats, people),
        )
