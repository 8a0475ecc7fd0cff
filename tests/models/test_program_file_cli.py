"""`python -m bot load-program` as a real process: hostile files refused, risky changes asked on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as sql_select

from bot.settings import DEFAULT_PROGRAM_FILE, PROJECT_ROOT
from models.program import Meeting
from tests.models.factories import seat

SHIPPED = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
NO_MEETINGS = SHIPPED[: SHIPPED.index("\nmeetings:")] + "\nmeetings: []\n"
COMMAND = [sys.executable, "-m", "bot", "load-program"]


def _env(database: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "DATABASE_URL": database}


def _cli(path: Path, *flags: str, database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, str(path), *flags],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=_env(database),
        timeout=60,
    )


def _on_terminal(path: Path, answer: str, *, database: str) -> tuple[int, str]:
    """Run load-program on a pseudo-terminal, answer its question, and return its code and everything it wrote."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, str(path)], stdin=secondary, stdout=secondary, stderr=secondary, cwd=PROJECT_ROOT, env=_env(database)
    )
    os.close(secondary)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if not answered and b"[y/N]" in output:
                os.write(primary, answer.encode() + b"\n")
                answered = True
            ready, _, _ = select.select([primary], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the process ended and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        return process.wait(60), output.decode(errors="replace")
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()


async def _listed(sessions) -> int:
    async with sessions() as s:
        return await s.scalar(sql_select(func.count()).select_from(Meeting).where(Meeting.listed.is_(True)))


async def test_a_deeply_nested_file_is_refused_with_its_line_and_no_traceback(db_url, program, sessions, tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("meetings: " + "[" * 3000 + "]" * 3000)
    refused = _cli(deep, database=db_url)
    assert refused.returncode == 1, refused.stderr
    assert f"{deep}:1: (file): not valid YAML" in refused.stderr and "nothing changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert await _listed(sessions) == 38


async def test_hiding_registered_meetings_needs_yes_without_a_terminal(db_url, program, sessions, tmp_path) -> None:
    async with sessions() as s, s.begin():
        await seat(s, "shm23-bengkulu", "stakeholder", 1)
    empty = tmp_path / "empty.yaml"
    empty.write_text(NO_MEETINGS)
    refused = _cli(empty, database=db_url)
    assert refused.returncode == 1, refused.stderr
    assert "shm23-bengkulu: hidden, 1 registrations" in refused.stdout
    assert "pass --yes" in refused.stderr and "Traceback" not in refused.stderr
    assert await _listed(sessions) == 38
    applied = _cli(empty, "--yes", database=db_url)
    assert applied.returncode == 0, applied.stderr
    assert "38 unlisted" in applied.stdout
    assert await _listed(sessions) == 0


async def test_on_a_terminal_the_change_is_asked_and_applied_only_on_yes(db_url, program, sessions, tmp_path) -> None:
    async with sessions() as s, s.begin():
        await seat(s, "shm23-bengkulu", "stakeholder", 1)
    moved = tmp_path / "moved.yaml"
    moved.write_text(SHIPPED.replace("date: 2023-07-26", "date: 2023-07-28", 1))

    async def bengkulu_day() -> int:
        async with sessions() as s:
            meeting = await s.scalar(sql_select(Meeting).where(Meeting.code == "shm23-bengkulu"))
            return meeting.local_start().day

    code, output = _on_terminal(moved, "n", database=db_url)
    assert code == 1 and "moves from 2023-07-26 to 2023-07-28, 1 participants will be told" in output, output
    assert "not applied; nothing changed" in output
    assert await bengkulu_day() == 26
    code, output = _on_terminal(moved, "y", database=db_url)
    assert code == 0 and "1 updated" in output, output
    assert await bengkulu_day() == 28
