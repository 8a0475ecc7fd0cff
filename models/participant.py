"""People who use the bot and the consent they gave to the use of their data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.person_details import DETAIL_FIELDS, PersonDetails

# Bump when the consent text changes in substance: people are asked again under the new version.
CONSENT_TEXT_VERSION = "2026-11-v1"


class Participant(Base):
    """One person registered for a meeting, with the details they typed (or a PIC typed) last.

    Those latest details are offered for the person's next registration; each registration keeps
    its own copy (`Registration.details`), which is what a meeting's roster shows.
    Someone a PIC added by hand (a paper form, a phone call) has no Telegram account: no user or
    chat id, and nothing is sent to them.
    """

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    full_name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))
    phone_e164: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set while the person has blocked the bot: nothing is sent to them until they unblock it.
    unreachable_since: Mapped[datetime | None]

    @property
    def details(self) -> PersonDetails:
        """The name, institution, position and phone the person gave last."""
        return PersonDetails(*(getattr(self, name) for name in DETAIL_FIELDS))


class ConsentRecord(Base):
    """Proof of a consent decision: who, when, and under which version of the consent text.

    UU PDP (UU No. 27/2022) asks that explicit consent for a stated purpose be given before any
    personal data is collected, and that proof of it be kept. Records are appended, never edited.
    Consent given offline (a paper form, a phone call) to a PIC who then added the person names
    the participant and the PIC who recorded it instead of a Telegram user.
    """

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    text_version: Mapped[str] = mapped_column(String(32))
    given: Mapped[bool]
    decided_at: Mapped[datetime]
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    # The PIC or organizer who confirmed consent given offline.
    recorded_by: Mapped[int | None] = mapped_column(BigInteger)


async def record_consent(session: AsyncSession, telegram_user_id: int, *, given: bool, now: datetime) -> ConsentRecord:
    """Append a consent decision under the current text version."""
    record = ConsentRecord(
        telegram_user_id=telegram_user_id,
        text_version=CONSENT_TEXT_VERSION,
        given=given,
        decided_at=now,
    )
    session.add(record)
    await session.flush()
    return record


async def record_offline_consent(
    session: AsyncSession, participant: Participant, *, recorded_by: int, now: datetime
) -> ConsentRecord:
    """Append the consent a PIC confirms the person gave offline, under the current text version."""
    record = ConsentRecord(
        participant_id=participant.id,
        recorded_by=recorded_by,
        text_version=CONSENT_TEXT_VERSION,
        given=True,
        decided_at=now,
    )
    session.add(record)
    await session.flush()
    return record


async def has_current_consent(session: AsyncSession, telegram_user_id: int) -> bool:
    """Whether the person's latest decision on the current consent text is a yes."""
    latest = await session.scalar(
        select(ConsentRecord.given)
        .where(
            ConsentRecord.telegram_user_id == telegram_user_id,
            ConsentRecord.text_version == CONSENT_TEXT_VERSION,
        )
        .order_by(ConsentRecord.decided_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )
    return bool(latest)


async def get_participant(session: AsyncSession, telegram_user_id: int) -> Participant | None:
    """The participant behind a Telegram user, if they ever registered."""
    return await session.scalar(select(Participant).where(Participant.telegram_user_id == telegram_user_id))


async def upsert_participant(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    full_name: str,
    institution: str,
    position: str,
    phone_e164: str,
    now: datetime,
) -> Participant:
    """Create the participant or update their details with what they confirmed last."""
    participant = await get_participant(session, telegram_user_id)
    if participant is None:
        participant = Participant(telegram_user_id=telegram_user_id, created_at=now)
        session.add(participant)
    participant.chat_id = chat_id
    participant.full_name = full_name
    participant.institution = institution
    participant.position = position
    participant.phone_e164 = phone_e164
    participant.updated_at = now
    await session.flush()
    return participant
