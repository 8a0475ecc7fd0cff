"""N simulated people register at once through the loopback Bot API; a bare echo bot is the baseline.

    python -m benchmarks.registration [--users 300] [--database-url URL] [--drop-schema]

Each person waits for the bot's answer before the next step, as a person would: /start with a
meeting link, consent, role, name, institution, position, phone, Kirim (8 updates). The baseline
echo bot gets the same number of text updates from the same number of people on the same
stand-in in the same run. Telegram's 30 msg/s limiter is off in both: this measures the bot's
own cost per update, not Telegram's limit.

A PostgreSQL database given with `--database-url` must be empty, or given with `--drop-schema` to
empty its public schema first (everything in it is lost): the stand-in numbers its updates from 1
again, and the bot takes updates at or below the last one it applied for a person as re-deliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from benchmarks.harness import HEADER, LoadFigures, benchmark_database, bot_process, cpu_seconds, resident_mb
from botapi_standin import BotApiStandin, BotMessage, StandinUser

STEPS = 8
MEETINGS = [
    "shm23-aceh",
    "shm23-bali",
    "shm23-banten",
    "shm23-di-yogyakarta",
    "shm23-dki-jakarta",
    "shm23-gorontalo",
    "shm23-jambi",
    "shm23-jawa-timur",
    "shm23-lampung",
    "shm23-maluku",
]


async def _timed(latencies: list[float], user: StandinUser, action: Awaitable[object], replies: int = 1) -> BotMessage:
    started = time.perf_counter()
    await action
    for _ in range(replies):
        message = await user.next_message(timeout=60)
    latencies.append(time.perf_counter() - started)
    return message


async def register_person(user: StandinUser, n: int, latencies: list[float], meeting: str | None = None) -> None:
    """One person's whole registration (for `meeting`, or one of MEETINGS by n), timing each update to the bot's answer."""
    consent = await _timed(latencies, user, user.send_text(f"/start {meeting or MEETINGS[n % len(MEETINGS)]}"))
    roles = await _timed(latencies, user, user.press(consent, text="Setuju"))
    await _timed(
        latencies, user, user.press(roles, text="Stakeholder"), replies=2 if "penuh" in str(roles.reply_markup) else 1
    )
    await _timed(latencies, user, user.send_text(f"Peserta Nomor {n}"))
    await _timed(latencies, user, user.send_text("Dinas Perpustakaan & Arsip"))
    await _timed(latencies, user, user.send_text("Pustakawan Ahli Madya"))
    summary = await _timed(latencies, user, user.send_text(f"0812{n:08d}"), replies=2)
    final = await _timed(latencies, user, user.press(summary, text="Kirim"))
    assert "Pendaftaran berhasil" in final.plain_text or "daftar tunggu" in final.plain_text, user.transcript()


async def echo_person(user: StandinUser, n: int, latencies: list[float]) -> None:
    """The same number of updates to the echo bot."""
    for step in range(STEPS):
        await _timed(latencies, user, user.send_text(f"pesan {n} {step}"))


async def run_load(
    name: str,
    standin: BotApiStandin,
    pid: int,
    users: int,
    first_id: int,
    person: Callable[[StandinUser, int, list[float]], Awaitable[None]],
) -> LoadFigures:
    """Run every person at once and measure the bot process."""
    people = [standin.user(first_id + n, f"P{n}") for n in range(users)]
    latencies: list[float] = []
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(person(user, n, latencies) for n, user in enumerate(people)))
    return LoadFigures(name, users * STEPS, time.perf_counter() - started, cpu_seconds(pid) - cpu_before, latencies)


async def main(users: int, database_url: str | None, drop: bool) -> None:
    async with benchmark_database(database_url, drop=drop) as url:
        async with BotApiStandin() as standin:
            env = {"DATABASE_URL": url, "TELEGRAM_RATE_LIMIT": "off"}
            async with bot_process(standin, ["-m", "bot"], env) as bot:
                await asyncio.sleep(1)
                idle = resident_mb(bot.pid)
                shm = await run_load("shm-bot", standin, bot.pid, users, 100_000, register_person)
                loaded = resident_mb(bot.pid)
            async with bot_process(standin, ["-m", "benchmarks.echo_bot"], {}) as echo_process:
                await asyncio.sleep(1)
                echo = await run_load("echo baseline", standin, echo_process.pid, users, 200_000, echo_person)
            refused = len(standin.errors)
    print(f"registration benchmark: {users} people x {STEPS} updates, database {url.split(':')[0]}")
    print(HEADER)
    print(shm.row())
    print(echo.row())
    print(
        f"{'ratio':<14} {'':>7} {shm.updates_per_second / echo.updates_per_second:>10.2f}"
        f" {shm.cpu_ms_per_update / echo.cpu_ms_per_update:>9.2f}"
    )
    print(
        f"shm-bot boot to first poll {bot.boot_seconds:.2f} s; resident memory {idle:.0f} MB idle, {loaded:.0f} MB after the load;"
        f" calls refused by the stand-in: {refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--drop-schema", action="store_true", help="empty the PostgreSQL database's public schema first"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.users, arguments.database_url, arguments.drop_schema))
