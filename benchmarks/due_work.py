"""Due work: one pass of each job the outbox sender does before a claim, and of the alert jobs, small against big.

    python -m benchmarks.due_work [--quick] [--runs 15] [--database-url postgresql://… --drop-schema]

The outbox sender runs `bot.scheduler.BEFORE_SENDING` in its claim transaction before every claim
of 30 messages (a fan-out of 990 pays it 33 times), then reads each item's next due moment; the
alerts jobs run every five minutes and whenever the clock moves. Each is timed here alone, in a
transaction rolled back (so every run finds the same rows), median of `--runs`, after one pass of
everything committed (a running bot's steady state: what was due is done), on the small
database (the shipped program, 300 registrations) and on the big one (`benchmarks.big_data`: 40
programs, 50,000 registrations, a year of history), both filled for the same moment. What should
not grow with history is within a few times the small figure.

SQLite always; PostgreSQL as well with `--database-url` (emptied with `--drop-schema` before each
database: everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.big_data import generate
from benchmarks.harness import benchmark_database, drop_schema
from bot.database import create_engine, session_factory
from bot.scheduler import BEFORE_SENDING
from bot.settings import database_url
from models.alerts import check_time_alerts, plan_national_digest, plan_untaken_digests, route_to_organizers
from models.not_checked_in import plan_not_checked_in
from models.outbox import claim_due, mark_missed, next_due_at

BIG = (40, 50_000)
QUICK = (4, 5_000)
SMALL = (1, 300)
ADMINS = frozenset({4_200})
# A pass the sender pays per claim: it should not grow with a year of history.
Pass = Callable[[AsyncSession, datetime], Awaitable[object]]


def passes() -> list[tuple[str, Pass]]:
    """What is timed, in the order the sender and the alert jobs run it."""
    timed: list[tuple[str, Pass]] = []
    for work in BEFORE_SENDING:
        timed.append((work.name, partial(_with_now, work.call)))
        if work.next_at is not None:
            timed.append((f"  next ({work.name})", work.next_at))
    timed += [
        ("outbox mark_missed", lambda s, now: mark_missed(s, now)),
        ("outbox claim_due (30)", lambda s, now: claim_due(s, now=now, lease=timedelta(minutes=1), limit=30)),
        ("outbox next_due_at", lambda s, now: next_due_at(s)),
        ("alerts: check_time_alerts", partial(_with_now, partial(check_time_alerts, admin_ids=ADMINS))),
        ("  of which untaken digests", partial(_with_now, plan_untaken_digests)),
        ("  of which to organizers", partial(_with_now, partial(route_to_organizers, admin_ids=ADMINS))),
        ("alerts: not checked in", partial(_with_now, partial(plan_not_checked_in, admin_ids=ADMINS))),
        ("national digest", partial(_with_now, partial(plan_national_digest, admin_ids=ADMINS))),
    ]
    return timed


async def _with_now(call: Callable[..., Awaitable[object]], session: AsyncSession, now: datetime) -> object:
    return await call(session, now=now)


async def time_pass(sessions: async_sessionmaker[AsyncSession], work: Pass, now: datetime, runs: int) -> float:
    """The median milliseconds of one pass, each in a transaction rolled back (after one unmeasured warm-up)."""
    times = []
    for run in range(runs + 1):
        async with sessions() as session:
            transaction = await session.begin()
            started = time.perf_counter()
            await work(session, now)
            await session.flush()
            elapsed = time.perf_counter() - started
            await transaction.rollback()
        if run:
            times.append(elapsed * 1000)
    return statistics.median(times)


async def measure(url: str, size: tuple[int, int], now: datetime, runs: int) -> dict[str, float]:
    """Fill the database for `now`, then time each pass."""
    programs, registrations = size
    await generate(url, programs=programs, registrations=registrations, now=now)
    engine = create_engine(database_url(url))
    try:
        if url.startswith("postgres"):
            # As autovacuum would have by then: without statistics the planner guesses a table of 100 rows.
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
        sessions = session_factory(engine)
        for _, work in passes():
            async with sessions() as session, session.begin():
                await work(session, now)
        return {name: await time_pass(sessions, work, now, runs) for name, work in passes()}
    finally:
        await engine.dispose()


async def run(kind: str, url: str | None, drop: bool, big_size: tuple[int, int], runs: int) -> None:
    # Both filled for the same moment, a minute after the data's "now", so what is due is the same kind of thing.
    now = datetime.now(UTC).replace(microsecond=0)
    figures = []
    for size in (SMALL, big_size):
        if url is not None and drop:
            await drop_schema(url)
        async with benchmark_database(url, drop=False) as target:
            figures.append(await measure(target, size, now, runs))
    small, big = figures
    print(f"\n{kind}: one pass, median of {runs} (ms); small {SMALL[1]} registrations, big {big_size[1]:,}")
    print(f"{'':<34} {'small':>8} {'big':>8} {'big/small':>10}")
    for name in small:
        ratio = big[name] / small[name] if small[name] else float("nan")
        print(f"{name:<34} {small[name]:>8.2f} {big[name]:>8.2f} {ratio:>10.1f}")
    print(f"{'sum of BEFORE_SENDING + next':<34} {_before(small):>8.2f} {_before(big):>8.2f}")


def _before(figures: dict[str, float]) -> float:
    names = {work.name for work in BEFORE_SENDING} | {f"  next ({work.name})" for work in BEFORE_SENDING}
    return sum(ms for name, ms in figures.items() if name in names)


async def main(url: str | None, drop: bool, quick: bool, runs: int) -> None:
    big_size = QUICK if quick else BIG
    await run("SQLite", None, False, big_size, runs)
    if url is not None:
        if not drop:
            raise SystemExit("--database-url needs --drop-schema: the run fills the database twice")
        await run("PostgreSQL", url, drop, big_size, runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a big database of 4 programs, 5,000 registrations")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", help="a PostgreSQL database to measure as well")
    parser.add_argument("--drop-schema", action="store_true", help="empty its public schema before each database")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database_url, arguments.drop_schema, arguments.quick, arguments.runs))
