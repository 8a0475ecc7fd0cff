"""A person's rights over their data under UU PDP: access to all of it, erasure with withdrawal of consent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import FreedBy
from models.certificates import Certificate
from models.conversation import Conversation, forget_applied_updates
from models.evaluation import EvaluationProgress
from models.participant import ConsentRecord, Participant, get_participant, record_consent
from models.person_details import DETAIL_FIELDS
from models.program import Meeting
from models.registration import Registration, registrations_of
from models.seats import FreedSeat, end_registration, locked
from models.staff import PicAssignment, forget_pic_names


@dataclass(frozen=True)
class KeptAssignment:
    """A PIC function the person holds or held, with the meeting it is for."""

    assignment: PicAssignment
    meeting: Meeting


@dataclass(frozen=True)
class PersonalRecord:
    """Everything kept about one Telegram user: what /datasaya shows and sends as a file."""

    telegram_user_id: int
    conversation: Conversation | None
    participant: Participant | None
    # Every registration, ended ones too (they are kept until the retention period ends), oldest first.
    registrations: list[Registration]
    consents: list[ConsentRecord]
    pic_assignments: list[KeptAssignment]
    # The evaluations the person was asked for: answers so far while unfinished; once finished the
    # answers are kept without the person (`models.evaluation`) and only the day it was finished is here.
    evaluations: list[EvaluationProgress] = field(default_factory=list)
    # The certificates issued for the registrations, by registration id.
    certificates: dict[int, Certificate] = field(default_factory=dict)

    @property
    def draft(self) -> dict[str, str]:
        """The details typed into a registration or change not finished yet."""
        if self.conversation is None:
            return {}
        return {f: getattr(self.conversation, f) for f in DETAIL_FIELDS if getattr(self.conversation, f) is not None}

    def as_json(self) -> dict:
        """The record as plain JSON data (times in ISO 8601 with their offset), for the person to keep."""

        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        person = self.participant
        meetings = {r.id: r.meeting.code for r in self.registrations}
        return {
            "telegram_user_id": self.telegram_user_id,
            "language": self.conversation.language if self.conversation else None,
            "latest_details": (
                {f: getattr(person, f) for f in DETAIL_FIELDS}
                | {
                    "chat_id": person.chat_id,
                    "created_at": moment(person.created_at),
                    "updated_at": moment(person.updated_at),
                }
                if person is not None
                else None
            ),
            "consents": [
                {"given": c.given, "decided_at": moment(c.decided_at), "text_version": c.text_version}
                for c in self.consents
            ],
            "registrations": [
                {
                    "meeting_code": r.meeting.code,
                    "meeting_province": r.meeting.province.name,
                    "meeting_city": r.meeting.city,
                    "meeting_starts_at": moment(r.meeting.starts_at),
                    "role": r.role.name,
                    "status": r.status.value,
                    **{f: getattr(r, f) for f in DETAIL_FIELDS},
                    "registered_at": moment(r.queued_at),
                    "seated_at": moment(r.seated_at),
                    "cancelled_at": moment(r.cancelled_at),
                    "attendance": r.attendance,
                    "attendance_at": moment(r.attendance_at),
                    "offered_until": moment(r.offered_until),
                    "checked_in_at": moment(r.checked_in_at),
                    "checked_in_via": r.checked_in_via.value if r.checked_in_via else None,
                    "certificate": (
                        {"number": c.number, "issued_at": moment(c.issued_at)}
                        if (c := self.certificates.get(r.id)) is not None
                        else None
                    ),
                }
                for r in self.registrations
            ],
            "pic_assignments": [
                {
                    "meeting_code": kept.meeting.code,
                    "display_name": kept.assignment.display_name,
                    "granted_at": moment(kept.assignment.granted_at),
                    "revoked_at": moment(kept.assignment.revoked_at),
                }
                for kept in self.pic_assignments
            ],
            "draft_in_progress": self.draft or None,
            "evaluations": [
                {
                    "meeting_code": meetings[e.registration_id],
                    "asked_at": moment(e.asked_at),
                    "answers_so_far": dict(e.answers or {}),
                    "finished_on": moment(e.finished_at),
                }
                for e in self.evaluations
            ],
        }


async def personal_record(session: AsyncSession, telegram_user_id: int) -> PersonalRecord:
    """What is kept about the person: details, every registration, consent decisions, PIC functions, a draft."""
    participant = await get_participant(session, telegram_user_id)
    registrations: list[Registration] = []
    if participant is not None:
        registrations = list(
            await session.scalars(
                select(Registration)
                .where(Registration.participant_id == participant.id)
                .order_by(Registration.queued_at, Registration.id)
            )
        )
    consents = list(
        await session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.telegram_user_id == telegram_user_id)
            .order_by(ConsentRecord.decided_at, ConsentRecord.id)
        )
    )
    assignments = await session.execute(
        select(PicAssignment, Meeting)
        .join(Meeting, Meeting.id == PicAssignment.meeting_id)
        .where(PicAssignment.telegram_user_id == telegram_user_id)
        .order_by(PicAssignment.granted_at, PicAssignment.id)
    )
    evaluations = list(
        await session.scalars(
            select(EvaluationProgress)
            .where(EvaluationProgress.registration_id.in_([r.id for r in registrations]))
            .order_by(EvaluationProgress.asked_at, EvaluationProgress.registration_id)
        )
    )
    certificates = await session.scalars(
        select(Certificate).where(Certificate.registration_id.in_([r.id for r in registrations]))
    )
    return PersonalRecord(
        telegram_user_id=telegram_user_id,
        conversation=await session.get(Conversation, telegram_user_id),
        participant=participant,
        registrations=registrations,
        consents=consents,
        pic_assignments=[KeptAssignment(a, m) for a, m in assignments],
        evaluations=evaluations,
        certificates={c.registration_id: c for c in certificates},
    )


async def erase_person(session: AsyncSession, telegram_user_id: int, *, now: datetime) -> list[FreedSeat]:
    """Cancel the person's registrations (seats pass to the waiting list), delete their details.

    The consent record stays: the law asks that proof of consent be kept, and it holds no
    more than the Telegram id, the text version and the time. A withdrawal is appended to it.
    A PIC keeps their function (it is their job, not their registration), but the name their
    assignment shows in organizers' lists is removed.
    """
    freed_seats: list[FreedSeat] = []
    participant = await get_participant(session, telegram_user_id)
    if participant is not None:
        for registration in await registrations_of(session, telegram_user_id):
            # Not `cancel`: erasure is a right even after a meeting started (where no seat passes on).
            found = await locked(session, registration.id)
            if found is not None:
                freed_seats.append(await end_registration(session, *found, now=now, cause=FreedBy.CANCELLED))
        await session.execute(delete(Registration).where(Registration.participant_id == participant.id))
        await session.execute(delete(Participant).where(Participant.id == participant.id))
    await forget_pic_names(session, [telegram_user_id])
    conversation = await session.get(Conversation, telegram_user_id)
    if conversation is not None:
        conversation.clear_draft()
    await record_consent(session, telegram_user_id, given=False, now=now)
    return freed_seats


# A registration left half-way holds what was typed so far; it is not kept for long.
ABANDONED_DRAFT_DAYS = 30


@dataclass(frozen=True)
class PurgeReport:
    """What a retention run deleted."""

    participants_erased: int
    drafts_cleared: int
    # Not personal data: the ids of updates applied long enough ago that Telegram no longer re-delivers them.
    applied_updates_forgotten: int = 0


async def purge_expired(session: AsyncSession, *, now: datetime, retention_days: int) -> PurgeReport:
    """Delete personal data whose purpose has ended, as the consent text promises.

    A person's details are kept until `retention_days` after the last of their meetings ended;
    a meeting still to come or without a date keeps them, and so does the name a PIC assignment
    took from their registration. Drafts abandoned for
    ABANDONED_DRAFT_DAYS are cleared, and applied update ids past re-delivery are forgotten.
    """
    # First: like every update's transaction, this one locks conversation rows before registrations.
    forgotten = await forget_applied_updates(session, now=now)
    cutoff = now - timedelta(days=retention_days)
    meeting_end = func.coalesce(Meeting.ends_at, Meeting.starts_at)
    still_needed = (
        select(Registration.participant_id)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(or_(meeting_end.is_(None), meeting_end >= cutoff))
    )
    has_registrations = select(Registration.participant_id)
    expired = list(
        await session.scalars(
            select(Participant.id).where(Participant.id.in_(has_registrations), Participant.id.not_in(still_needed))
        )
    )
    if expired:
        # A PIC named after their registration loses the name with it; one named by an invite keeps
        # the Telegram name they gave when opening it.
        user_ids = await session.scalars(select(Participant.telegram_user_id).where(Participant.id.in_(expired)))
        await forget_pic_names(session, [user_id for user_id in user_ids if user_id is not None], via="registration")
        await session.execute(delete(Registration).where(Registration.participant_id.in_(expired)))
        await session.execute(delete(Participant).where(Participant.id.in_(expired)))
    stale = list(
        await session.scalars(
            select(Conversation).where(
                Conversation.step.is_not(None), Conversation.updated_at < now - timedelta(days=ABANDONED_DRAFT_DAYS)
            )
        )
    )
    for conversation in stale:
        conversation.clear_draft()
    await session.flush()
    return PurgeReport(participants_erased=len(expired), drafts_cleared=len(stale), applied_updates_forgotten=forgotten)
