"""Bystanders' waits while an organizer uploads the costliest program files one can build.

    python -m benchmarks.program_upload [--bystanders 4] [--seconds 8] [--database-url URL] [--drop-schema]

A real `python -m bot` polls the loopback stand-in. Bystanders send /bantuan over and over, each
waiting for the answer before the next, first for `--seconds` with nothing else going on, then
while the organizer sends, one after the other and again, the worst files: an alias bomb and
3,000 nested brackets (refused while read), a file one meeting over the bound (refused after it
is read), the largest file accepted (1,000 meetings, 962 of them new, applied), then every venue of
it changed and back again. Printed: the
bystanders' p50, p95 and worst wait in both phases, and what each upload cost the organizer.

A PostgreSQL database given with `--database-url` must be empty, or given with `--drop-schema`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

from benchmarks.harness import benchmark_database, bot_process, cpu_seconds, percentile
from bot.settings import DEFAULT_PROGRAM_FILE
from botapi_standin import BotApiStandin, StandinUser
from models.program_file import MAX_MEETINGS

ADMIN = 4242
SHIPPED = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
BENGKULU = "shm23-bengkulu"
MEETING = "  - code" + SHIPPED[SHIPPED.index(f"  - code: {BENGKULU}") :].split("\n  - code")[0].split("  - code", 1)[1]


def with_meetings(count: int, prefix: str) -> bytes:
    """The shipped program and `count` more meetings like Bengkulu's."""
    extra = "".join("\n" + MEETING.replace(BENGKULU, f"{prefix}-{n}") for n in range(count))
    return (SHIPPED + extra).encode()


def worst_files() -> list[tuple[str, bytes, str]]:
    """(name, content, words of the expected answer) of the costliest files of each kind."""
    anchored = SHIPPED.replace(f"  - code: {BENGKULU}", f"  - &m\n    code: {BENGKULU}")
    extra = MAX_MEETINGS - 38
    return [
        ("alias-bomb.yaml", (anchored + "  - *m\n" * 34_000).encode(), "an alias counts all it repeats"),
        ("deep.yaml", b"meetings: " + b"[" * 3000 + b"]" * 3000, "not valid YAML"),
        ("one-over.yaml", with_meetings(extra + 1, "over"), "more than"),
        ("largest.yaml", with_meetings(extra, "largest"), "dimuat"),
        # Every one of those meetings at a new venue: each is a change whose people are told.
        ("every-venue.yaml", with_meetings(extra, "largest").replace(b"venue: ", b"venue: Baru "), "dimuat"),
        ("largest.yaml", with_meetings(extra, "largest"), "dimuat"),
    ]


@dataclass
class Phase:
    """The bystanders' waits in one phase."""

    name: str
    waits: list[float] = field(default_factory=list)

    def row(self) -> str:
        ms = [1000 * w for w in self.waits]
        return (
            f"{self.name:<16} {len(ms):>7} {statistics.median(ms):>8.1f} {percentile(ms, 0.95):>8.1f} {max(ms):>8.1f}"
        )


async def bystander(user: StandinUser, phase: Phase, stop: asyncio.Event) -> None:
    """/bantuan, the answer, and again, until told to stop."""
    while not stop.is_set():
        started = time.perf_counter()
        await user.send_text("/bantuan")
        await user.next_message(timeout=120)
        phase.waits.append(time.perf_counter() - started)


async def bystanders_for(users: list[StandinUser], phase: Phase, work: Awaitable[object] | float) -> None:
    """Run the bystanders for a number of seconds, or until `work` is done."""
    stop = asyncio.Event()
    running = [asyncio.create_task(bystander(user, phase, stop)) for user in users]
    if isinstance(work, float):
        await asyncio.sleep(work)
    else:
        await work
    stop.set()
    await asyncio.gather(*running)


async def uploads(admin: StandinUser, rounds: int) -> list[tuple[str, int, float, str]]:
    """Send every worst file `rounds` times, each after the answer to the one before."""
    done = []
    for _ in range(rounds):
        for name, content, expected in worst_files():
            started = time.perf_counter()
            await admin.send_document(name, content)
            answer = await admin.next_message(timeout=300)
            if expected not in answer.plain_text:
                raise RuntimeError(f"{name}: unexpected answer {answer.plain_text[:300]!r}")
            done.append((name, len(content), time.perf_counter() - started, answer.plain_text.split("\n")[0][:70]))
    return done


async def main(bystander_count: int, seconds: float, rounds: int, database_url: str | None, drop: bool) -> None:
    async with benchmark_database(database_url, drop=drop) as url:
        async with BotApiStandin() as standin:
            env = {"DATABASE_URL": url, "TELEGRAM_RATE_LIMIT": "off", "ADMIN_IDS": str(ADMIN)}
            async with bot_process(standin, ["-m", "bot"], env) as bot:
                users = [standin.user(300_000 + n, f"B{n}") for n in range(bystander_count)]
                # Everyone's first contact once, so both phases time the same answer.
                await bystanders_for(users, Phase("warm-up"), 1.0)
                quiet = Phase("without upload")
                await bystanders_for(users, quiet, seconds)
                loud = Phase("during uploads")
                cpu_before = cpu_seconds(bot.pid)
                task = asyncio.ensure_future(uploads(standin.user(ADMIN, "Panitia"), rounds))
                await bystanders_for(users, loud, task)
                sent = task.result()
                cpu = cpu_seconds(bot.pid) - cpu_before
            refused = len(standin.errors)
    print(f"program upload benchmark: {bystander_count} bystanders sending /bantuan, database {url.split(':')[0]}")
    print(f"{'bystanders':<16} {'answers':>7} {'p50 ms':>8} {'p95 ms':>8} {'worst ms':>8}")
    print(quiet.row())
    print(loud.row())
    print(f"uploads ({rounds} rounds), each until the organizer's answer:")
    for name, size, took, answer in sent:
        print(f"  {name:<16} {size // 1024:>5} KB {1000 * took:>8.0f} ms  {answer}")
    print(f"bot process CPU during the uploads {cpu:.2f} s (the file worker's not included); calls refused: {refused}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bystanders", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0, help="how long the quiet phase lasts")
    parser.add_argument("--rounds", type=int, default=2, help="how often the organizer sends every worst file")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--drop-schema", action="store_true", help="empty the PostgreSQL database's public schema first"
    )
    arguments = parser.parse_args()
    asyncio.run(
        main(arguments.bystanders, arguments.seconds, arguments.rounds, arguments.database_url, arguments.drop_schema)
    )
