"""The organizers' reports on a full program: 33 meetings x 30 seated plus 500 people waiting.

    python -m benchmarks.reports [--runs 15] [--waiting 500] [--database-url URL] [--drop-schema]

Seeds with `benchmarks.fanout.seed_fanout` (990 seated through `models.seats.register()`)
and then puts `--waiting` more people on the waiting lists of those meetings, spread over the
roles. Then times, each as the median of `--runs` runs in a transaction of its own:

- baseline: a plain `SELECT` of the same roster rows (registration, person, role) with `text()`;
- the national recap: `models.reports.national_recap` and the table `/rekap_nasional` sends;
- the chart: `handlers.report_files.national_chart`, PNG bytes, built in the file worker process
  as the bot builds it (`bot.file_worker`; the first call, which starts the worker and imports
  matplotlib there, is shown apart);
- the export: `models.reports.roster` of every meeting, then the Excel file of all rows
  (~1,490) and of the first 1,000 (in the worker), and the CSV (in the bot's process).

Aims: the national recap under 300 ms and an Excel export of 1,000 rows under 1 s.
`--database-url` may name a PostgreSQL database holding no registrations, or pass `--drop-schema`
to empty its public schema first (everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.fanout import seed_fanout
from benchmarks.harness import benchmark_database
from bot.database import create_engine, session_factory
from bot.file_worker import FileWorker
from bot.settings import database_url
from handlers.report_files import chart_bars, national_chart, roster_csv, roster_xlsx
from handlers.reports import national_text
from handlers.texts import Html, Texts
from models.participant import Participant
from models.program import Meeting, Role, RoleQuota
from models.registration import Registration, RegistrationStatus
from models.reports import MeetingRecap, RosterRow, national_recap, roster
from models.seats import register

R = TypeVar("R")

FIRST_WAITING_ID = 900_000
BASELINE = text("""
    SELECT r.id, r.meeting_id, r.status, r.queued_at, r.attendance, r.offer_lapsed_at,
           ro.code, ro.name, ro.position, r.full_name, r.institution, r.position, r.phone_e164
    FROM registration r JOIN role ro ON ro.id = r.role_id
    WHERE r.status != 'cancelled'
""")


async def seed_waiting(sessions: async_sessionmaker[AsyncSession], waiting: int, now: datetime) -> None:
    """People on the waiting lists of the seeded (full) meetings, round-robin over meetings and roles."""
    async with sessions() as session, session.begin():
        full = list(
            await session.scalars(
                select(Meeting).where(Meeting.id.in_(select(Registration.meeting_id).distinct())).order_by(Meeting.code)
            )
        )
        quotas = list(
            await session.execute(
                select(RoleQuota.meeting_id, Role).join(Role, Role.id == RoleQuota.role_id).order_by(Role.position)
            )
        )
        roles = {m.id: [role for meeting_id, role in quotas if meeting_id == m.id] for m in full}
        people = [
            Participant(
                telegram_user_id=FIRST_WAITING_ID + n,
                chat_id=FIRST_WAITING_ID + n,
                full_name=f"Calon Peserta {n}",
                institution="Bappeda Kabupaten",
                position="Analis Kebijakan",
                phone_e164=f"+62814{n:07d}",
                created_at=now,
                updated_at=now,
            )
            for n in range(waiting)
        ]
        session.add_all(people)
        await session.flush()
        with session.no_autoflush:
            for n, person in enumerate(people):
                meeting = full[n % len(full)]
                role = roles[meeting.id][(n // len(full)) % len(roles[meeting.id])]
                registration = await register(
                    session, participant=person, meeting=meeting, role=role, now=now + timedelta(seconds=n)
                )
                if registration.status != RegistrationStatus.WAITLISTED:
                    raise RuntimeError("the seeded meetings should be full")


async def timed(runs: int, work: Callable[[], Awaitable[R]]) -> tuple[float, R]:
    """Median milliseconds of `runs` runs (at least one), and what the last one returned."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


async def main(url: str | None, runs: int, waiting: int, drop: bool) -> None:
    async with benchmark_database(url, drop=drop) as url:
        # The meetings start a day after the reminder moment: within the at-risk window.
        now = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        await seed_fanout(url, 990, now + timedelta(hours=22))
        engine = create_engine(database_url(url))
        sessions = session_factory(engine)
        await seed_waiting(sessions, waiting, now)
        seed_seconds = time.perf_counter() - started
        texts = Texts("id")

        async def in_transaction(read: Callable[[AsyncSession], Awaitable[R]]) -> R:
            async with sessions() as session, session.begin():
                return await read(session)

        async def _all(session: AsyncSession) -> Sequence[Row[Any]]:
            return (await session.execute(BASELINE)).all()

        async def national() -> tuple[list[MeetingRecap], Html]:
            recaps = await in_transaction(lambda s: national_recap(s, now=now))
            return recaps, national_text(recaps, texts)

        async def rows_of_all(session: AsyncSession) -> list[RosterRow]:
            meetings = list(await session.scalars(select(Meeting).where(Meeting.listed.is_(True))))
            return await roster(session, meetings)

        base_ms, base_rows = await timed(runs, lambda: in_transaction(_all))
        national_ms, (recaps, table) = await timed(runs, national)
        # As the bot does: the chart and the Excel file are built in the file worker process.
        worker = FileWorker(idle_seconds=600)
        started = time.perf_counter()
        await worker.run(national_chart, chart_bars(recaps), texts)
        first_chart_ms = (time.perf_counter() - started) * 1000

        async def chart() -> bytes:
            return await worker.run(national_chart, chart_bars(recaps), texts)

        chart_ms, png = await timed(runs, chart)
        query_ms, rows = await timed(runs, lambda: in_transaction(rows_of_all))

        async def xlsx_all() -> bytes:
            return await worker.run(roster_xlsx, rows, texts)

        async def xlsx_1000() -> bytes:
            return await worker.run(roster_xlsx, rows[:1000], texts)

        async def csv_all() -> bytes:
            return roster_csv(rows, texts)

        xlsx_ms, xlsx = await timed(runs, xlsx_all)
        xlsx_1000_ms, _ = await timed(runs, xlsx_1000)
        csv_ms, csv = await timed(runs, csv_all)
        worker.stop()
        await engine.dispose()
    national_total = national_ms + chart_ms
    export_1000 = query_ms * 1000 / len(rows) + xlsx_1000_ms
    print(
        f"reports benchmark: database {url.split(':')[0]}, {len(recaps)} listed meetings, {len(rows)} roster rows"
        f" (990 seated, {waiting} waiting), median of {runs} runs; seeding took {seed_seconds:.1f} s"
    )
    print(f"{'':<44} {'ms':>8} {'x baseline':>10}")
    figures = [
        (f"baseline: plain SELECT of {len(base_rows)} roster rows", base_ms),
        (f"national recap: query + table ({len(table)} chars)", national_ms),
        (f"national chart: PNG {len(png) // 1024} KB", chart_ms),
        ("national chart, first call (starts the worker)", first_chart_ms),
        (f"roster query, {len(rows)} rows", query_ms),
        (f"Excel, {len(rows)} rows ({len(xlsx) // 1024} KB)", xlsx_ms),
        ("Excel, 1000 rows", xlsx_1000_ms),
        (f"CSV, {len(rows)} rows ({len(csv) // 1024} KB)", csv_ms),
        (f"export, {len(rows)} rows: query + Excel + CSV", query_ms + xlsx_ms + csv_ms),
    ]
    for name, ms in figures:
        print(f"{name:<44} {ms:>8.1f} {ms / base_ms:>10.1f}")
    print(
        f"/rekap_nasional (table + chart): {national_total:.0f} ms; aim 300 ms:"
        f" {'met' if national_total < 300 else 'MISSED'}"
    )
    print(
        f"Excel export of 1000 rows (query share + file): {export_1000:.0f} ms; aim 1000 ms:"
        f" {'met' if export_1000 < 1000 else 'MISSED'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--waiting", type=int, default=500)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--drop-schema",
        action="store_true",
        help="empty the PostgreSQL database's public schema first (destroys its data)",
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database_url, arguments.runs, arguments.waiting, arguments.drop_schema))
