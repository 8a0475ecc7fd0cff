"""A seat's personal check-in code as it is handed out: a QR photo whose caption carries the t.me link too.

It comes with the seat's confirmation (at registration, a seat given or taken later, a move), on
the meeting day's morning and on /status. The committee scans it with the phone's camera, which
opens the bot with `/start hadir-<token>` in their own chat (`handlers.check_in`). An online
meeting has a "Saya hadir" button instead (and both when it has a venue as well).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from handlers import callback_data as cb
from handlers.common import Document
from handlers.formatting import meeting_title
from handlers.qr_code import qr_png
from handlers.shell import start_link
from handlers.texts import Texts
from models.check_in import checkin_code, has_ended
from models.program import Meeting
from models.registration import Registration, RegistrationStatus


def has_venue(meeting: Meeting) -> bool:
    """Whether people come somewhere (a venue, or a meeting that is not online only): a code to scan at the door."""
    return meeting.venue is not None or meeting.online_url is None


def wants_code(registration: Registration, now: datetime) -> bool:
    """Whether the person has a code to show now: a seat at a dated meeting with a door, not over, not checked in."""
    meeting = registration.meeting
    return (
        registration.status == RegistrationStatus.SEATED
        and meeting.starts_at is not None
        and has_venue(meeting)
        and registration.checked_in_at is None
        and not has_ended(meeting, now)
    )


async def code_photos(
    session: AsyncSession, registration: Registration, texts: Texts, bot_username: str | None, now: datetime
) -> tuple[Document, ...]:
    """The person's check-in code as a QR photo; none for a person waiting, an undated or online-only meeting."""
    if not bot_username or not wants_code(registration, now):
        return ()
    payload = await checkin_code(session, registration)
    if payload is None:
        return ()
    link = start_link(bot_username, payload)
    meeting = registration.meeting
    caption = texts("checkin_code_caption", meeting=meeting_title(meeting), name=registration.full_name, link=link)
    # A QR takes a few milliseconds (a 450-byte PNG): made at once, so the outbox can send it as it is.
    return (Document(f"checkin-{meeting.code}.png", qr_png(link), caption, photo=True),)


def online_keyboard(registration: Registration, texts: Texts) -> InlineKeyboardMarkup:
    """The online meeting's "Saya hadir" button."""
    return InlineKeyboardMarkup([[cb.button(texts.label("online_check_in"), cb.OnlineCheckIn(registration.id))]])
