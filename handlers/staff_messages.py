"""What the outbox sends to PICs and organizers: alert digests, the national digest, announcement reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alert_messages import render_national_digest, render_pic_alerts
from handlers.common import Reply
from handlers.texts import Texts
from models.outbox import MessageKind, OutboxMessage


async def render_staff(session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime) -> Reply | None:
    """The message as the PIC or organizer will read it; None when there is nothing (left) to say."""
    if message.kind == MessageKind.PIC_ALERTS:
        return await render_pic_alerts(session, message, texts, now)
    if message.kind == MessageKind.NATIONAL_DIGEST:
        return await render_national_digest(session, message, texts, now)
    raise ValueError(f"no text for staff messages of kind {MessageKind(message.kind)}")
