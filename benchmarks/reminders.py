"""A reminder fan-out: N seated people with a reminder due at the same instant, sent by `python -m bot`.

    python -m benchmarks.reminders [--people 990] [--database-url URL] [--drop-schema] [--lead 20]

The people (33 provinces x 30 seats by default) are seeded by `benchmarks.fanout.seed_fanout`
with one reminder each, due `--lead` seconds after seeding starts; the bot is started before
then and idles until it falls due. It sends through the loopback stand-in, which refuses more
than 30 messages in any rolling second with 429 as Telegram does; the bot's rate limiter is on.

Figures: the time from the first reminder to reach the stand-in to the last one it accepted,
against the floor N/30 s, the 429s, people with more than one reminder or none, and the bot's
CPU time and resident memory. The baseline, in the same run, is the same N sendMessage calls
made at once by a bare bot (`telegram.ext.ExtBot`) with the project's `FloodLimiter`: what a
perfect sender reaches on this machine.

`--database-url` may name a PostgreSQL database; it must hold no registrations yet, or pass
`--drop-schema` to empty its public schema first (everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from telegram.constants import ParseMode
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from benchmarks.fanout import seed_fanout
from benchmarks.harness import ROOT, TOKEN, benchmark_database, bot_process, cpu_seconds, resident_mb
from bot.database import create_engine
from bot.rate_limit import FloodLimiter
from bot.settings import database_url
from botapi_standin import BotApiStandin
from botapi_standin.state import CallRecord
from models.outbox import OutboxMessage, OutboxStatus

TELEGRAM_PER_SECOND = 30
REMINDER_MARK = "Pengingat"


@dataclass
class Delivery:
    """What the stand-in saw of one fan-out."""

    seconds: float
    delivered: int
    duplicates: int
    missing: int
    refused: int


def reminder_sends(standin: BotApiStandin) -> list[CallRecord]:
    """sendMessage calls carrying a reminder, in arrival order (any status)."""
    return [c for c in standin.calls_to("sendMessage") if REMINDER_MARK in str(c.params.get("text", ""))]


def delivery(standin: BotApiStandin, people: list[int]) -> Delivery:
    """Time from the first reminder sent to the last accepted, and who got none or several."""
    sends = reminder_sends(standin)
    accepted = [c for c in sends if c.status == 200]
    per_person = Counter(int(c.params["chat_id"]) for c in accepted)
    seconds = accepted[-1].received_at - sends[0].received_at if accepted else float("nan")
    return Delivery(
        seconds,
        len(accepted),
        sum(1 for p in people if per_person[p] > 1),
        sum(1 for p in people if per_person[p] == 0),
        standin.rate_limited_count,
    )


async def outbox_unsettled(url: str) -> int:
    """Reminders still pending or being sent."""
    engine = create_engine(database_url(url))
    try:
        async with engine.connect() as connection:
            return (
                await connection.scalar(
                    select(func.count())
                    .select_from(OutboxMessage.__table__)
                    .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                )
                or 0
            )
    finally:
        await engine.dispose()


async def run_bot(url: str, people: int, lead: float) -> tuple[Delivery, dict[int, str], float, float, float, bool]:
    """Seed, start the bot and wait for the fan-out.

    Returns what was delivered, the text each person got, the bot's CPU seconds and resident MB,
    the seconds seeding took and whether the reminders were due before the bot started.
    """
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        seed_started = time.perf_counter()
        due_at = datetime.now(UTC) + timedelta(seconds=lead)
        user_ids = await seed_fanout(url, people, due_at)
        seed_seconds = time.perf_counter() - seed_started
        for user_id in user_ids:
            standin.user(user_id, f"P{user_id}")
        async with bot_process(standin, ["-m", "bot"], {"DATABASE_URL": url}) as bot:
            due_before_start = datetime.now(UTC) >= due_at
            cpu_before = cpu_seconds(bot.pid)
            deadline = time.perf_counter() + lead + people / TELEGRAM_PER_SECOND * 3 + 60
            wanted = set(user_ids)
            while True:
                got = {int(c.params["chat_id"]) for c in reminder_sends(standin) if c.status == 200}
                if wanted <= got and await outbox_unsettled(url) == 0:
                    break
                if time.perf_counter() > deadline:
                    print(f"gave up waiting: {len(wanted - got)} people have no reminder yet")
                    break
                await asyncio.sleep(0.5)
            cpu = cpu_seconds(bot.pid) - cpu_before
            rss = resident_mb(bot.pid)
        texts = {int(c.params["chat_id"]): str(c.params["text"]) for c in reversed(reminder_sends(standin))}
        return delivery(standin, user_ids), texts, cpu, rss, seed_seconds, due_before_start


async def send_baseline(base_url: str, texts: dict[int, str]) -> None:
    """Send every text at once through a bare bot with the project's FloodLimiter (the baseline process)."""
    # The pool the Application gets by default (ApplicationBuilder: 256 connections).
    bot = ExtBot(
        TOKEN,
        base_url=base_url,
        request=HTTPXRequest(connection_pool_size=256),
        rate_limiter=FloodLimiter(max_retries=3),
    )
    async with bot:
        await asyncio.gather(
            *(bot.send_message(chat_id, message, parse_mode=ParseMode.HTML) for chat_id, message in texts.items())
        )


def _children_cpu() -> float:
    """CPU seconds of the child processes that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def run_baseline(texts: dict[int, str]) -> tuple[Delivery, float]:
    """The same sendMessage calls (person, text) made at once by a bare bot in a process of its own.

    Returns what was delivered and the sender's CPU seconds. A process of its own, as the bot
    has, so the stand-in does not share an event loop with the sender it times.
    """
    people = list(texts)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "baseline.json"
        path.write_text(json.dumps({str(k): v for k, v in texts.items()}))
        return await _run_baseline_from(path, people)


async def _run_baseline_from(path: Path, people: list[int]) -> tuple[Delivery, float]:
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=TELEGRAM_PER_SECOND) as standin:
        for user_id in people:
            standin.user(user_id, f"P{user_id}")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TELEGRAM_API_BASE_URL": standin.base_url}
        cpu_before = _children_cpu()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.reminders", "--baseline-from", str(path), cwd=ROOT, env=env
        )
        await process.wait()
        if process.returncode != 0:
            raise RuntimeError(f"the baseline sender exited with {process.returncode}")
        return delivery(standin, people), _children_cpu() - cpu_before


async def main(people: int, url: str | None, lead: float, drop: bool) -> None:
    async with benchmark_database(url, drop=drop) as url:
        shm, texts, cpu, rss, seed_seconds, late = await run_bot(url, people, lead)
    baseline, baseline_cpu = await run_baseline(texts)
    floor = people / TELEGRAM_PER_SECOND
    print(
        f"reminder fan-out benchmark: {people} people, one reminder each due at the same instant,"
        f" database {url.split(':')[0]}, stand-in limit {TELEGRAM_PER_SECOND} msg/s (429 above)"
    )
    print(
        f"seeding took {seed_seconds:.1f} s" + ("; the reminders were already due when the bot started" if late else "")
    )
    print(f"{'':<18} {'first->last s':>13} {'/floor':>7} {'delivered':>9} {'429s':>5} {'dupes':>6} {'misses':>7}")
    print(f"{'floor N/30':<18} {floor:>13.2f} {1:>7.3f}")
    for name, figures in (("shm-bot", shm), ("bare bot+limiter", baseline)):
        print(
            f"{name:<18} {figures.seconds:>13.2f} {figures.seconds / floor:>7.3f} {figures.delivered:>9}"
            f" {figures.refused:>5} {figures.duplicates:>6} {figures.missing:>7}"
        )
    print(f"shm-bot / baseline: {shm.seconds / baseline.seconds:.3f}")
    print(
        f"shm-bot process during the fan-out: {cpu:.2f} CPU s ({1000 * cpu / max(shm.delivered, 1):.2f} ms per"
        f" reminder), resident memory {rss:.0f} MB"
    )
    print(f"bare bot process, start-up included: {baseline_cpu:.2f} CPU s")
    met = shm.seconds / floor <= 1.10 and shm.duplicates == 0 and shm.missing == 0
    print(f"aim (time/floor <= 1.10, 0 duplicates, 0 misses): {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=990)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--lead",
        type=float,
        default=20.0,
        help="seconds from the start of seeding to the moment the reminders fall due",
    )
    parser.add_argument(
        "--drop-schema",
        action="store_true",
        help="empty the PostgreSQL database's public schema first (destroys its data)",
    )
    parser.add_argument("--baseline-from", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.baseline_from:
        baseline_texts = json.loads(Path(arguments.baseline_from).read_text())
        asyncio.run(send_baseline(os.environ["TELEGRAM_API_BASE_URL"], {int(k): v for k, v in baseline_texts.items()}))
        sys.exit(0)
    asyncio.run(main(arguments.people, arguments.database_url, arguments.lead, arguments.drop_schema))
