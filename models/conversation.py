"""The state of each person's chat with the bot, written at every step.

A registration is typed in over several messages. Each step is committed with the update that
made it, so a restart (even a crash) between two messages loses nothing: the person carries on
at the step they were at, with everything they typed so far.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

DEFAULT_LANGUAGE = "id"


class Conversation(Base):
    """One Telegram user's conversation: language, current step and the registration draft."""

    __tablename__ = "conversation"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    # The newest update applied; Telegram re-delivers unconfirmed updates after a crash.
    last_update_id: Mapped[int] = mapped_column(BigInteger, default=0)
    step: Mapped[str | None] = mapped_column(String(32))
    # Return to the summary after the step, instead of walking through the rest again.
    reviewing: Mapped[bool] = mapped_column(default=False)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id", ondelete="SET NULL"))
    full_name: Mapped[str | None] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    # What a staff step is about (the registration a PIC is moving or removing).
    subject_id: Mapped[int | None]
    # The button press applied last: Telegram delivers every tap of a double tap, and the later ones
    # must not act again, nor close a keyboard that press closed already. The digest of what the
    # message showed tells a second tap (same view) from a press on the view the first one left.
    pressed_message_id: Mapped[int | None] = mapped_column(BigInteger)
    pressed_data: Mapped[str | None] = mapped_column(String(64))
    pressed_digest: Mapped[str | None] = mapped_column(String(16))
    pressed_closed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]

    def clear_draft(self) -> None:
        """Forget the registration being typed in, keeping the language."""
        self.step = None
        self.reviewing = False
        self.meeting_id = None
        self.role_id = None
        self.full_name = None
        self.institution = None
        self.position = None
        self.phone_e164 = None
        self.subject_id = None


class AppliedUpdate(Base):
    """An update applied to a person's conversation, kept so a re-delivery is recognised by its id.

    Updates of one person may reach two instances at once and be applied out of order; a high-water
    mark would then drop the earlier one. Telegram re-delivers an update for at most a day, so rows
    older than that can go.
    """

    __tablename__ = "applied_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    applied_at: Mapped[datetime] = mapped_column(index=True)


async def load_conversation(
    session: AsyncSession, telegram_user_id: int, *, now: datetime, language: str = DEFAULT_LANGUAGE
) -> Conversation:
    """The user's conversation, created on first contact in `language` (until they choose one)."""
    conversation = await session.get(Conversation, telegram_user_id)
    if conversation is None:
        conversation = Conversation(
            telegram_user_id=telegram_user_id,
            language=language,
            last_update_id=0,
            reviewing=False,
            pressed_closed=False,
            updated_at=now,
        )
        session.add(conversation)
        await session.flush()
    return conversation


def claim_update(conversation: Conversation, update_id: int) -> bool:
    """Mark the update as applied; False when it was applied before (a re-delivery)."""
    if update_id <= conversation.last_update_id:
        return False
    conversation.last_update_id = update_id
    return True


def is_first_contact(conversation: Conversation) -> bool:
    """Whether the conversation has not applied any update yet (asked before `claim_update`)."""
    return conversation.last_update_id == 0


def _storable(data: str) -> str:
    """Button data as it is kept: forged data may carry a NUL or a lone surrogate, which PostgreSQL cannot store."""
    return "".join(ch if ch.isprintable() else "?" for ch in data)[:64]


def repeats_last_press(conversation: Conversation, message_id: int, data: str, digest: str) -> bool:
    """Whether a press is another tap on the button pressed last: on the keyboard it closed, or on the
    message as it showed then (a message it rewrote and that still has the button is pressed anew)."""
    if (message_id, _storable(data)) != (conversation.pressed_message_id, conversation.pressed_data):
        return False
    return conversation.pressed_closed or digest == conversation.pressed_digest


def closed_by_last_press(conversation: Conversation, message_id: int) -> bool:
    """Whether the press applied last took this message's keyboard away already."""
    return conversation.pressed_closed and message_id == conversation.pressed_message_id


def remember_press(
    conversation: Conversation, message_id: int | None, data: str | None, digest: str | None, *, closed: bool
) -> None:
    """Record the press just applied (None: the update was no press, so the next press is a new one)."""
    conversation.pressed_message_id = message_id
    conversation.pressed_data = None if data is None else _storable(data)
    conversation.pressed_digest = digest
    conversation.pressed_closed = closed and message_id is not None


async def languages_of(session: AsyncSession, telegram_user_ids: list[int]) -> dict[int, str]:
    """The chosen language of each of these users who ever wrote to the bot."""
    if not telegram_user_ids:
        return {}
    rows = await session.execute(
        select(Conversation.telegram_user_id, Conversation.language).where(
            Conversation.telegram_user_id.in_(set(telegram_user_ids))
        )
    )
    return {user_id: language for user_id, language in rows}
