"""How things read in a message wherever they are shown: a registration, a role's seats, a page's buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from handlers import callback_data as cb
from handlers.formatting import local_moment, meeting_title, meeting_when, registration_details
from handlers.texts import Html, Texts
from models.history import Finished
from models.person_details import PersonDetails, phone_as_written
from models.registration import Registration, RegistrationStatus, RoleAvailability, waitlist_position


def details_block(texts: Texts, details: PersonDetails) -> Html:
    """Name, institution, position and phone, one per line."""
    return texts(
        "details_block",
        name=details.full_name,
        institution=details.institution,
        position=details.position,
        phone=phone_as_written(details.phone_e164),
    )


async def describe_registration(session: AsyncSession, texts: Texts, registration: Registration) -> Html:
    """One registration as a status line: meeting, role, seat or waiting-list place, time, venue."""
    common = registration_details(registration.meeting, registration.role.name, texts)
    if registration.status == RegistrationStatus.SEATED:
        line = texts("status_seated", **common)
        return Html(line + "\n" + texts("attendance_confirmed_line")) if registration.attendance else line
    if registration.status == RegistrationStatus.OFFERED:
        assert registration.offered_until is not None, "an offered seat is held until a deadline"
        return texts(
            "status_offered",
            deadline=local_moment(registration.offered_until, registration.meeting, texts),
            **common,
        )
    return texts("status_waitlisted", position=await waitlist_position(session, registration), **common)


async def describe_all(
    session: AsyncSession, texts: Texts, registrations: list[Registration], finished: Sequence[Finished] = ()
) -> Html:
    """A header and every registration, one block each; meetings that have started come last, as finished."""
    blocks = [await describe_registration(session, texts, r) for r in registrations]
    if finished:
        blocks.append(texts("status_finished_header"))
        blocks += [describe_finished(texts, f) for f in finished]
    return Html("\n\n".join([texts("status_header"), *blocks]))


def describe_finished(texts: Texts, finished: Finished) -> Html:
    """A registration at a meeting that has started: the meeting, the role and how it ended."""
    registration = finished.registration
    return texts(
        "status_finished",
        meeting=meeting_title(registration.meeting),
        role=registration.role.name,
        ending=texts(f"status_ending_{finished.ending.value}"),
        when=meeting_when(registration.meeting, texts),
    )


def role_label(texts: Texts, role: RoleAvailability) -> str:
    """A role button: its free seats, or that it is full."""
    if role.full:
        return texts.label("role_full", role=role.role.name)
    return texts.label("role", role=role.role.name, left=role.seats_left, seats=role.seats)


def page_count(items: int, per_page: int) -> int:
    """How many pages the items fill; an empty list is one (empty) page."""
    return max((items + per_page - 1) // per_page, 1)


def page_nav(
    texts: Texts, page: int, pages: int, action_for: Callable[[int], cb.Action]
) -> tuple[int, list[InlineKeyboardButton]]:
    """The page, kept within those there are (a button may be older than the list), and the buttons
    to the pages beside it: none when there is only one."""
    page = min(max(page, 0), pages - 1)
    row = []
    if page > 0:
        row.append(cb.button(texts.label("prev"), action_for(page - 1)))
    if page < pages - 1:
        row.append(cb.button(texts.label("next"), action_for(page + 1)))
    return page, row
