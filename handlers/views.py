"""How a registration reads in a message, wherever it is shown."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.formatting import local_moment, registration_details
from handlers.texts import Html, Texts
from models.registration import Registration, RegistrationStatus, waitlist_position


async def describe_registration(session: AsyncSession, texts: Texts, registration: Registration) -> Html:
    """One registration as a status line: meeting, role, seat or waiting-list place, time, venue."""
    common = registration_details(registration.meeting, registration.role.name, texts)
    if registration.status == RegistrationStatus.SEATED:
        line = texts("status_seated", **common)
        return Html(line + "\n" + texts("attendance_confirmed_line")) if registration.attendance else line
    if registration.status == RegistrationStatus.OFFERED:
        return texts("status_offered", deadline=local_moment(registration.offered_until, registration.meeting, texts),  # type: ignore[arg-type]
                     **common)
    return texts("status_waitlisted", position=await waitlist_position(session, registration), **common)


async def describe_all(session: AsyncSession, texts: Texts, registrations: list[Registration]) -> Html:
    """A header and every registration, one block each."""
    blocks = [await describe_registration(session, texts, r) for r in registrations]
    return Html("\n\n".join([texts("status_header"), *blocks]))
