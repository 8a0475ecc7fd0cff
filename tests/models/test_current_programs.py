"""Which programs the national recap shows by default: the current ones, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.program import CURRENT_AFTER_END, Meeting, program_by_code, program_is_current
from models.program_file import apply_program
from models.reports import current_national_recap, program_national_recap
from tests.models.factories import T0, program_copy

NOW = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)


def meeting(starts_at: datetime | None, ends_at: datetime | None = None) -> Meeting:
    return Meeting(code="m", province_code="11", city="Banda Aceh", starts_at=starts_at, ends_at=ends_at)


def test_a_program_is_current_while_a_meeting_is_ahead_or_ended_within_30_days() -> None:
    long_ago = meeting(NOW - timedelta(days=200), NOW - timedelta(days=200) + timedelta(hours=7))
    assert not program_is_current([long_ago], NOW)
    # Ahead, under way, or not dated yet: current.
    assert program_is_current([long_ago, meeting(NOW + timedelta(days=3))], NOW)
    assert program_is_current([meeting(NOW - timedelta(hours=1), NOW + timedelta(hours=1))], NOW)
    assert program_is_current([long_ago, meeting(None)], NOW)
    # Ended 29 days ago: still current; 30 days ago to the minute: finished.
    ended = NOW - timedelta(days=29)
    assert program_is_current([meeting(ended - timedelta(hours=7), ended)], NOW)
    ended = NOW - CURRENT_AFTER_END
    assert not program_is_current([meeting(ended - timedelta(hours=7), ended)], NOW)
    # A meeting given no end is over ASSUMED_LENGTH after its start.
    assert program_is_current([meeting(NOW - CURRENT_AFTER_END)], NOW)
    assert not program_is_current([meeting(NOW - CURRENT_AFTER_END - timedelta(hours=8))], NOW)
    assert not program_is_current([], NOW)


async def test_the_recap_shows_the_current_programs_and_names_the_finished_ones(sessions, program) -> None:
    # The shipped 2023 program (meetings July-August 2023, many undated) and two finished ones.
    async with sessions() as s, s.begin():
        await apply_program(s, program_copy("shm-provinsi-2021", datetime(2021, 7, 1, 2, tzinfo=UTC)), now=T0)
        await apply_program(s, program_copy("shm-provinsi-2022", datetime(2022, 7, 1, 2, tzinfo=UTC)), now=T0)
    async with sessions() as s, s.begin():
        view = await current_national_recap(s, now=T0)
        assert len(view.recaps) == 38 and {r.meeting_code for r in view.recaps} >= {"shm23-aceh"}
        assert list(view.programs.values()) == ["shm-provinsi-2023"]
        # The most recently ended first: the example the organizers are shown.
        assert [p.code for p in view.left_out] == ["shm-provinsi-2022", "shm-provinsi-2021"]
        old = await program_by_code(s, "SHM-Provinsi-2021 ")
        assert old is not None
        view = await program_national_recap(s, old, now=T0)
        assert len(view.recaps) == 38 and all(r.meeting_code.startswith("shm-provinsi-2021-") for r in view.recaps)
        assert view.left_out == [] and list(view.programs.values()) == ["shm-provinsi-2021"]
        assert await program_by_code(s, "shm-provinsi-2019") is None
    # A year on, the 2022 copy's last meeting (14 July 2022) ended 20 days before: it is current again
    # by that clock, and the 2023 program is too (undated meetings).
    async with sessions() as s, s.begin():
        view = await current_national_recap(s, now=datetime(2022, 8, 3, 2, tzinfo=UTC))
        assert sorted(view.programs.values()) == ["shm-provinsi-2022", "shm-provinsi-2023"]
        assert [p.code for p in view.left_out] == ["shm-provinsi-2021"]
