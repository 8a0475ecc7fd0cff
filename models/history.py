"""A person's registrations split at each meeting's start: those still to come, and what became of the others."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.participant import Participant
from models.program import Meeting
from models.registration import Registration, RegistrationStatus, registrations_of


class Ending(enum.StrEnum):
    """How a registration stood when its meeting started."""

    # Seated and said "Hadir" (or took a seat this close to the day).
    CONFIRMED = "confirmed"
    # Seated without an answer.
    SEATED = "seated"
    # Said "Tidak hadir".
    ABSENT = "absent"
    CANCELLED = "cancelled"
    # Still on the waiting list (or holding an offer) at the start.
    NO_SEAT = "no_seat"


@dataclass(frozen=True)
class Finished:
    """A registration at a meeting that has started, and how it ended."""

    registration: Registration
    ending: Ending


async def coming_registrations(session: AsyncSession, telegram_user_id: int, *, now: datetime) -> list[Registration]:
    """The person's live registrations at meetings not started yet (or undated), soonest first."""
    return [r for r in await registrations_of(session, telegram_user_id) if not r.meeting.has_started(now)]


def ending_of(registration: Registration) -> Ending:
    """How the registration stood when its meeting started."""
    if registration.status == RegistrationStatus.SEATED:
        return Ending.CONFIRMED if registration.attendance else Ending.SEATED
    if registration.status == RegistrationStatus.CANCELLED:
        return Ending.ABSENT if registration.attendance is False else Ending.CANCELLED
    return Ending.NO_SEAT


async def finished_registrations(session: AsyncSession, telegram_user_id: int, *, now: datetime) -> list[Finished]:
    """One registration per meeting that has started, latest meeting first: the live one, else the last cancelled."""
    rows = await session.scalars(
        select(Registration)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(Participant.telegram_user_id == telegram_user_id, Meeting.starts_at <= now)
        .order_by(Meeting.starts_at.desc(), Meeting.id, Registration.id.desc())
    )
    chosen: dict[int, Registration] = {}
    for registration in rows:
        kept = chosen.get(registration.meeting_id)
        live = registration.status != RegistrationStatus.CANCELLED
        if kept is None or (live and kept.status == RegistrationStatus.CANCELLED):
            chosen[registration.meeting_id] = registration
    return [Finished(r, ending_of(r)) for r in chosen.values()]
