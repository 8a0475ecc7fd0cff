"""Small builders of domain data for tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import DEFAULT_PROGRAM_FILE
from models.participant import Participant, upsert_participant
from models.program import Meeting, Role, meeting_by_code
from models.program_file import ProgramSpec, apply_program, read_program_file
from models.registration import Registration
from models.seats import register
from models.staff import PicAssignment

# The tests' "now": 1 July 2023, 10:00 WIB, before the provincial round, so every shipped meeting is open.
T0 = datetime(2023, 7, 1, 3, 0, tzinfo=UTC)


async def load_shipped_program(session: AsyncSession, path: Path = DEFAULT_PROGRAM_FILE) -> None:
    """Load the shipped 2023 program."""
    await apply_program(session, read_program_file(path), now=T0)


async def meeting_and_role(session: AsyncSession, meeting_code: str, role_code: str) -> tuple[Meeting, Role]:
    """A meeting of the shipped program and one of its roles."""
    meeting = await session.scalar(select(Meeting).where(Meeting.code == meeting_code))
    role = await session.scalar(select(Role).where(Role.code == role_code))
    assert meeting is not None and role is not None
    return meeting, role


async def make_participant(session: AsyncSession, n: int) -> Participant:
    """Participant number n, with plausible details."""
    return await upsert_participant(
        session,
        telegram_user_id=10_000 + n,
        chat_id=10_000 + n,
        full_name=f"Peserta {n}",
        institution="Dinas Perpustakaan & Arsip",
        position="Kepala Bidang",
        phone_e164=f"+62812{n:07d}",
        now=T0 + timedelta(seconds=n),
    )


async def seat(session: AsyncSession, meeting_code: str, role_code: str, n: int, now: datetime = T0) -> Registration:
    """Participant n registered directly for the role (seated, or waiting when it is full)."""
    meeting, role = await meeting_and_role(session, meeting_code, role_code)
    person = await make_participant(session, n)
    return await register(session, participant=person, meeting=meeting, role=role, now=now)


async def seats(
    session: AsyncSession,
    meeting_code: str,
    role_code: str,
    people: Iterable[int],
    now: datetime = T0,
    apart: timedelta = timedelta(0),
) -> list[Registration]:
    """Participants `people` registered for the role one after the other, `apart` in time, as `seat` does."""
    return [await seat(session, meeting_code, role_code, n, now + i * apart) for i, n in enumerate(people)]


async def make_pic(session: AsyncSession, meeting_code: str, user_id: int, now: datetime = T0) -> PicAssignment:
    """A PIC of the meeting appointed directly, as an accepted invite would."""
    meeting = await meeting_by_code(session, meeting_code)
    assert meeting is not None
    assignment = PicAssignment(
        meeting_id=meeting.id,
        telegram_user_id=user_id,
        chat_id=user_id,
        display_name=f"PIC {user_id}",
        granted_via="invite",
        granted_by=1,
        granted_at=now,
    )
    session.add(assignment)
    await session.flush()
    return assignment


def program_copy(code: str, first_start: datetime, *, meetings: int = 38) -> ProgramSpec:
    """The shipped program under another code, its `meetings` (the shipped ones over again) a day apart from
    `first_start`, each seven hours long."""
    spec = read_program_file(DEFAULT_PROGRAM_FILE)
    copies = []
    for n in range(meetings):
        meeting = spec.meetings[n % len(spec.meetings)]
        starts = first_start + timedelta(days=n % 14)
        copies.append(
            dataclasses.replace(
                meeting,
                code=f"{code}-{n:03d}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=7),
                registration_opens_at=None,
                registration_closes_at=None,
            )
        )
    return dataclasses.replace(spec, code=code, name=f"{spec.name} ({code})", meetings=copies)
