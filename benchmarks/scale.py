"""Scale: webhook instances on SQLite and PostgreSQL, and one bot instance on a database 100 times the size of one program's.

    python -m benchmarks.scale [--quick] [--people 50] [--runs 9] [--database-url postgresql://…] [--drop-schema]
        [--burst 200] [--fanout 990] [--skip-instances] [--skip-big]

Instances (`benchmarks.instances`): the same registration burst (`--burst` people, 8 updates each,
all at once, over 5 meetings so the role's quota fills and the rest wait) and then a `--fanout`-person
reminder fan-out, through real `python -m bot webhook` processes behind a round-robin proxy, with the
stand-in delivering webhooks and refusing more than 30 messages a second: one instance on SQLite, one
on PostgreSQL, two on PostgreSQL (one person's updates split across them). Printed: updates/s, p50
and p95 from an update to the answer the step waits for, the fan-out's time and that time over the
floor Telegram's 30 a second allows (990 / 30 = 33 s), reminders sent twice and missed, the busiest
second the stand-in saw, and whether every role seated exactly its quota.

The small database is the shipped program (38 meetings) with 300 registrations; the big one is
40 programs of 38 meetings with 50,000 registrations and their outbox rows (`benchmarks.big_data`;
`--quick` makes it 4 programs and 5,000 registrations, for a smoke run). On each, in the same run,
a real `python -m bot` on the loopback stand-in is measured for:

- the registration step: 10 people one after the other, then `--people` at once, register into the
  same empty upcoming meeting (8 updates each, as `benchmarks.registration`); p50 and p95 from an
  update to the bot's answer (one at a time: the bot's own time; at once: with the queueing);
- `/rekap_nasional`: an organizer sends it `--runs` times, one after the other; the median time
  from the command to its first message (the table, or its first part) and to the chart, the
  reply's last message (after one unmeasured run that starts the file worker).

The national recap shows the current programs' meetings (`models.program.program_is_current`): on the
big database the programs start 9 days apart, so 7 of the 40 (266 meetings against 38) are current.
So that the recap's time compares the data's size and not the report's length, it is timed again as
`/rekap_nasional <code>` of the program people register into, and with only that program listed (the
others unlisted, as loading a file without their meetings leaves them): 38 against 38. The aim: the big database within
1.5 times the small one's. Last, the retention purge (90 days) is timed on the big database, in a
transaction rolled back.
SQLite always; PostgreSQL as well with `--database-url` (emptied with `--drop-schema` before each
database: everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update

from benchmarks.big_data import Generated, generate
from benchmarks.harness import benchmark_database, bot_process, drop_schema, percentile
from benchmarks.instances import SCALE_HEADER, measure_instances
from benchmarks.registration import register_person
from bot.database import create_engine, session_factory
from bot.settings import database_url
from botapi_standin import BotApiStandin, StandinUser
from models.personal_data import purge_expired
from models.program import Meeting

ADMIN = 4_200
FIRST_PERSON = 100_000
BIG = (40, 50_000)
QUICK = (4, 5_000)
SMALL = (1, 300)
AIM = 1.5
SETTLE_SECONDS = 3
SOLO_PEOPLE = 10
RETENTION_DAYS = 90
# The caption of one part of a chart cut in parts, and the recap's count of meetings shown.
CHART_PART = re.compile(r"bagian (\d+) dari (\d+)")
SHOWN = re.compile(r"(\d+) pertemuan")


@dataclass
class Figures:
    """What one database measured."""

    name: str
    generated: Generated
    steps: list[float] = field(default_factory=list)
    # The same steps of people registering one after the other: the bot's own time, without queueing.
    solo_steps: list[float] = field(default_factory=list)
    # (to the table, to the chart), one pair per run.
    recaps: list[tuple[float, float]] = field(default_factory=list)
    # The same with only the current program listed (the big database only).
    running_recaps: list[tuple[float, float]] = field(default_factory=list)
    listed: int = 0
    running_listed: int = 0
    # Meetings the recap shows by default (the current programs'), of those listed.
    shown: int = 0
    # `/rekap_nasional <code>` of the program people register for (the big database only).
    program_recaps: list[tuple[float, float]] = field(default_factory=list)
    # The retention purge (RETENTION_DAYS) on the big database: people erased, seconds.
    purge: tuple[int, float] | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.steps)

    @property
    def p95(self) -> float:
        return percentile(self.steps, 0.95)


def median_ms(runs: list[tuple[float, float]], which: int) -> float:
    return 1000 * statistics.median(run[which] for run in runs)


async def national_recap(admin: StandinUser, command: str = "/rekap_nasional") -> tuple[float, float]:
    """Seconds from /rekap_nasional to its table, and to its chart (the last of its parts)."""
    started = time.perf_counter()
    await admin.send_text(command)
    table = await admin.next_message(timeout=120)
    to_table = time.perf_counter() - started
    while True:
        message = await admin.next_message(timeout=120)
        if message.kind == "photo":
            part = CHART_PART.search(message.plain_text)
            if part is None or part[1] == part[2]:
                return to_table, time.perf_counter() - started
    raise AssertionError(table.plain_text)


async def shown_count(admin: StandinUser, command: str = "/rekap_nasional") -> int:
    """How many meetings the recap shows (its title says), and its reply read to the end."""
    await admin.send_text(command)
    title = await admin.next_message(timeout=120)
    while True:
        message = await admin.next_message(timeout=120)
        part = CHART_PART.search(message.plain_text) if message.kind == "photo" else None
        if message.kind == "photo" and (part is None or part[1] == part[2]):
            break
    found = SHOWN.search(title.plain_text)
    assert found is not None, title.plain_text
    return int(found[1])


async def listed_count(url: str) -> int:
    engine = create_engine(database_url(url))
    try:
        async with engine.connect() as connection:
            return len((await connection.execute(select(Meeting.id).where(Meeting.listed.is_(True)))).all())
    finally:
        await engine.dispose()


async def list_only_program_of(url: str, code: str) -> None:
    """Unlist every meeting but those of the meeting's program, as loading only that program's file would leave them."""
    engine = create_engine(database_url(url))
    try:
        async with engine.begin() as connection:
            current = select(Meeting.program_id).where(Meeting.code == code).scalar_subquery()
            await connection.execute(update(Meeting).where(Meeting.program_id != current).values(listed=False))
    finally:
        await engine.dispose()


async def recaps(admin: StandinUser, runs: int, command: str = "/rekap_nasional") -> list[tuple[float, float]]:
    return [await national_recap(admin, command) for _ in range(runs)]


async def measure(name: str, url: str, size: tuple[int, int], people: int, runs: int, big: bool) -> Figures:
    """Generate the database, then time a registration burst and the national recap on a real bot."""
    programs, registrations = size
    figures = Figures(name, await generate(url, programs=programs, registrations=registrations))
    figures.listed = await listed_count(url)
    async with BotApiStandin() as standin:
        env = {"DATABASE_URL": url, "TELEGRAM_RATE_LIMIT": "off", "ADMIN_IDS": str(ADMIN)}
        async with bot_process(standin, ["-m", "bot"], env):
            admin = standin.user(ADMIN, "Panitia")
            # Unmeasured: it starts the file worker; then the jobs run at start settle.
            await national_recap(admin)
            await asyncio.sleep(SETTLE_SECONDS)
            code = figures.generated.burst_meeting
            for n in range(SOLO_PEOPLE):
                await register_person(standin.user(FIRST_PERSON - 1 - n, f"S{n}"), n, figures.solo_steps, code)
            users = [standin.user(FIRST_PERSON + n, f"P{n}") for n in range(people)]
            await asyncio.gather(*(register_person(user, n, figures.steps, code) for n, user in enumerate(users)))
            # What the registrations set off (alerts, planned messages) is done before the recap is timed.
            await asyncio.sleep(SETTLE_SECONDS)
            figures.shown = await shown_count(admin)
            figures.recaps = await recaps(admin, runs)
            if big:
                program = f"bench-{programs - 1:02d}"
                figures.program_recaps = await recaps(admin, runs, f"/rekap_nasional {program}")
                await list_only_program_of(url, code)
                figures.running_listed = await listed_count(url)
                await asyncio.sleep(SETTLE_SECONDS)
                figures.running_recaps = await recaps(admin, runs)
    if big:
        figures.purge = await timed_purge(url)
    return figures


async def timed_purge(url: str) -> tuple[int, float]:
    """The retention purge of a year's database, rolled back: people erased, seconds."""
    engine = create_engine(database_url(url))
    try:
        async with session_factory(engine)() as session:
            await session.begin()
            started = time.perf_counter()
            report = await purge_expired(session, now=datetime.now(UTC), retention_days=RETENTION_DAYS)
            seconds = time.perf_counter() - started
            await session.rollback()
    finally:
        await engine.dispose()
    return report.participants_erased, seconds


def rows(small: Figures, big: Figures) -> Iterator[tuple[str, float, float]]:
    solo = [(statistics.median(f.solo_steps), percentile(f.solo_steps, 0.95)) for f in (small, big)]
    yield "registration step, one at a time, p50 ms", 1000 * solo[0][0], 1000 * solo[1][0]
    yield "registration step, one at a time, p95 ms", 1000 * solo[0][1], 1000 * solo[1][1]
    yield "registration step, burst, p50 ms", 1000 * small.p50, 1000 * big.p50
    yield "registration step, burst, p95 ms", 1000 * small.p95, 1000 * big.p95
    listed = f"{small.shown}/{big.shown} shown of {small.listed}/{big.listed}"
    yield f"/rekap_nasional, first message ms ({listed})", median_ms(small.recaps, 0), median_ms(big.recaps, 0)
    yield f"/rekap_nasional, to the chart ms ({listed})", median_ms(small.recaps, 1), median_ms(big.recaps, 1)
    if big.program_recaps:
        yield (
            "/rekap_nasional <code>, first message ms (38/38)",
            median_ms(small.recaps, 0),
            median_ms(big.program_recaps, 0),
        )
        yield (
            "/rekap_nasional <code>, to the chart ms (38/38)",
            median_ms(small.recaps, 1),
            median_ms(big.program_recaps, 1),
        )
    if big.running_recaps:
        listed = f"{small.listed}/{big.running_listed} listed"
        yield (
            f"/rekap_nasional, first message ms ({listed})",
            median_ms(small.recaps, 0),
            median_ms(big.running_recaps, 0),
        )
        yield (
            f"/rekap_nasional, to the chart ms ({listed})",
            median_ms(small.recaps, 1),
            median_ms(big.running_recaps, 1),
        )


def report(kind: str, small: Figures, big: Figures, people: int, runs: int) -> None:
    counts = big.generated.counts
    print(
        f"\nscale benchmark, {kind}: small {small.generated.counts['registrations']} registrations in"
        f" {small.generated.counts['meetings']} meetings; big {counts['registrations']} registrations in"
        f" {counts['meetings']} meetings, {counts['outbox rows']} outbox rows (generated in"
        f" {big.generated.seconds:.1f} s); {people} people registering, median of {runs} recaps"
    )
    print(f"{'':<52} {'small':>8} {'big':>8} {'ratio':>6}")
    for name, low, high in rows(small, big):
        ratio = high / low
        print(f"{name:<52} {low:>8.1f} {high:>8.1f} {ratio:>6.2f} {'' if ratio <= AIM else 'MISSED'}")
    if big.purge is not None:
        erased, seconds = big.purge
        print(f"retention purge ({RETENTION_DAYS} days) on the big database: {erased} people erased in {seconds:.2f} s")


async def run(kind: str, url: str | None, drop: bool, big_size: tuple[int, int], people: int, runs: int) -> None:
    figures = []
    for size in (SMALL, big_size):
        if url is not None and drop:
            await drop_schema(url)
        async with benchmark_database(url, drop=False) as target:
            figures.append(await measure(kind, target, size, people, runs, big=size is big_size))
    report(kind, figures[0], figures[1], people, runs)


# 200 people over 5 meetings: 40 each, more than the role's quota.
BURST_MEETINGS = 5


async def run_instances(url: str | None, burst: int, fanout: int) -> None:
    configurations: list[tuple[str, str | None, int]] = [("1 instance, SQLite", None, 1)]
    if url is not None:
        configurations += [("1 instance, PostgreSQL", url, 1), ("2 instances, PostgreSQL", url, 2)]
    print(f"\nwebhook instances: a burst of {burst} registrations, then a {fanout}-person fan-out")
    print(SCALE_HEADER)
    for name, target_url, count in configurations:
        if target_url is not None:
            await drop_schema(target_url)
        async with benchmark_database(target_url, drop=False) as target:
            figures = await measure_instances(
                name, target, count, people=burst, fanout_people=fanout, meetings=BURST_MEETINGS
            )
        print(figures.row(), flush=True)


async def main(
    url: str | None, drop: bool, quick: bool, people: int, runs: int, burst: int, fanout: int, parts: set[str]
) -> None:
    if url is not None and not drop:
        raise SystemExit("--database-url needs --drop-schema: the run fills the database several times")
    if "instances" in parts:
        await run_instances(url, burst, fanout)
    if "big" in parts:
        big_size = QUICK if quick else BIG
        await run("SQLite", None, False, big_size, people, runs)
        if url is not None:
            await run("PostgreSQL", url, drop, big_size, people, runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a big database of 4 programs, 5,000 registrations")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--database-url", help="a PostgreSQL database to measure as well")
    parser.add_argument("--drop-schema", action="store_true", help="empty its public schema before each database")
    parser.add_argument("--burst", type=int, default=200, help="people registering at once through the instances")
    parser.add_argument("--fanout", type=int, default=990, help="people in the instances' reminder fan-out")
    parser.add_argument("--skip-instances", action="store_true", help="only the big database")
    parser.add_argument("--skip-big", action="store_true", help="only the webhook instances")
    arguments = parser.parse_args()
    chosen = {"instances", "big"} - ({"instances"} if arguments.skip_instances else set())
    chosen -= {"big"} if arguments.skip_big else set()
    asyncio.run(
        main(
            arguments.database_url,
            arguments.drop_schema,
            arguments.quick,
            arguments.people,
            arguments.runs,
            arguments.burst,
            arguments.fanout,
            chosen,
        )
    )
