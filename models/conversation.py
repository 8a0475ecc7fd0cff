"""The state of each person's chat with the bot, written at every step.

A registration is typed in over several messages. Each step is committed with the update that
made it, so a restart (even a crash) between two messages loses nothing: the person carries on
at the step they were at, with everything they typed so far.

Several bot processes may share one PostgreSQL, and any update may reach any of them. A person's
updates are applied one at a time because the update's transaction locks their conversation row
(`load_conversation`), and each exactly once because the ids applied are kept (`claim_update`):

- every id at or below the conversation's `last_update_id` (its floor) is done with: applied, or
  too old for Telegram to deliver again (or, before migration 0008, skipped as a flood). Before
  0008 it was the high-water mark of updates applied in order, which is such a floor;
- above the floor, an id was applied if and only if `applied_update` holds it. So an update that
  reaches an instance late, after a later one of the same person, is still applied;
- the retention job folds ids applied more than APPLIED_UPDATE_DAYS ago into the floor
  (`forget_applied_updates`). Update ids grow with time and Telegram delivers an update for at most
  a day, so any id below one applied that long ago will never arrive (again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ForeignKey, Select, String, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, changed_rows

DEFAULT_LANGUAGE = "id"
# Telegram delivers an update for at most 24 hours; applied ids are kept twice as long.
APPLIED_UPDATE_DAYS = 2


class Conversation(Base):
    """One Telegram user's conversation: language, current step and the registration draft."""

    __tablename__ = "conversation"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    # The floor: every update id at or below it is done with (see the module's docstring); the ids
    # applied above it are in applied_update. Telegram re-delivers unconfirmed updates after a crash.
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

    `answered` is set once the update's answer was handed to Telegram, after the commit. An update
    Telegram posts again while it is still unset was applied by a process that stopped before its
    answer went out (killed, or its machine lost): the person would wait for an answer that never
    comes, so the update is not applied again but the person is asked their current step again.
    """

    __tablename__ = "applied_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    applied_at: Mapped[datetime] = mapped_column(index=True)
    answered: Mapped[bool] = mapped_column(default=False)


async def load_conversation(
    session: AsyncSession, telegram_user_id: int, *, now: datetime, language: str = DEFAULT_LANGUAGE
) -> Conversation:
    """The user's conversation, locked until the transaction ends; created on first contact in `language`.

    On PostgreSQL another instance applying an update of the same person waits for this
    transaction (SQLite serialises all writers already). Two first updates at once create one row:
    the second insert does nothing and its SELECT waits for, then sees, the first one's row.
    """
    conversation = await session.scalar(_locked(telegram_user_id))
    if conversation is None:
        values = {
            "telegram_user_id": telegram_user_id,
            "language": language,
            "last_update_id": 0,
            "reviewing": False,
            "pressed_closed": False,
            "updated_at": now,
        }
        await session.execute(_insert(session, Conversation).values(values).on_conflict_do_nothing())
        conversation = (await session.execute(_locked(telegram_user_id))).scalar_one()
    return conversation


def _locked(telegram_user_id: int) -> Select[Conversation]:
    """The conversation as committed last, locked for this transaction (after any other's commit)."""
    return (
        select(Conversation)
        .where(Conversation.telegram_user_id == telegram_user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _insert(session: AsyncSession, table: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which can say ON CONFLICT DO NOTHING."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def claim_update(session: AsyncSession, conversation: Conversation, update_id: int, now: datetime) -> bool:
    """Record the update as applied; False when it was applied before (a re-delivery).

    The conversation must be locked (`load_conversation`); an earlier id arriving after a later
    one was applied is claimed like any new one.
    """
    if update_id <= conversation.last_update_id:
        return False
    claimed = await session.scalar(
        _insert(session, AppliedUpdate)
        .values(update_id=update_id, telegram_user_id=conversation.telegram_user_id, applied_at=now)
        .on_conflict_do_nothing()
        .returning(AppliedUpdate.update_id)
    )
    return claimed is not None


async def answer_lost(session: AsyncSession, update_id: int) -> bool:
    """Whether an update applied before never had its answer handed to Telegram (see AppliedUpdate)."""
    answered = await session.scalar(select(AppliedUpdate.answered).where(AppliedUpdate.update_id == update_id))
    return answered is False


async def mark_answered(session: AsyncSession, update_id: int) -> None:
    """Record that the update's answer was handed to Telegram."""
    await session.execute(
        update(AppliedUpdate)
        .where(AppliedUpdate.update_id == update_id, AppliedUpdate.answered.is_(False))
        .values(answered=True)
    )


async def is_first_contact(session: AsyncSession, conversation: Conversation) -> bool:
    """Whether the conversation has not applied any update yet (asked before `claim_update`)."""
    if conversation.last_update_id != 0:
        return False
    applied = exists().where(AppliedUpdate.telegram_user_id == conversation.telegram_user_id)
    return not await session.scalar(select(applied))


async def forget_applied_updates(session: AsyncSession, *, now: datetime) -> int:
    """Fold the ids applied more than APPLIED_UPDATE_DAYS ago into their conversations' floors, and
    delete them; returns how many were deleted."""
    old = AppliedUpdate.applied_at < now - timedelta(days=APPLIED_UPDATE_DAYS)
    newest_old = (
        select(func.max(AppliedUpdate.update_id))
        .where(AppliedUpdate.telegram_user_id == Conversation.telegram_user_id, old)
        .scalar_subquery()
    )
    await session.execute(
        update(Conversation)
        .where(
            Conversation.telegram_user_id.in_(select(AppliedUpdate.telegram_user_id).where(old)),
            Conversation.last_update_id < newest_old,
        )
        .values(last_update_id=newest_old)
        .execution_options(synchronize_session=False)
    )
    return await changed_rows(session, delete(AppliedUpdate).where(old).execution_options(synchronize_session=False))


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
