"""Announcements: drafts, one confirmation, the fan-out's rows and the author's report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models.announcement import (
    MAX_BODY_LENGTH,
    Announcement,
    AnnouncementError,
    AnnouncementProblem,
    confirm_announcement,
    delivery_of,
    draft_announcement,
    report_finished,
)
from models.attendance import reason_not_to_send
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.registration import Registration
from models.roster import add
from models.seats import cancel, register
from models.staff import Authority
from tests.models.factories import T0, make_participant, meeting_and_role

PIC = 7001
BENGKULU = "shm23-bengkulu"


async def roster(s):
    """Bengkulu: two seated, one waiting, one cancelled, one added by hand without Telegram."""
    meeting, pemustaka = await meeting_and_role(s, BENGKULU, "pemustaka")
    _, stakeholder = await meeting_and_role(s, BENGKULU, "stakeholder")
    people = [await make_participant(s, n) for n in range(4)]
    regs = [
        await register(s, participant=p, meeting=meeting, role=r, now=T0)
        for p, r in zip(people, [stakeholder, pemustaka, pemustaka, stakeholder], strict=True)
    ]
    await cancel(s, regs[3].id, now=T0)
    await add(
        s,
        meeting=meeting,
        role_id=stakeholder.id,
        full_name="Budi",
        institution="Desa Sukamaju",
        position="Kepala Desa",
        phone_e164="+6281311112222",
        actor_user_id=PIC,
        reason="formulir",
        now=T0,
    )
    return meeting, regs


async def test_a_draft_must_say_something_and_fit_one_message(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, _ = await meeting_and_role(s, BENGKULU, "pemustaka")
        kwargs = {"meeting_id": meeting.id, "author_user_id": PIC, "author_chat_id": PIC, "now": T0}
        for body, problem in (
            ("  \n ", AnnouncementProblem.EMPTY),
            # Emoji count twice, as Telegram counts them.
            ("📚" * (MAX_BODY_LENGTH // 2 + 1), AnnouncementProblem.TOO_LONG),
        ):
            with pytest.raises(AnnouncementError) as refused:
                await draft_announcement(s, body=body, **kwargs)
            assert refused.value.problem is problem
        assert (await draft_announcement(s, body="a" * MAX_BODY_LENGTH, **kwargs)).confirmed_at is None


async def test_confirming_plans_one_message_per_live_registration_once(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, regs = await roster(s)
        draft = await draft_announcement(
            s, meeting_id=meeting.id, author_user_id=PIC, author_chat_id=PIC, body="Info", now=T0
        )
        pic = Authority(PIC, False, frozenset({meeting.id}))
        for who in (
            Authority(PIC, False, frozenset({meeting.id + 1})),
            Authority(7002, False, frozenset({meeting.id})),
        ):
            with pytest.raises(AnnouncementError) as refused:
                await confirm_announcement(s, draft.id, who, now=T0)
            assert refused.value.problem is AnnouncementProblem.NOT_YOURS
        confirmed = await confirm_announcement(s, draft.id, pic, now=T0 + timedelta(minutes=1))
        assert confirmed.recipients == 3
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT)))
        assert sorted(r.registration_id for r in rows) == sorted(r.id for r in regs[:3])
        assert {r.subject_id for r in rows} == {draft.id}
        with pytest.raises(AnnouncementError) as again:
            await confirm_announcement(s, draft.id, pic, now=T0 + timedelta(minutes=2))
        assert again.value.problem is AnnouncementProblem.ALREADY_SENT


async def test_the_author_is_reported_to_once_when_no_message_is_in_flight(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, regs = await roster(s)
        draft = await draft_announcement(
            s, meeting_id=meeting.id, author_user_id=PIC, author_chat_id=PIC, body="Info", now=T0
        )
        await confirm_announcement(s, draft.id, Authority(PIC, True, frozenset()), now=T0)
        assert await report_finished(s, now=T0) == 0
        outcomes = [OutboxStatus.SENT, OutboxStatus.UNREACHABLE, OutboxStatus.SENDING]
        for registration, status in zip(regs, outcomes, strict=False):
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.registration_id == registration.id, OutboxMessage.kind == MessageKind.ANNOUNCEMENT)
                .values(status=status)
            )
        assert await report_finished(s, now=T0) == 0
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.kind == MessageKind.ANNOUNCEMENT)
            .values(status=OutboxStatus.FAILED)
        )
        assert await report_finished(s, now=T0 + timedelta(minutes=5)) == 1
        assert await report_finished(s, now=T0 + timedelta(minutes=6)) == 0
        [report] = await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT_REPORT))
        assert (report.recipient_user_id, report.subject_id, report.registration_id) == (PIC, draft.id, None)
        delivery = await delivery_of(s, await s.get(Announcement, draft.id))
        assert (delivery.recipients, delivery.received, delivery.blocked, delivery.failed) == (3, 1, 1, 1)


async def test_an_announcement_is_wanted_by_waiting_people_not_by_cancelled_or_unreachable_ones(
    sessions, program
) -> None:
    async with sessions() as s, s.begin():
        _, regs = await roster(s)
        message = OutboxMessage(kind=MessageKind.ANNOUNCEMENT)
        waiting, cancelled = regs[2], regs[3]
        assert reason_not_to_send(message, waiting, T0) is None
        assert reason_not_to_send(message, cancelled, T0) == OutboxStatus.OBSOLETE
        assert reason_not_to_send(OutboxMessage(kind=MessageKind.REMOVED), cancelled, T0) is None
        assert reason_not_to_send(OutboxMessage(kind=MessageKind.REMOVED), waiting, T0) == OutboxStatus.OBSOLETE
        by_hand = await s.scalar(select(Registration).order_by(Registration.id.desc()).limit(1))
        assert by_hand.participant.chat_id is None
        assert reason_not_to_send(message, by_hand, T0) == OutboxStatus.OBSOLETE
