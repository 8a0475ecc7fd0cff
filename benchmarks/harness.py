"""What the benchmarks share: bot processes on the loopback stand-in, and their CPU and memory."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bot.database import create_engine
from bot.settings import database_url
from botapi_standin import BotApiStandin

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def resident_mb(pid: int) -> float:
    """Resident memory of the process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass
class BotProcess:
    """A bot running in its own process, and how long it took to poll."""

    process: subprocess.Popen[bytes]
    boot_seconds: float

    @property
    def pid(self) -> int:
        return self.process.pid


@asynccontextmanager
async def bot_process(standin: BotApiStandin, command: list[str], env: dict[str, str]) -> AsyncIterator[BotProcess]:
    """Start a bot process against the stand-in; ready once it sends its first getUpdates."""
    polls = len(standin.calls_to("getUpdates"))
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while len(standin.calls_to("getUpdates")) == polls:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "the bot exited")
            await asyncio.sleep(0.005)
        yield BotProcess(process, time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def percentile(values: list[float], fraction: float) -> float:
    """The value below which the fraction of values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class LoadFigures:
    """What one load run measured."""

    name: str
    updates: int
    seconds: float
    cpu_seconds: float
    latencies: list[float]

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu_seconds / self.updates

    def row(self) -> str:
        return (
            f"{self.name:<14} {self.updates:>7} {self.updates_per_second:>10.1f} {self.cpu_ms_per_update:>9.2f}"
            f" {1000 * statistics.median(self.latencies):>8.1f} {1000 * percentile(self.latencies, 0.95):>8.1f}"
        )


HEADER = f"{'':<14} {'updates':>7} {'updates/s':>10} {'CPU ms/u':>9} {'p50 ms':>8} {'p95 ms':>8}"


@asynccontextmanager
async def benchmark_database(url: str | None, *, drop: bool) -> AsyncIterator[str]:
    """The database to seed: the given URL (its public schema emptied first when `drop`), else a scratch SQLite file."""
    with tempfile.TemporaryDirectory() as scratch:
        if url is None:
            yield f"sqlite:///{scratch}/bench.sqlite3"
            return
        if drop:
            if not url.startswith("postgres"):
                raise SystemExit("--drop-schema is for PostgreSQL databases")
            await drop_schema(url)
        yield url


async def drop_schema(url: str) -> None:
    """Empty a PostgreSQL database's public schema."""
    engine = create_engine(database_url(url))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
