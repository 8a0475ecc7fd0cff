"""Other people's answer times while one person floods the bot, against the same times without the flood.

    python -m benchmarks.flood [--bystanders 10] [--rounds 20] [--flood 200] [--database-url URL] [--drop-schema]

A real `python -m bot` process, as deployed (its flood limiter on), polls the loopback stand-in, which
refuses more than 30 messages a second like Telegram. Bystanders each send /bantuan `rounds` times,
waiting for every answer and a moment more, as people do; each update's time to its answer is
measured. They do it twice in the same run: once alone, then while one more person sends `flood`
/bantuan as fast as the stand-in takes them, spread over the first two seconds of the bystanders'
rounds. Each phase starts after SETTLE_SECONDS of quiet, so the one before it leaves nothing in the
send windows. The goal: the bystanders' p95 with the flood stays within 2x the p95 without it.

A PostgreSQL database given with `--database-url` must be empty, or given with `--drop-schema` to
empty its public schema first (everything in it is lost).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from benchmarks.harness import benchmark_database, bot_process, percentile
from botapi_standin import BotApiStandin, StandinUser
from handlers.texts import Texts

FLOOD_SECONDS = 2.0
FLOOD_BATCHES = 20
# Between a bystander's answer and their next message: people read before they type. It also keeps
# the bystanders' answers (about 19 a second) under the 30 a second the limiter allows, so the
# figures are the bot's handling, not the queue for Telegram's limit.
THINK_SECONDS = 0.5
# Quiet before each measured phase, once its people have written once: longer than the limiter's and
# the stand-in's one-second windows, so neither phase starts with sends of what came before it (the
# previous phase's last answers, the warm-up's) still counted against the 30 a second.
SETTLE_SECONDS = 2.0


async def bystander(user: StandinUser, rounds: int, latencies: list[float]) -> None:
    """Send /bantuan `rounds` times, timing each to its answer."""
    for _ in range(rounds):
        started = time.perf_counter()
        await user.send_text("/bantuan")
        await user.next_message(timeout=120)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(THINK_SECONDS)


async def flood(user: StandinUser, updates: int) -> None:
    """Send `updates` /bantuan in batches over FLOOD_SECONDS, never waiting for an answer."""
    batch = max(1, updates // FLOOD_BATCHES)
    sent = 0
    while sent < updates:
        for _ in range(min(batch, updates - sent)):
            await user.send_text("/bantuan")
            sent += 1
        await asyncio.sleep(FLOOD_SECONDS / FLOOD_BATCHES)


async def warmed_up(standin: BotApiStandin, first_id: int, count: int) -> list[StandinUser]:
    """People who have written once already, so no phase measures anyone's first contact."""
    people = [standin.user(first_id + n, f"B{n}") for n in range(count)]
    for person in people:
        await person.send_text("/bantuan")
    for person in people:
        await person.next_message(timeout=120)
    return people


def row(name: str, latencies: list[float]) -> str:
    return (
        f"{name:<16} {len(latencies):>7} {1000 * statistics.median(latencies):>8.1f}"
        f" {1000 * percentile(latencies, 0.95):>8.1f} {1000 * max(latencies):>8.1f}"
    )


async def main(bystanders: int, rounds: int, flood_size: int, database_url: str | None, drop: bool) -> None:
    async with benchmark_database(database_url, drop=drop) as url:
        async with BotApiStandin(rate_limit_per_second=30) as standin:
            async with bot_process(standin, ["-m", "bot"], {"DATABASE_URL": url}):
                await asyncio.sleep(1)
                # A round not counted: the process's first updates pay for imports and warm caches.
                people = await warmed_up(standin, 290_000, bystanders)
                await asyncio.gather(*(bystander(p, rounds, []) for p in people))
                calm: list[float] = []
                people = await warmed_up(standin, 300_000, bystanders)
                await asyncio.sleep(SETTLE_SECONDS)
                await asyncio.gather(*(bystander(p, rounds, calm) for p in people))

                flooded: list[float] = []
                flooder = standin.user(399_999, "Banjir")
                await flooder.send_text("/bantuan")
                await flooder.next_message(timeout=120)
                people = await warmed_up(standin, 310_000, bystanders)
                await asyncio.sleep(SETTLE_SECONDS)
                await asyncio.gather(flood(flooder, flood_size), *(bystander(p, rounds, flooded) for p in people))
                # Whatever the flooder is still owed arrives within a few seconds; then count it.
                await asyncio.sleep(3)
                note = Texts("id")("slow_down")
                notes = sum(m.plain_text == note for m in flooder.messages)
                answers = len(flooder.messages) - 1 - notes
            refused = standin.rate_limited_count
    ratio = percentile(flooded, 0.95) / percentile(calm, 0.95)
    print(
        f"flood benchmark: {bystanders} bystanders x {rounds} /bantuan, one person sending {flood_size}"
        f" /bantuan over {FLOOD_SECONDS:.0f} s; database {url.split(':')[0]}; the bot's flood limiter on"
    )
    print(f"{'bystanders':<16} {'updates':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(row("without flood", calm))
    print(row("with flood", flooded))
    print(f"p95 with / without the flood: {ratio:.2f} (goal: at most 2)")
    print(
        f"the flooder got {answers} answers and {notes} slow-down note(s) for {flood_size} updates;"
        f" 429s from the stand-in: {refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bystanders", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--drop-schema", action="store_true", help="empty the PostgreSQL database's public schema first"
    )
    arguments = parser.parse_args()
    asyncio.run(
        main(arguments.bystanders, arguments.rounds, arguments.flood, arguments.database_url, arguments.drop_schema)
    )
