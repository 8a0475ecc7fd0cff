"""Boot time to the first poll and idle memory, against a bare echo bot in the same run.

    python -m benchmarks.boot [--runs 5]

Standing targets: the bot polls within 2 s of starting and idles under 100 MB resident memory.
Each run starts a fresh process on a fresh SQLite database (so the first boot migrates and loads
the program), waits for its first getUpdates, then reads its resident memory after a second idle.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile

from benchmarks.harness import bot_process, resident_mb
from botapi_standin import BotApiStandin

BOOT_TARGET_S = 2.0
MEMORY_TARGET_MB = 100.0


async def measure(command: list[str], runs: int, fresh_database: bool) -> tuple[list[float], list[float]]:
    """Boot seconds and idle MB over several runs of a command."""
    boots, memory = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            database = f"sqlite:///{scratch}/boot{run if fresh_database else 0}.sqlite3"
            async with BotApiStandin() as standin:
                async with bot_process(standin, command, {"DATABASE_URL": database}) as bot:
                    await asyncio.sleep(1)
                    boots.append(bot.boot_seconds)
                    memory.append(resident_mb(bot.pid))
    return boots, memory


async def main(runs: int) -> None:
    rows = [
        ("shm-bot, new database", *await measure(["-m", "bot"], runs, fresh_database=True)),
        ("shm-bot, existing", *await measure(["-m", "bot"], runs, fresh_database=False)),
        ("echo baseline", *await measure(["-m", "benchmarks.echo_bot"], runs, fresh_database=False)),
    ]
    print(f"boot benchmark: {runs} runs each")
    print(f"{'':<24} {'boot median s':>14} {'boot max s':>11} {'idle MB':>8}")
    for name, boots, memory in rows:
        print(f"{name:<24} {statistics.median(boots):>14.2f} {max(boots):>11.2f} {statistics.median(memory):>8.0f}")
    shm_boot = max(rows[0][1] + rows[1][1])
    shm_memory = max(rows[0][2] + rows[1][2])
    print(
        f"targets: boot {shm_boot:.2f} s of {BOOT_TARGET_S} s ({'met' if shm_boot < BOOT_TARGET_S else 'MISSED'}),"
        f" idle {shm_memory:.0f} MB of {MEMORY_TARGET_MB:.0f} MB ({'met' if shm_memory < MEMORY_TARGET_MB else 'MISSED'});"
        f" vs echo: boot x{statistics.median(rows[1][1]) / statistics.median(rows[2][1]):.2f},"
        f" memory x{statistics.median(rows[1][2]) / statistics.median(rows[2][2]):.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
