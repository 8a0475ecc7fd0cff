"""Once a meeting has started its seats no longer change hands, with an injected clock; and PICs answer for people added by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.alerts import Alert, AlertKind, check_time_alerts
from models.attendance import (
    Outcome,
    answer_attendance,
    lapse_expired_offers,
    record_attendance_for,
    release_seat,
    take_seat,
)
from models.audit import AuditEntry
from models.history import Ending, coming_registrations, finished_registrations
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.personal_data import erase_person
from models.program import Meeting
from models.reachability import set_reachable
from models.registration import Registration, RegistrationStatus
from models.roster import RosterError, RosterProblem, add, move, remove
from models.seats import MeetingStarted, cancel, lock_quota, register, seat_waiting
from tests.models.factories import T0, make_pic, meeting_and_role, seat, seats

BENGKULU = "shm23-bengkulu"
ACEH = "shm23-aceh"
PIC = 7001
# Bengkulu starts Wednesday 26 July 2023, 09:00 WIB; the attendance question goes out three days before.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
QUESTION_TIME = START - timedelta(days=3)
DAY_AFTER = START + timedelta(days=1)
APART = timedelta(seconds=1)


async def alerts_of(s, kind: AlertKind) -> list[Alert]:
    return list(await s.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


async def messages_to(s, registration_id: int, kind: MessageKind) -> list[OutboxMessage]:
    return list(
        await s.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == registration_id, OutboxMessage.kind == kind)
        )
    )


async def by_hand(s, name: str, *, now: datetime = T0, role: str = "pemustaka") -> Registration:
    meeting, role_ = await meeting_and_role(s, BENGKULU, role)
    return await add(
        s,
        meeting=meeting,
        role_id=role_.id,
        full_name=name,
        institution="Desa Sukamaju",
        position="Kepala Desa",
        phone_e164="+6281311112222",
        actor_user_id=PIC,
        reason="formulir kertas",
        now=now,
    )


def test_a_meeting_has_started_from_its_start_on_and_an_undated_one_never() -> None:
    meeting = Meeting(starts_at=START)
    assert not meeting.has_started(START - timedelta(seconds=1))
    assert meeting.has_started(START) and meeting.has_started(DAY_AFTER)
    assert not Meeting(starts_at=None).has_started(DAY_AFTER)


def test_registration_closes_at_the_start_even_if_the_program_file_closes_it_later() -> None:
    meeting = Meeting(starts_at=START, registration_closes_at=DAY_AFTER, listed=True)
    assert meeting.is_open_for_registration(START - timedelta(minutes=1))
    assert not meeting.is_open_for_registration(START + timedelta(hours=1))


async def test_after_the_start_a_participant_cannot_cancel_and_nobody_hears_of_an_empty_seat(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, BENGKULU, PIC)
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        await answer_attendance(s, seated.id, will_attend=True, now=QUESTION_TIME)
        freed_before = len(await alerts_of(s, AlertKind.SEAT_FREED))
        with pytest.raises(MeetingStarted):
            await cancel(s, seated.id, now=DAY_AFTER)
        assert (seated.status, waiting.status) == (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED)
        assert await coming_registrations(s, seated.participant.telegram_user_id, now=DAY_AFTER) == []
        assert [r.id for r in await coming_registrations(s, seated.participant.telegram_user_id, now=T0)] == [seated.id]
        # The attendance answer cannot be changed either, nor an offer taken or let go.
        assert (
            await answer_attendance(s, seated.id, will_attend=False, now=DAY_AFTER)
        ).outcome == Outcome.NOT_APPLICABLE
        assert (await take_seat(s, waiting.id, now=DAY_AFTER)).outcome == Outcome.TOO_LATE
        assert (await release_seat(s, waiting.id, now=DAY_AFTER)).outcome == Outcome.TOO_LATE
        assert waiting.status == RegistrationStatus.WAITLISTED
        assert len(await alerts_of(s, AlertKind.SEAT_FREED)) == freed_before


async def test_a_seat_freed_after_the_start_by_erasure_stays_empty_and_is_not_reported(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, BENGKULU, PIC)
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        [freed] = await erase_person(s, seated.participant.telegram_user_id, now=DAY_AFTER)
        assert (freed.promoted, freed.offered) == (None, None)
        assert waiting.status == RegistrationStatus.WAITLISTED
        assert await messages_to(s, waiting.id, MessageKind.PROMOTED) == []
        assert await alerts_of(s, AlertKind.SEAT_FREED) == []


async def test_an_offer_pending_at_the_start_lapses_without_passing_the_seat_on(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, offered, third = await seats(s, BENGKULU, "pemustaka", range(3), apart=APART)
        await answer_attendance(s, seated.id, will_attend=False, now=QUESTION_TIME)
        assert offered.status == RegistrationStatus.OFFERED
        # The bot was down through the hold and the start.
        [lapsed] = await lapse_expired_offers(s, now=DAY_AFTER)
        assert (lapsed.promoted, lapsed.offered) == (None, None)
        assert (offered.status, third.status) == (RegistrationStatus.WAITLISTED, RegistrationStatus.WAITLISTED)
        assert await messages_to(s, third.id, MessageKind.SEAT_OFFER) == []
        assert await messages_to(s, offered.id, MessageKind.OFFER_LAPSED) == []


async def test_a_quota_raised_after_the_start_seats_nobody(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        quota = await lock_quota(s, seated.meeting_id, seated.role_id)
        quota.seats = 2
        assert await seat_waiting(s, quota, now=DAY_AFTER) == 0
        assert waiting.status == RegistrationStatus.WAITLISTED
        assert await seat_waiting(s, quota, now=T0) == 1
        assert waiting.status == RegistrationStatus.SEATED


async def test_staff_changes_after_the_start_are_refused_unless_made_as_corrections(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        stakeholder = (await meeting_and_role(s, BENGKULU, "stakeholder"))[1].id
        change = {"meeting_id": seated.meeting_id, "actor_user_id": PIC, "now": DAY_AFTER}
        for attempt in (
            remove(s, registration_id=seated.id, reason="tidak datang", **change),
            move(s, registration_id=seated.id, role_id=stakeholder, reason="salah peran", **change),
            by_hand(s, "Budi", now=DAY_AFTER),
        ):
            with pytest.raises(RosterError) as refused:
                await attempt
            assert refused.value.problem is RosterProblem.STARTED
        assert (seated.role.code, seated.status) == ("pemustaka", RegistrationStatus.SEATED)
        assert list(await s.scalars(select(AuditEntry))) == []

        moved = await move(
            s, registration_id=seated.id, role_id=stakeholder, reason="salah peran", correction=True, **change
        )
        assert (seated.role.code, seated.status) == ("stakeholder", RegistrationStatus.SEATED)
        assert (moved.promoted, moved.offered) == (None, None)
        assert waiting.status == RegistrationStatus.WAITLISTED
        removed = await remove(s, registration_id=seated.id, reason="tidak datang", correction=True, **change)
        assert (removed.promoted, removed.offered, seated.status) == (None, None, RegistrationStatus.CANCELLED)
        meeting, pemustaka = await meeting_and_role(s, BENGKULU, "pemustaka")
        added = await add(
            s,
            meeting=meeting,
            role_id=pemustaka.id,
            full_name="Budi",
            institution="Desa Sukamaju",
            position="Kepala Desa",
            phone_e164="+6281311112222",
            actor_user_id=PIC,
            reason="hadir tanpa terdaftar",
            now=DAY_AFTER,
            correction=True,
        )
        assert added.status == RegistrationStatus.SEATED
        # Nobody is messaged about a correction, nor offered or given a seat.
        for kind in (MessageKind.MOVED, MessageKind.REMOVED, MessageKind.PROMOTED, MessageKind.SEAT_OFFER):
            assert await messages_to(s, seated.id, kind) == await messages_to(s, waiting.id, kind) == []
        entries = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert [(e.action, e.reason, e.details["correction"]) for e in entries] == [
            ("move", "salah peran", True),
            ("remove", "tidak datang", True),
            ("add", "hadir tanpa terdaftar", True),
        ]
        assert "Budi" not in str([e.details for e in entries])
        # The role is full again (Budi took the seat): a second correction adding someone is refused.
        with pytest.raises(RosterError) as full:
            await add(
                s,
                meeting=meeting,
                role_id=pemustaka.id,
                full_name="Citra",
                institution="Desa Sukamaju",
                position="Sekretaris Desa",
                phone_e164="+6281311113333",
                actor_user_id=PIC,
                reason="hadir tanpa terdaftar",
                now=DAY_AFTER,
                correction=True,
            )
        assert full.value.problem is RosterProblem.ROLE_FULL


async def test_finished_meetings_say_how_each_registration_ended(sessions, program) -> None:
    async with sessions() as s, s.begin():
        bengkulu = await seat(s, BENGKULU, "pemustaka", 0)
        user = bengkulu.participant.telegram_user_id
        meeting, role = await meeting_and_role(s, ACEH, "pemustaka")
        # Aceh's date is to be announced: it stays among the coming ones.
        aceh = await register(s, participant=bengkulu.participant, meeting=meeting, role=role, now=T0)
        assert [f.ending for f in await finished_registrations(s, user, now=T0)] == []
        assert [(f.registration.id, f.ending) for f in await finished_registrations(s, user, now=DAY_AFTER)] == [
            (bengkulu.id, Ending.SEATED)
        ]
        assert [r.id for r in await coming_registrations(s, user, now=DAY_AFTER)] == [aceh.id]
        await answer_attendance(s, bengkulu.id, will_attend=True, now=QUESTION_TIME)
        assert [f.ending for f in await finished_registrations(s, user, now=DAY_AFTER)] == [Ending.CONFIRMED]
        await answer_attendance(s, bengkulu.id, will_attend=False, now=QUESTION_TIME)
        assert [f.ending for f in await finished_registrations(s, user, now=DAY_AFTER)] == [Ending.ABSENT]


async def test_a_pic_records_attendance_for_people_added_by_hand_and_a_no_frees_the_seat(sessions, program) -> None:
    async with sessions() as s, s.begin():
        budi = await by_hand(s, "Budi")
        waiting = await seat(s, BENGKULU, "pemustaka", 1, T0 + APART)
        telegram_person = await seat(s, BENGKULU, "stakeholder", 2)
        meeting_id = budi.meeting_id
        record = {"meeting_id": meeting_id, "actor_user_id": PIC}

        # Someone with Telegram answers for themselves; another meeting's id does not match.
        assert (
            await record_attendance_for(s, telegram_person.id, will_attend=True, now=T0, **record)
        ).outcome == Outcome.NOT_APPLICABLE
        assert (
            await record_attendance_for(
                s, budi.id, meeting_id=meeting_id + 1, will_attend=True, actor_user_id=PIC, now=T0
            )
        ).outcome == Outcome.NOT_APPLICABLE
        assert telegram_person.attendance is None

        yes = await record_attendance_for(s, budi.id, will_attend=True, now=QUESTION_TIME, **record)
        assert (yes.outcome, budi.attendance) == (Outcome.RECORDED, True)
        again = await record_attendance_for(s, budi.id, will_attend=True, now=QUESTION_TIME, **record)
        assert again.outcome == Outcome.RECORDED  # a double tap, audited once
        no = await record_attendance_for(s, budi.id, will_attend=False, now=QUESTION_TIME, **record)
        assert (no.outcome, budi.status, budi.attendance) == (Outcome.SEAT_FREED, RegistrationStatus.CANCELLED, False)
        # As on the person's own "Tidak hadir" three days before: the seat is offered to the first waiting.
        assert no.freed_seat is not None and no.freed_seat.offered is waiting
        entries = list(await s.scalars(select(AuditEntry).where(AuditEntry.action == "attendance_recorded")))
        assert [(e.actor_user_id, e.registration_id, e.details) for e in entries] == [
            (PIC, budi.id, {"attend": True, "seat_passed_to": None}),
            (PIC, budi.id, {"attend": False, "seat_passed_to": waiting.id}),
        ]


async def test_after_the_start_a_pic_can_no_longer_record_attendance(sessions, program) -> None:
    async with sessions() as s, s.begin():
        budi = await by_hand(s, "Budi")
        answer = await record_attendance_for(
            s, budi.id, meeting_id=budi.meeting_id, will_attend=False, actor_user_id=PIC, now=START
        )
        assert (answer.outcome, budi.status, budi.attendance) == (Outcome.TOO_LATE, RegistrationStatus.SEATED, None)


async def test_the_day_before_people_added_by_hand_are_not_counted_as_unanswered(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, BENGKULU, PIC)
        budi = await by_hand(s, "Budi")
        citra = await by_hand(s, "Citra", role="stakeholder")
        silent = await seat(s, BENGKULU, "stakeholder", 1)
        await record_attendance_for(
            s, citra.id, meeting_id=citra.meeting_id, will_attend=True, actor_user_id=PIC, now=QUESTION_TIME
        )
        await check_time_alerts(s, now=START - timedelta(hours=20))
        [alert] = await alerts_of(s, AlertKind.UNCONFIRMED)
        assert alert.details == {"registration_ids": [silent.id], "by_hand_ids": [budi.id]}


async def test_the_day_before_alert_fires_for_people_added_by_hand_alone(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, BENGKULU, PIC)
        budi = await by_hand(s, "Budi")
        await check_time_alerts(s, now=START - timedelta(hours=20))
        [alert] = await alerts_of(s, AlertKind.UNCONFIRMED)
        assert alert.details == {"registration_ids": [], "by_hand_ids": [budi.id]}
        assert (await s.scalar(select(OutboxMessage.status).where(OutboxMessage.kind == MessageKind.PIC_ALERTS))) == (
            OutboxStatus.PENDING
        )


async def test_blocking_the_bot_after_the_start_tells_the_pics_of_coming_meetings_only(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, BENGKULU, PIC)
        held = await seat(s, BENGKULU, "pemustaka", 1)
        coming, role = await meeting_and_role(s, ACEH, "pemustaka")  # Aceh's date is to be announced
        later = await register(s, participant=held.participant, meeting=coming, role=role, now=T0)
        await set_reachable(s, held.participant.telegram_user_id, False, now=DAY_AFTER)
        alerts = await alerts_of(s, AlertKind.UNREACHABLE)
        assert [a.details["registration_id"] for a in alerts] == [later.id]
