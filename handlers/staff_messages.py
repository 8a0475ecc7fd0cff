"""What the outbox sends to PICs and organizers: alert digests, the national digest, announcement reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alert_messages import render_national_digest, render_pic_alerts
from handlers.common import Reply
from handlers.formatting import meeting_title
from handlers.texts import Texts
from models.announcement import Announcement, delivery_of
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
