"""The program file: validation with line numbers, and idempotent loading."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.settings import DEFAULT_PROGRAM_FILE, PROJECT_ROOT
from models.program import Meeting, RoleQuota
from models.program_file import ProgramFileError, apply_program, parse_program, read_program_file
from models.registration import Registration
from models.seats import register
from tests.models.factories import T0, make_participant, meeting_and_role

SMALL = """\
program:
  code: demo
  name: Demo program
roles:
  - {code: stakeholder, name: Stakeholder Provinsi, seats: 3}
  - {code: pemustaka, name: Pemustaka, seats: 1}
meetings:
  - code: demo-bali
    province: "51"
    city: Denpasar
    venue: Hotel A
    date: 2023-08-01
    start_time: "08:30"
  - code: demo-aceh
    province: "11"
    city: Banda Aceh
    date: menyusul
    seats: {stakeholder: 5}
"""


def test_the_shipped_program_has_38_provinces_of_30_seats() -> None:
    spec = read_program_file(DEFAULT_PROGRAM_FILE)
    assert len(spec.meetings) == 38
    assert len({m.province_code for m in spec.meetings}) == 38
    assert sum(r.seats for r in spec.roles) == 30 and len(spec.roles) == 8
    known = {m.code: m for m in spec.meetings if m.starts_at}
    assert set(known) == {
        "shm23-bengkulu",
        "shm23-jawa-tengah",
        "shm23-jawa-barat",
        "shm23-kalimantan-tengah",
        "shm23-sumatera-utara",
        "shm23-kalimantan-selatan",
    }
    assert all(len(m.code) <= 64 for m in spec.meetings)


def test_local_times_and_defaults() -> None:
    spec = parse_program(SMALL)
    bali, aceh = spec.meetings
    assert (bali.starts_at.hour, bali.starts_at.minute, bali.starts_at.utcoffset()) == (8, 30, timedelta(hours=8))
    assert bali.ends_at.hour == 16
    assert aceh.starts_at is None and aceh.seats == {"stakeholder": 5}


@pytest.mark.parametrize(
    ("edit", "line", "field", "words"),
    [
        (('province: "51"', 'province: "99"'), 9, "meetings[0].province", "unknown province code '99'"),
        (("date: 2023-08-01", "date: 2023-13-01"), 12, "meetings[0].date", "expected a date"),
        (("seats: 3", "seats: many"), 5, "roles[0].seats", "whole number"),
        (("code: demo-aceh", "code: demo-bali"), 14, "meetings[1].code", "appears twice"),
        (("    venue: Hotel A\n", "    venue: Hotel A\n    colour: red\n"), 12, "meetings[0].colour", "unknown field"),
        (("{stakeholder: 5}", "{panitia: 5}"), 18, "meetings[1].seats.panitia", "not a role"),
        (('start_time: "08:30"', 'start_time: "8 pagi"'), 13, "meetings[0].start_time", "a time"),
    ],
)
def test_problems_name_line_and_field(edit, line, field, words) -> None:
    with pytest.raises(ProgramFileError) as raised:
        parse_program(SMALL.replace(*edit), "demo.yaml")
    problem = raised.value.problems[0]
    assert (problem.line, problem.field) == (line, field)
    assert words in problem.message
    assert str(raised.value).startswith(f"demo.yaml:{line}: {field}: ")


def test_broken_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(ProgramFileError) as raised:
        parse_program("program:\n  code: [unclosed\n", "bad.yaml")
    assert raised.value.problems[0].line >= 2


async def test_loading_twice_changes_nothing_and_an_edit_keeps_registrations(sessions) -> None:
    async with sessions() as s, s.begin():
        first = await apply_program(s, parse_program(SMALL), now=T0)
        assert sorted(first.created) == ["demo-aceh", "demo-bali"]
        meeting, role = await meeting_and_role(s, "demo-aceh", "stakeholder")
        await register(s, participant=await make_participant(s, 1), meeting=meeting, role=role, now=T0)
    async with sessions() as s, s.begin():
        again = await apply_program(s, parse_program(SMALL), now=T0)
        assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], ["demo-aceh", "demo-bali"])
    moved = SMALL.replace("date: menyusul", "date: 2023-08-09\n    venue: Hotel Baru")
    moved = moved.replace(
        """  - code: demo-bali
    province: "51"
    city: Denpasar
    venue: Hotel A
    date: 2023-08-01
    start_time: "08:30"
""",
        "",
    )
    async with sessions() as s, s.begin():
        report = await apply_program(s, parse_program(moved), now=T0)
        assert (report.updated, report.unlisted) == (["demo-aceh"], ["demo-bali"])
    async with sessions() as s:
        aceh = await s.scalar(select(Meeting).where(Meeting.code == "demo-aceh"))
        assert aceh.venue == "Hotel Baru" and aceh.local_start().day == 9
        bali = await s.scalar(select(Meeting).where(Meeting.code == "demo-bali"))
        assert bali.listed is False
        assert await s.scalar(select(func.count()).select_from(Registration)) == 1
        seats = await s.scalar(
            select(RoleQuota.seats).where(RoleQuota.meeting_id == aceh.id, RoleQuota.role_id == role.id)
        )
        assert seats == 5


def _cli(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60
    )


def test_cli_loads_and_refuses_an_invalid_file_without_change(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/cli.sqlite3"
    good = tmp_path / "program.yaml"
    good.write_text(SMALL)
    loaded = _cli("load-program", str(good), database=database)
    assert loaded.returncode == 0, loaded.stderr
    assert "2 meetings created" in loaded.stdout
    bad = tmp_path / "broken.yaml"
    bad.write_text(SMALL.replace("date: menyusul", "date: 2023-02-30").replace("Banda Aceh", "Sabang"))
    refused = _cli("load-program", str(bad), database=database)
    assert refused.returncode == 1
    assert f"{bad}:17: meetings[1].date: expected a date" in refused.stderr
    assert "nothing changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    again = _cli("load-program", str(good), database=database)
    assert "0 meetings created, 0 updated, 2 unchanged" in again.stdout
