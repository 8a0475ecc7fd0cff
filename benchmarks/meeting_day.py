"""The meeting day's figures: check-in at the door, the daftar hadir PDF, and the certificates afterwards.

    python -m benchmarks.meeting_day [--database-url URL] [--drop-schema] [--people 990] [--runs 7]

1. **Check-in**: 30 seated people of one meeting are checked in by its 2 PICs at once, each PIC
   opening 15 personal codes (`/start hadir-<token>`, what the phone's camera does) one after the
   other (one a second, as the next person steps up), through `python -m bot` on the loopback
   stand-in. Figures: p50/p95 from the scan to the bot's ✓ answer. Baseline in the same run: the same two PICs sending `/bantuan` 15 times each (an
   answer that reads nothing but the person's conversation).
2. **Daftar hadir**: the PDF for 30 and for 300 people, rendered in this process as the file
   worker does (`benchmarks.attendance_list`).
3. **Certificates**: `--people` people (33 meetings of 30 by default) checked in at meetings that
   have just ended, their certificates issued; `python -m bot` renders each in its file worker and
   sends it through the stand-in, which allows 30 messages a second. Figures: ms per certificate
   rendered in this process (cached fonts, as the worker has them) and the fan-out's first-to-last
   time against the floor N/30 s, the duplicates and misses.

`--database-url` may name a PostgreSQL database; it must hold no registrations yet, or pass
`--drop-schema` to empty its public schema first (everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from benchmarks.attendance_list import render_times
from benchmarks.fanout import seed_fanout
from benchmarks.harness import benchmark_database, bot_process, drop_schema, percentile
from bot.database import create_engine, session_factory
from bot.settings import database_url
from botapi_standin import WAIT, BotApiStandin
from handlers.certificate_document import CertificateContent, certificate_pdf
from models.certificates import issue_due
from models.check_in import checkin_code
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.program import Meeting
from models.registration import Registration, RegistrationStatus
from models.staff import PicAssignment

TELEGRAM_PER_SECOND = 30
PICS = (900_001, 900_002)
CHECK_MARK = "✓"
PACE = 1.0


async def seed_check_in(url: str, now: datetime) -> list[str]:
    """30 seated people at one meeting that started half an hour ago, its two PICs; their check-in payloads."""
    await seed_fanout(url, 30, now)
    engine = create_engine(database_url(url))
    try:
        async with session_factory(engine)() as session, session.begin():
            meeting = await session.scalar(select(Meeting).join(Registration).limit(1))
            assert meeting is not None
            meeting.starts_at, meeting.ends_at = now - timedelta(minutes=30), now + timedelta(hours=6)
            await session.execute(update(OutboxMessage).values(status=OutboxStatus.OBSOLETE))
            for user_id in PICS:
                session.add(
                    PicAssignment(
                        meeting_id=meeting.id,
                        telegram_user_id=user_id,
                        chat_id=user_id,
                        display_name=f"PIC {user_id}",
                        granted_via="invite",
                        granted_by=1,
                        granted_at=now - timedelta(days=30),
                    )
                )
            seated = await session.scalars(
                select(Registration).where(
                    Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.SEATED
                )
            )
            payloads = [await checkin_code(session, registration) for registration in seated]
    finally:
        await engine.dispose()
    return [payload for payload in payloads if payload is not None]


async def _scan(standin: BotApiStandin, pic: int, texts: list[str], mark: str, latencies: list[float]) -> None:
    """Send each text in turn and wait for the answer that carries `mark`."""
    chat = standin.user(pic, f"PIC{pic}", language_code="id")
    for text in texts:
        before = len(chat.messages)
        started = time.perf_counter()
        await chat.send_text(text)
        deadline = started + WAIT
        while not any(mark in m.plain_text for m in chat.messages[before:]):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no answer to {text[:12]}… within {WAIT} s")
            await asyncio.sleep(0.002)
        latencies.append(time.perf_counter() - started)
        # The next person steps up: a PIC scans about one code a second at the most. Back to back,
        # two PICs would ask for 60 answers a second and measure Telegram's 30 a second instead.
        await asyncio.sleep(PACE)


async def check_in_figures(url: str) -> tuple[list[float], list[float]]:
    """Latencies of the 30 scans by 2 PICs at once, and of the /bantuan baseline."""
    payloads = await seed_check_in(url, datetime.now(UTC))
    halves = [payloads[0::2], payloads[1::2]]
    async with BotApiStandin(bot_username="shm_test_bot") as standin:
        async with bot_process(standin, ["-m", "bot"], {"DATABASE_URL": url}):
            # Warm-up, not measured: each PIC's first answer reads their language and staff menu.
            await asyncio.gather(*(_scan(standin, pic, ["/bantuan"], "/", []) for pic in PICS))
            # The jobs run at start (outbox sweep, alerts, digests) are done by then.
            await asyncio.sleep(3)
            baseline: list[float] = []
            help_texts = ["/bantuan"] * len(halves[0])
            # The help text's own first words; any answer to /bantuan has them.
            await asyncio.gather(*(_scan(standin, pic, help_texts, "/", baseline) for pic in PICS))
            scans: list[float] = []
            await asyncio.gather(
                *(
                    _scan(standin, pic, [f"/start {payload}" for payload in half], CHECK_MARK, scans)
                    for pic, half in zip(PICS, halves, strict=True)
                )
            )
    return scans, baseline


def certificate_render_ms(runs: int) -> list[float]:
    """Milliseconds per certificate rendered in this process, fonts cached as in the worker."""
    content = CertificateContent(
        title="SERTIFIKAT",
        text="Diberikan kepada",
        name="Ni Luh Putu Ayu Ārya Wulandari",
        role_line="atas partisipasinya sebagai Stakeholder Provinsi",
        meeting="Stakeholder Meeting Provinsi TPBIS 2023 · Bengkulu",
        when="Rabu, 26 Juli 2023 pukul 09.00 WIB",
        venue="Hotel Mercure Bengkulu, Bengkulu",
        number_line="Nomor: SHM-PROVINSI-2023-SHM23-BENGKULU-0017",
        place_and_date="Bengkulu, 26 Juli 2023",
        signer_title="Ketua Panitia",
        signer_name="Dr. Adin Bondar, M.Si.",
        link="https://t.me/shm_test_bot?start=sert-Abcdefghijklmnopqrstuv",
        check_hint="Pindai untuk memeriksa keaslian sertifikat ini",
    )
    certificate_pdf(content)  # the first render reads the fonts
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        certificate_pdf(content)
        times.append(1000 * (time.perf_counter() - started))
    return times


async def seed_certificates(url: str, people: int, now: datetime) -> None:
    """`people` people checked in at meetings that ended a minute ago, their certificates issued and due now."""
    await seed_fanout(url, people, now)
    engine = create_engine(database_url(url))
    try:
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            await session.execute(update(OutboxMessage).values(status=OutboxStatus.OBSOLETE))
            await session.execute(
                update(Meeting)
                .where(Meeting.starts_at.is_not(None), Meeting.starts_at > now)
                .values(starts_at=now - timedelta(hours=7), ends_at=now - timedelta(minutes=1))
            )
            await session.execute(
                update(Registration)
                .where(Registration.status == RegistrationStatus.SEATED)
                .values(checked_in_at=now - timedelta(hours=6, minutes=50))
            )
        planned = -1
        # Each sweep issues a batch; the sender would sweep again at once, so does this.
        while True:
            async with sessions() as session, session.begin():
                await issue_due(session, now=now)
                count = await session.scalar(select(func.count()).where(OutboxMessage.kind == MessageKind.CERTIFICATE))
            if count == planned:
                break
            planned = count or 0
        if planned != people:
            raise RuntimeError(f"{planned} certificates planned for {people} people")
        async with sessions() as session, session.begin():
            # Due now whatever the hour in the meetings' zones (a night would hold them till the morning).
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.kind == MessageKind.CERTIFICATE)
                .values(due_at=now, status=OutboxStatus.PENDING)
            )
    finally:
        await engine.dispose()


async def certificate_fanout(url: str, people: int) -> tuple[float, int, int, int, int]:
    """Seconds from the first certificate sent to the last accepted, delivered, duplicates, misses, 429s."""
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        now = datetime.now(UTC)
        await seed_certificates(url, people, now)
        first_user = 500_000
        wanted = {first_user + n for n in range(people)}
        for user_id in wanted:
            standin.user(user_id, f"P{user_id}")
        async with bot_process(standin, ["-m", "bot"], {"DATABASE_URL": url}):
            deadline = time.perf_counter() + people * 1.0 + 120
            while True:
                sends = [c for c in standin.calls_to("sendDocument") if c.status == 200]
                if {int(c.params["chat_id"]) for c in sends} >= wanted or time.perf_counter() > deadline:
                    break
                await asyncio.sleep(0.5)
        all_sends = standin.calls_to("sendDocument")
        accepted = [c for c in all_sends if c.status == 200]
        per_person = Counter(int(c.params["chat_id"]) for c in accepted)
        seconds = accepted[-1].received_at - all_sends[0].received_at if accepted else float("nan")
        return (
            seconds,
            len(accepted),
            sum(1 for p in wanted if per_person[p] > 1),
            sum(1 for p in wanted if per_person[p] == 0),
            standin.rate_limited_count,
        )


async def main(url: str | None, people: int, runs: int, drop: bool) -> None:
    print("meeting-day benchmark")
    async with benchmark_database(url, drop=drop) as db:
        scans, baseline = await check_in_figures(db)
    print(f"database {db.split(':')[0]}")
    print(f"{'check-in, 2 PICs at once':<34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in (("/bantuan (baseline)", baseline), ("scan -> ✓ answer", scans)):
        print(
            f"{name:<34} {len(values):>4} {1000 * statistics.median(values):>8.1f}"
            f" {1000 * percentile(values, 0.95):>8.1f}"
        )
    print(f"p95 scan / p95 baseline: {percentile(scans, 0.95) / percentile(baseline, 0.95):.2f}")

    print(f"\n{'daftar hadir PDF':<34} {'median ms':>9} {'slowest':>8}")
    for rows in (30, 300):
        times = render_times(rows, runs)
        print(f"{f'{rows} people':<34} {statistics.median(times):>9.0f} {max(times):>8.0f}")

    render = certificate_render_ms(runs)
    print(
        f"\ncertificate render, this process: median {statistics.median(render):.0f} ms, slowest {max(render):.0f} ms"
    )
    if url is not None and drop:
        await drop_schema(url)
    async with benchmark_database(url, drop=False) as db:
        seconds, delivered, duplicates, misses, refused = await certificate_fanout(db, people)
    floor = people / TELEGRAM_PER_SECOND
    print(
        f"certificates sent by python -m bot: {delivered}/{people} in {seconds:.1f} s, floor {floor:.1f} s,"
        f" ratio {seconds / floor:.2f}; {1000 * seconds / max(delivered, 1):.0f} ms each;"
        f" {duplicates} duplicates, {misses} misses, {refused} 429s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: fresh SQLite files")
    parser.add_argument("--drop-schema", action="store_true", help="empty the PostgreSQL schema first (destroys data)")
    parser.add_argument("--people", type=int, default=990)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database_url, arguments.people, arguments.runs, arguments.drop_schema))
