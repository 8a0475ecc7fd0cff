"""The scale benchmark's generated year of programs is a database the bot could have written itself."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from benchmarks.big_data import fill
from models.certificates import Certificate, issue_due
from models.evaluation import EvaluationProgress, EvaluationResponse, ask_evaluations
from models.outbox import OutboxMessage, OutboxStatus
from models.participant import ConsentRecord, Participant
from models.program import Meeting, Program, RoleQuota
from models.registration import Registration, RegistrationStatus
from models.reports import national_recap
from models.seat_schedule import plan_seat_messages

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


async def count(session, query) -> int:
    return await session.scalar(select(func.count()).select_from(query.subquery()))


async def test_the_generated_database_holds_what_it_reports_within_every_quota(sessions) -> None:
    async with sessions() as s, s.begin():
        generated = await fill(s, programs=5, registrations=1000, now=NOW)
    counts = generated.counts
    async with sessions() as s:
        assert counts["programs"] == await count(s, select(Program.id)) == 5
        assert counts["meetings"] == await count(s, select(Meeting.id)) == 5 * 38
        assert counts["participants"] == await count(s, select(Participant.id))
        assert await count(s, select(ConsentRecord.id)) == counts["participants"]
        assert counts["registrations"] == await count(s, select(Registration.id)) == 1000
        assert counts["outbox rows"] == await count(s, select(OutboxMessage.id))
        assert counts["certificates"] == await count(s, select(Certificate.id)) > 0
        assert counts["evaluations asked"] == await count(s, select(EvaluationProgress.registration_id)) > 0
        assert counts["evaluations answered"] == await count(s, select(EvaluationResponse.id)) > 0
        assert min(counts[f"registrations {status}"] for status in ("seated", "waitlisted", "cancelled")) > 0

        # Nobody holds more seats than the role has, at any meeting.
        taken = (
            select(Registration.meeting_id, Registration.role_id, func.count().label("taken"))
            .where(Registration.status.in_([RegistrationStatus.SEATED, RegistrationStatus.OFFERED]))
            .group_by(Registration.meeting_id, Registration.role_id)
            .subquery()
        )
        over = select(taken.c.meeting_id).join(
            RoleQuota, (RoleQuota.meeting_id == taken.c.meeting_id) & (RoleQuota.role_id == taken.c.role_id)
        )
        assert await count(s, over.where(taken.c.taken > RoleQuota.seats)) == 0
        assert await count(s, select(taken.c.meeting_id)) == await count(s, over)

        # Some meetings are over, some ahead; the one the benchmarks fill is ahead and empty.
        burst = await s.scalar(select(Meeting).where(Meeting.code == generated.burst_meeting))
        assert burst.listed and burst.starts_at > NOW
        assert await count(s, select(Registration.id).where(Registration.meeting_id == burst.id)) == 0
        assert await count(s, select(Meeting.id).where(Meeting.ends_at <= NOW)) > 0
        assert await count(s, select(Meeting.id).where(Meeting.starts_at > NOW)) > 1

        # Check-ins and certificates only for seated people of meetings that are over.
        checked_in = select(Registration.id).join(Meeting).where(Registration.checked_in_at.is_not(None))
        assert await count(s, checked_in) == counts["checked in"] > 0
        assert await count(s, checked_in.where(Meeting.ends_at > NOW)) == 0
        assert await count(s, checked_in.where(Registration.status != RegistrationStatus.SEATED)) == 0
        unseated = select(Certificate.id).join(Registration).where(Registration.checked_in_at.is_(None))
        assert await count(s, unseated) == 0

        # Sent when due before now, pending after; nothing for a person not seated.
        outbox = select(OutboxMessage.id)
        assert await count(s, outbox.where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.due_at > NOW)) == 0
        pending = outbox.where(OutboxMessage.status == OutboxStatus.PENDING)
        assert await count(s, pending) == counts["outbox pending"] > 0
        assert await count(s, pending.where(OutboxMessage.due_at <= NOW)) == 0
        unseated_outbox = outbox.join(Registration).where(Registration.status != RegistrationStatus.SEATED)
        assert await count(s, unseated_outbox) == 0

    # The bot finds nothing left over to catch up on, and its national recap counts the same seats.
    async with sessions() as s, s.begin():
        assert await issue_due(s, now=NOW) == 0
        assert await ask_evaluations(s, now=NOW) == 0
        recaps = await national_recap(s, now=NOW)
        assert len(recaps) == counts["meetings"]
        assert sum(r.total("seated") for r in recaps) == counts["registrations seated"]
        assert sum(r.total("waitlisted") for r in recaps) == counts["registrations waitlisted"]

        # Planning a seat's messages again adds nothing: the generated rows carry the bot's own keys.
        ahead = select(Registration).join(Meeting).where(Meeting.starts_at > NOW)
        seated = list(await s.scalars(ahead.where(Registration.status == RegistrationStatus.SEATED).limit(20)))
        assert seated
        before = await count(s, select(OutboxMessage.id))
        for registration in seated:
            await plan_seat_messages(s, registration, now=NOW)
        await s.flush()
        assert await count(s, select(OutboxMessage.id)) == before


async def test_a_second_fill_counts_its_ids_on(sessions) -> None:
    async with sessions() as s, s.begin():
        await fill(s, programs=1, registrations=60, now=NOW)
    async with sessions() as s, s.begin():
        top = await s.scalar(select(func.max(Registration.id)))
        # The sequences (PostgreSQL) follow the ids given: the bot's own next insert takes the next one.
        s.add(
            Participant(
                telegram_user_id=1,
                chat_id=1,
                full_name="Peserta Baru",
                institution="Bappeda",
                position="Analis",
                phone_e164="+6281200000001",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await s.flush()
        assert await s.scalar(select(func.max(Participant.id))) == 60 * 6 // 10 + 1
        assert top == 60
