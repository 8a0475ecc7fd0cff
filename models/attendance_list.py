"""The signed attendance list (daftar hadir) of a meeting: who is on it, in which order.

The list is the evidence behind every per-diem and travel claim, so it shows the people who hold a
seat: those checked in first, in the order they arrived (with the time), then the seated people not
checked in yet, alphabetically (accents and case aside), so a latecomer finds their row to sign. People waiting for a seat,
offered one they have not taken, or cancelled are not on it. Walk-ins sign the empty rows after them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.program import Meeting
from models.registration import Registration, RegistrationStatus


@dataclass(frozen=True)
class AttendanceRow:
    """One person on the list, with the details they gave for this registration."""

    registration_id: int
    full_name: str
    institution: str
    position: str
    # When they were checked in, in the meeting's own zone (aware); None if not checked in.
    checked_in_at: datetime | None


async def attendance_rows(session: AsyncSession, meeting: Meeting) -> list[AttendanceRow]:
    """The meeting's seated people: checked in first by check-in time, then the others by name."""
    rows = await session.execute(
        select(
            Registration.id,
            Registration.full_name,
            Registration.institution,
            Registration.position,
            Registration.checked_in_at,
        ).where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.SEATED)
    )
    zone = meeting.zone
    people = [
        AttendanceRow(
            row.id,
            row.full_name,
            row.institution,
            row.position,
            row.checked_in_at.astimezone(zone) if row.checked_in_at is not None else None,
        )
        for row in rows
    ]
    # Sorted here, not in SQL: names sort the same on SQLite and PostgreSQL whatever their collation.
    arrived = sorted((p for p in people if p.checked_in_at), key=lambda p: (p.checked_in_at, p.registration_id))
    others = sorted(
        (p for p in people if p.checked_in_at is None), key=lambda p: (name_order(p.full_name), p.registration_id)
    )
    return arrived + others


def name_order(name: str) -> str:
    """How a name sorts on the list: without accents and case, so "Ādi" stands among the A's."""
    letters = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in letters if not unicodedata.combining(ch)).casefold()
