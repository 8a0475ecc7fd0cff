"""How the outbox's messages read: reminders, attendance questions, seat offers and notices.

They are rendered when sent, not when planned, so they state the meeting as it is then and in
the language the person uses then.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from handlers import callback_data as cb
from handlers.calendar_file import meeting_calendar
from handlers.certificates import certificate_message
from handlers.checkin_code import code_photos, online_keyboard
from handlers.common import Document, Reply
from handlers.evaluation import evaluation_message
from handlers.formatting import local_moment, meeting_title, meeting_venue, registration_details
from handlers.texts import Html, Texts
from models.announcement import Announcement
from models.check_in import self_check_in_window
from models.evaluation import evaluation_step
from models.outbox import MessageKind, OutboxMessage
from models.program import Meeting, program_name_for
from models.registration import Registration, RegistrationStatus
from models.seat_schedule import plan_of


def time_left(starts_at: datetime, now: datetime, texts: Texts) -> str:
    """'3 hari lagi', '2 jam lagi' or '40 menit lagi', rounded to the nearest as a person would say it."""
    left = starts_at - now
    if left >= timedelta(hours=23):
        unit, n = "day", max(1, _nearest(left / timedelta(days=1)))
    elif left >= timedelta(minutes=90):
        unit, n = "hour", _nearest(left / timedelta(hours=1))
    else:
        unit, n = "minute", max(1, _nearest(left / timedelta(minutes=1)))
    return texts(f"lead_{unit}") if n == 1 else texts(f"lead_{unit}s", n=n)


def _nearest(amount: float) -> int:
    # Halves round up (6.5 days are "7 hari lagi"); Python's round() would give the even 6.
    return math.floor(amount + 0.5)


def attendance_keyboard(registration: Registration, texts: Texts) -> InlineKeyboardMarkup:
    """Hadir / Tidak hadir."""
    return InlineKeyboardMarkup(
        [
            [
                cb.button(texts.label("attend"), cb.Attendance(registration.id, True)),
                cb.button(texts.label("absent"), cb.Attendance(registration.id, False)),
            ]
        ]
    )


def attendance_question(registration: Registration, texts: Texts) -> Html:
    """The question itself, also shown again when someone steps back from "Tidak hadir"."""
    return texts("attendance_question", **registration_details(registration.meeting, registration.role.name, texts))


async def seat_calendar(
    session: AsyncSession, registration: Registration, texts: Texts, now: datetime
) -> tuple[Document, ...]:
    """The meeting as a calendar file with an alarm; no file while its date is to be announced."""
    meeting = registration.meeting
    if meeting.starts_at is None:
        return ()
    program = await program_name_for(session, meeting.id) or texts.plain("program_unnamed")
    data = meeting_calendar(
        uid=f"shm-bot-{meeting.code}-{registration.id}@shm-bot",
        title=texts.plain("calendar_title", program=program, meeting=meeting_title(meeting)),
        description=texts.plain("calendar_description", role=registration.role.name),
        location=meeting_venue(meeting, texts),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        zone=meeting.zone,
        alarm_before=(await plan_of(session, meeting)).calendar_alarm,
        stamp=now,
    )
    return (Document(f"{meeting.code}.ics", data, texts("calendar_caption")),)


def with_online_link(text: Html, meeting: Meeting, texts: Texts) -> Html:
    """A message about an online meeting, followed by the meeting's link."""
    if meeting.online_url is None:
        return text
    return Html(text + "\n" + texts("online_link_line", url=meeting.online_url))


async def meeting_day_morning(
    session: AsyncSession, registration: Registration, texts: Texts, now: datetime, bot_username: str | None
) -> Reply | None:
    """The meeting day's morning: the check-in code to show at the door, and online the link and "Saya hadir"."""
    meeting = registration.meeting
    chat_id = registration.participant.chat_id
    if chat_id is None or meeting.starts_at is None:
        return None
    details = registration_details(meeting, registration.role.name, texts)
    photos = await code_photos(session, registration, texts, bot_username, now)
    parts = [texts("checkin_morning", **details)]
    if photos:
        parts.append(texts("checkin_morning_code"))
    keyboard = None
    if meeting.online_url is not None:
        window = self_check_in_window(meeting)
        assert window is not None, "a dated meeting has a check-in window"
        parts.append(texts("online_link_line", url=meeting.online_url))
        parts.append(texts("checkin_morning_online", opens=local_moment(window[0], meeting, texts)))
        keyboard = online_keyboard(registration, texts)
    if not photos and keyboard is None:
        return None
    return Reply(chat_id, Html("\n\n".join(parts)), keyboard, documents=photos)


def announcement_text(texts: Texts, meeting: Meeting, body: str) -> Html:
    """An announcement as participants read it; its author sees the same in the preview."""
    return texts("announcement", meeting=meeting_title(meeting), body=body)


async def render(
    session: AsyncSession,
    message: OutboxMessage,
    registration: Registration,
    texts: Texts,
    now: datetime,
    *,
    bot_username: str | None = None,
) -> Reply | None:
    """The message as the person will read it; None when there is nothing (left) to say.

    A certificate's PDF is left to build (`Build`) by the sender; its QR links to `bot_username`, as
    the t.me links of check-in codes do (no code is sent without it).
    """
    meeting = registration.meeting
    chat_id = registration.participant.chat_id
    if chat_id is None:
        # Added by a PIC without a Telegram account (`reason_not_to_send` drops these first).
        return None
    details = registration_details(meeting, registration.role.name, texts)
    kind = message.kind
    if kind == MessageKind.REMINDER:
        assert meeting.starts_at is not None, "reminders are planned for dated meetings only"
        text = texts("reminder", lead=time_left(meeting.starts_at, now, texts), **details)
        return Reply(chat_id, with_online_link(text, meeting, texts))
    if kind == MessageKind.CHECKIN_CODE:
        return await meeting_day_morning(session, registration, texts, now, bot_username)
    if kind == MessageKind.ATTENDANCE_QUESTION:
        return Reply(chat_id, attendance_question(registration, texts), attendance_keyboard(registration, texts))
    if kind == MessageKind.ATTENDANCE_NUDGE:
        return Reply(chat_id, texts("attendance_nudge", **details), attendance_keyboard(registration, texts))
    if kind == MessageKind.SEAT_OFFER:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    cb.button(texts.label("take_seat"), cb.TakeSeat(registration.id)),
                    cb.button(texts.label("release_seat"), cb.ReleaseSeat(registration.id)),
                ]
            ]
        )
        assert registration.offered_until is not None, "an offer is planned with its deadline"
        deadline = local_moment(registration.offered_until, meeting, texts)
        return Reply(chat_id, texts("seat_offer", deadline=deadline, **details), keyboard)
    if kind == MessageKind.OFFER_LAPSED:
        keyboard = InlineKeyboardMarkup([[cb.button(texts.label("take_free_seat"), cb.TakeSeat(registration.id))]])
        return Reply(chat_id, texts("offer_lapsed", **details), keyboard)
    if kind == MessageKind.PROMOTED:
        # The seat's confirmation: its calendar entry and its check-in code.
        documents = await seat_calendar(session, registration, texts, now)
        documents += await code_photos(session, registration, texts, bot_username, now)
        return Reply(chat_id, texts("promoted", **details), documents=documents)
    if kind == MessageKind.SCHEDULE_CHANGED:
        # Only a seat gets the new calendar entry; someone waiting has nothing to put in a calendar yet. A
        # meeting that had no date gave its seats no check-in code: it comes with the date.
        seated = registration.status == RegistrationStatus.SEATED
        calendar = await seat_calendar(session, registration, texts, now) if seated else ()
        calendar += await code_photos(session, registration, texts, bot_username, now)
        return Reply(chat_id, texts("schedule_changed", **details), documents=calendar)
    if kind == MessageKind.ANNOUNCEMENT:
        announcement = await session.get(Announcement, message.subject_id)
        return None if announcement is None else Reply(chat_id, announcement_text(texts, meeting, announcement.body))
    if kind == MessageKind.MOVED:
        # The calendar entry they saved names their old role: the same entry (its uid), corrected.
        seated = registration.status == RegistrationStatus.SEATED
        calendar = await seat_calendar(session, registration, texts, now) if seated else ()
        # Moved from the waiting list to a role with a free seat, the person has a seat (and a code) now.
        calendar += await code_photos(session, registration, texts, bot_username, now)
        return Reply(chat_id, texts("roster_moved_notice", **details), documents=calendar)
    if kind == MessageKind.REMOVED:
        return Reply(chat_id, texts("roster_removed_notice", **details))
    if kind == MessageKind.CERTIFICATE:
        return await certificate_message(session, registration, texts, chat_id=chat_id, bot_username=bot_username)
    if kind == MessageKind.EVALUATION:
        # Nothing once finished (or no longer asked): an old question would only be refused.
        return await evaluation_message(registration, texts, await evaluation_step(session, registration.id))
    raise ValueError(f"no text for outbox messages of kind {kind}")
