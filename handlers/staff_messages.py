"""What the outbox sends to PICs and organizers: alert digests, the national digest, announcement reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alert_messages import render_national_digest, render_pic_alerts
from handlers.common import Reply
from handlers.formatting import meeting_title
from handlers.texts import Html, Texts
from models.announcement import Announcement, delivery_of
from models.not_checked_in import ORGANIZER_SLOT, not_checked_in, seated_counts, still_wanted
from models.outbox import MessageKind, OutboxMessage
from models.program import Meeting


async def render_staff(session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime) -> Reply | None:
    """The message as the PIC or organizer will read it; None when there is nothing (left) to say."""
    assert message.recipient_chat_id is not None, f"staff message {message.id} has no chat"
    if message.kind == MessageKind.ANNOUNCEMENT_REPORT:
        return await _announcement_report(session, message.recipient_chat_id, message.subject_id, texts)
    if message.kind == MessageKind.PIC_ALERTS:
        return await render_pic_alerts(session, message, texts, now)
    if message.kind == MessageKind.NATIONAL_DIGEST:
        return await render_national_digest(session, message, texts, now)
    if message.kind == MessageKind.NOT_CHECKED_IN:
        return await _not_checked_in(session, message, texts)
    raise ValueError(f"no text for staff messages of kind {MessageKind(message.kind)}")


async def _announcement_report(
    session: AsyncSession, chat_id: int, announcement_id: int | None, texts: Texts
) -> Reply | None:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        return None
    meeting = await session.get_one(Meeting, announcement.meeting_id)
    delivery = await delivery_of(session, announcement)
    return Reply(
        chat_id,
        texts(
            "announce_report",
            meeting=meeting_title(meeting),
            received=delivery.received,
            recipients=delivery.recipients,
            blocked=delivery.blocked,
            failed=delivery.failed,
        ),
    )


async def _not_checked_in(session: AsyncSession, message: OutboxMessage, texts: Texts) -> Reply | None:
    """An hour after the start: the seated people not checked in, every one of them (`Reply` texts are sent in
    parts when long); None when everyone has been checked in meanwhile."""
    assert message.recipient_chat_id is not None
    meeting = await session.get(Meeting, message.subject_id)
    if meeting is None:
        return None
    assert message.recipient_user_id is not None
    if not await still_wanted(session, message.slot, message.recipient_user_id, meeting.id):
        return None
    missing = await not_checked_in(session, meeting.id)
    if not missing:
        return None
    checked, seated = await seated_counts(session, meeting.id)
    lines = [
        texts(
            "not_checked_in_alert",
            meeting=meeting_title(meeting),
            missing=len(missing),
            seated=seated,
            checked=checked,
        ),
        *(
            texts(
                "not_checked_in_line",
                number=number,
                name=registration.full_name,
                institution=registration.institution,
                role=registration.role.name,
            )
            for number, registration in enumerate(missing, 1)
        ),
        texts("not_checked_in_hint"),
    ]
    if message.slot.startswith(ORGANIZER_SLOT):
        lines.append(texts("not_checked_in_no_pic"))
    return Reply(message.recipient_chat_id, Html("\n".join(lines)))
