"""Seat messages, attendance answers, seat offers with holds and rescheduling, with an injected clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.settings import DEFAULT_PROGRAM_FILE
from models.attendance import (
    Outcome,
    answer_attendance,
    lapse_expired_offers,
    reason_not_to_send,
    release_seat,
    take_seat,
)
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.program import Meeting
from models.program_file import apply_program, parse_program
from models.reachability import set_reachable
from models.registration import Registration, RegistrationStatus, availability, waitlist_position
from models.reports import roster
from models.roster import live_roster
from models.seats import cancel, register
from tests.models.factories import T0, make_participant, seat, seats

# Bengkulu, wave 1: Wednesday 26 July 2023, 09:00 WIB.
BENGKULU = "shm23-bengkulu"
QUESTION_TIME = T0.replace(day=23, hour=2)  # 3 days before, 09:00 WIB
# People register a second apart, so the waiting list's order is also the order in time.
APART = timedelta(seconds=1)


async def planned(session, registration_id: int, status: OutboxStatus | None = OutboxStatus.PENDING):
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return [(m.kind.value, m.slot) for m in await session.scalars(query)]


async def test_a_seat_plans_three_reminders_the_attendance_questions_and_the_check_in_code(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        assert await planned(s, seated.id) == [
            ("reminder", "reminder-7d"),
            ("attendance", "attendance"),
            ("reminder", "reminder-1d"),
            ("attendance_nudge", "attendance-nudge"),
            ("reminder", "reminder-2h"),
            # 07:00 WIB on the day, as the 2-hour reminder.
            ("checkin_code", "checkin-code"),
        ]
        due = [m.due_at for m in await s.scalars(select(OutboxMessage).order_by(OutboxMessage.due_at))]
        assert due[0] == seated.meeting.starts_at - timedelta(days=7)
        assert await planned(s, waiting.id) == []  # only seated people are reminded


async def test_a_late_registration_gets_only_the_reminders_still_ahead_and_counts_as_confirmed(
    sessions, program
) -> None:
    async with sessions() as s, s.begin():
        late = await seat(s, BENGKULU, "pemustaka", 0, QUESTION_TIME + timedelta(days=1))
        assert await planned(s, late.id) == [
            ("reminder", "reminder-1d"),
            ("reminder", "reminder-2h"),
            ("checkin_code", "checkin-code"),
        ]
        assert late.attendance is True


async def test_cancelling_withdraws_what_was_planned(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, BENGKULU, "pemustaka", 0)
        await cancel(s, seated.id, now=T0 + timedelta(days=1))
        assert await planned(s, seated.id) == []
        assert (
            len(await planned(s, seated.id, OutboxStatus.OBSOLETE)) == 6
        )  # the reminders, the questions and the check-in code


async def test_weeks_ahead_a_freed_seat_is_given_outright_and_announced(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        outcome = await cancel(s, seated.id, now=T0 + timedelta(days=1))
        assert outcome.promoted is waiting and outcome.offered is None
        assert waiting.status == RegistrationStatus.SEATED
        kinds = [kind for kind, _ in await planned(s, waiting.id)]
        assert kinds[0] == "promoted" and kinds.count("reminder") == 3


async def test_tidak_hadir_offers_the_seat_with_a_hold_and_ambil_takes_it(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, first, second = await seats(s, BENGKULU, "pemustaka", range(3), apart=APART)
        answer = await answer_attendance(s, seated.id, will_attend=False, now=QUESTION_TIME)
        assert answer.outcome == Outcome.SEAT_FREED and seated.status == RegistrationStatus.CANCELLED
        assert seated.attendance is False
        assert answer.freed_seat.offered is first and first.status == RegistrationStatus.OFFERED
        assert first.offered_until == QUESTION_TIME + timedelta(hours=24)
        assert second.status == RegistrationStatus.WAITLISTED
        (pemustaka,) = [a for a in await availability(s, first.meeting_id) if a.role.code == "pemustaka"]
        assert (pemustaka.seated, pemustaka.held, pemustaka.seats_left) == (0, 1, 0)
        # A newcomer cannot take the held seat.
        newcomer = await register(
            s,
            participant=await make_participant(s, 9),
            meeting=first.meeting,
            role=first.role,
            now=QUESTION_TIME + timedelta(hours=1),
        )
        assert newcomer.status == RegistrationStatus.WAITLISTED
        assert await planned(s, first.id) == [("seat_offer", await offer_slot(s, first.id))]

        taken = await take_seat(s, first.id, now=QUESTION_TIME + timedelta(hours=2))
        assert taken.outcome == Outcome.SEATED and first.status == RegistrationStatus.SEATED
        assert first.attendance is True
        # Still-ahead reminders only; no attendance question for someone who just said yes.
        assert [k for k, _ in await planned(s, first.id)] == ["reminder", "reminder", "checkin_code"]
        # A second tap changes nothing.
        assert (await take_seat(s, first.id, now=QUESTION_TIME + timedelta(hours=3))).outcome == Outcome.NOT_APPLICABLE


async def offer_slot(session, registration_id: int) -> str:
    return await session.scalar(
        select(OutboxMessage.slot).where(
            OutboxMessage.registration_id == registration_id, OutboxMessage.kind == MessageKind.SEAT_OFFER
        )
    )


async def test_a_lapsed_hold_passes_the_seat_on_and_it_is_never_held_twice(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, first, second = await seats(s, BENGKULU, "pemustaka", range(3), apart=APART)
        await answer_attendance(s, seated.id, will_attend=False, now=QUESTION_TIME)
        assert await lapse_expired_offers(s, now=QUESTION_TIME + timedelta(hours=23)) == []
        lapsed_at = QUESTION_TIME + timedelta(hours=24)
        (outcome,) = await lapse_expired_offers(s, now=lapsed_at)
        assert outcome.offered is second and second.status == RegistrationStatus.OFFERED
        assert first.status == RegistrationStatus.WAITLISTED and first.offer_lapsed_at == lapsed_at
        assert [k for k, _ in await planned(s, first.id)] == ["offer_lapsed"]
        # The first person comes back too late: the seat is held for the second.
        late = await take_seat(s, first.id, now=lapsed_at + timedelta(minutes=5))
        assert late.outcome == Outcome.TOO_LATE and first.status == RegistrationStatus.WAITLISTED
        # The second lets it go: the first, still waiting, is offered it again; one hold at a time.
        released = await release_seat(s, second.id, now=lapsed_at + timedelta(hours=1))
        assert released.outcome == Outcome.RELEASED and second.status == RegistrationStatus.CANCELLED
        assert released.freed_seat.offered is first
        held = list(await s.scalars(select(Registration.id).where(Registration.status == RegistrationStatus.OFFERED)))
        assert held == [first.id]


async def test_after_a_lapse_status_the_roster_and_the_next_offer_share_one_waiting_order(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, first, second, third = await seats(s, BENGKULU, "pemustaka", range(4), apart=APART)
        await answer_attendance(s, seated.id, will_attend=False, now=QUESTION_TIME)
        await lapse_expired_offers(s, now=QUESTION_TIME + timedelta(days=1))
        assert (first.status, second.status) == (RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)
        # The first let their offer lapse: they now wait behind the third, who was never offered a seat.
        assert [await waitlist_position(s, r) for r in (third, first)] == [1, 2]
        rows = [row for row in await roster(s, [seated.meeting]) if row.role_code == "pemustaka"]
        assert [(row.registration_id, row.waitlist_position) for row in rows] == [
            (second.id, None),
            (third.id, 1),
            (first.id, 2),
        ]
        assert [r.id for r in await live_roster(s, seated.meeting_id) if r.role.code == "pemustaka"] == [
            second.id,
            third.id,
            first.id,
        ]
        released = await release_seat(s, second.id, now=QUESTION_TIME + timedelta(days=1, hours=1))
        assert released.freed_seat.offered is third


async def test_after_a_lapse_with_nobody_else_waiting_the_person_may_still_take_the_free_seat(
    sessions, program
) -> None:
    async with sessions() as s, s.begin():
        seated, first = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        await answer_attendance(s, seated.id, will_attend=False, now=QUESTION_TIME)
        await lapse_expired_offers(s, now=QUESTION_TIME + timedelta(days=1))
        assert first.status == RegistrationStatus.WAITLISTED
        taken = await take_seat(s, first.id, now=QUESTION_TIME + timedelta(days=1, hours=1))
        assert taken.outcome == Outcome.SEATED and first.status == RegistrationStatus.SEATED


async def test_the_hold_shrinks_as_the_meeting_nears_and_no_offer_is_made_once_it_began(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, first = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        start = seated.meeting.starts_at
        await answer_attendance(s, seated.id, will_attend=False, now=start - timedelta(hours=6))
        assert first.offered_until == start - timedelta(hours=3)
        assert (await answer_attendance(s, first.id, will_attend=False, now=start)).outcome == Outcome.NOT_APPLICABLE


async def test_hadir_is_recorded_and_withdraws_the_second_asking(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, BENGKULU, "pemustaka", 0)
        answer = await answer_attendance(s, seated.id, will_attend=True, now=QUESTION_TIME)
        assert answer.outcome == Outcome.RECORDED and seated.attendance is True
        assert [k for k, _ in await planned(s, seated.id)] == ["reminder", "reminder", "reminder", "checkin_code"]


async def test_the_mornings_check_in_code_goes_to_a_seat_not_checked_in_only(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        code = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.CHECKIN_CODE))
        assert code.registration_id == seated.id
        day = seated.meeting.starts_at - timedelta(hours=2)
        assert reason_not_to_send(code, seated, day) is None
        assert reason_not_to_send(code, waiting, day) == OutboxStatus.OBSOLETE
        seated.checked_in_at = day - timedelta(minutes=5)  # checked in before 07:00
        assert reason_not_to_send(code, seated, day) == OutboxStatus.OBSOLETE


async def test_due_messages_are_checked_again_when_sent(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        nudge = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ATTENDANCE_NUDGE))
        assert reason_not_to_send(nudge, seated, QUESTION_TIME) is None
        seated.attendance = True
        assert reason_not_to_send(nudge, seated, QUESTION_TIME) == OutboxStatus.OBSOLETE
        seated.attendance = None
        assert reason_not_to_send(nudge, seated, seated.meeting.starts_at) == OutboxStatus.OBSOLETE
        await set_reachable(s, seated.participant.telegram_user_id, False, now=QUESTION_TIME)
        assert reason_not_to_send(nudge, seated, QUESTION_TIME) == OutboxStatus.UNREACHABLE


async def test_a_moved_meeting_tells_everyone_and_moves_the_reminders(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        await answer_attendance(s, seated.id, will_attend=True, now=T0 + timedelta(days=1))
        source = read_program_file_text().replace(
            "26 July 2023\n    date: 2023-07-26", "26 July 2023\n    date: 2023-08-02"
        )
        assert source != read_program_file_text()
        report = await apply_program(s, parse_program(source), now=T0 + timedelta(days=2))
        assert report.people_notified == 2
        meeting = await s.scalar(select(Meeting).where(Meeting.code == BENGKULU))
        reminders = list(
            await s.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.registration_id == seated.id,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.kind == MessageKind.REMINDER,
                )
                .order_by(OutboxMessage.due_at)
            )
        )
        assert reminders[0].due_at == meeting.starts_at - timedelta(days=7)
        assert seated.attendance is None  # asked again for the new date
        assert ("attendance", "attendance") in await planned(s, seated.id)
        assert "schedule_changed" in [k for k, _ in await planned(s, waiting.id)]
        # The two attendance messages went with "Hadir", the three old reminders with the move.
        assert len(await planned(s, seated.id, OutboxStatus.OBSOLETE)) == 6


async def test_a_meeting_moved_and_moved_back_has_its_reminders_again(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, BENGKULU, "pemustaka", 0)
        before = await planned(s, seated.id)
        original = read_program_file_text()
        moved = original.replace("26 July 2023\n    date: 2023-07-26", "26 July 2023\n    date: 2023-08-02")
        assert moved != original
        await apply_program(s, parse_program(moved), now=T0 + timedelta(days=1))
        await apply_program(s, parse_program(original), now=T0 + timedelta(days=2))
        # The first date's reminders and questions are pending again (under their old keys), not lost.
        assert [m for m in await planned(s, seated.id) if m[0] != "schedule_changed"] == before
        assert len(before) == 6


async def test_raising_a_quota_passes_the_new_seats_to_those_waiting_in_order(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, first, second, third = await seats(s, BENGKULU, "pemustaka", range(4), apart=APART)
        one_seat = "{code: pemustaka, name: Pemustaka yang terdampak TPBIS, seats: 1}"
        original = read_program_file_text()
        assert one_seat in original
        # Weeks ahead the new seats are given outright, with a notice and the seat's messages.
        raised = original.replace(one_seat, one_seat.replace("seats: 1", "seats: 3"))
        await apply_program(s, parse_program(raised), now=T0 + timedelta(days=1))
        assert [r.status for r in (seated, first, second, third)] == [RegistrationStatus.SEATED] * 3 + [
            RegistrationStatus.WAITLISTED
        ]
        assert [k for k, _ in await planned(s, first.id)] == [
            "promoted",
            "reminder",
            "attendance",
            "reminder",
            "attendance_nudge",
            "reminder",
            "checkin_code",
        ]
        # Close to the meeting a new seat is offered and held.
        raised_again = original.replace(one_seat, one_seat.replace("seats: 1", "seats: 4"))
        await apply_program(s, parse_program(raised_again), now=QUESTION_TIME)
        assert third.status == RegistrationStatus.OFFERED
        assert third.offered_until == QUESTION_TIME + timedelta(hours=24)
        assert [k for k, _ in await planned(s, third.id)] == ["seat_offer"]


async def test_a_date_announced_later_plans_the_reminders_then(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, "shm23-aceh", "pemustaka", 0)
        assert await planned(s, seated.id) == []
        source = read_program_file_text().replace(
            'code: shm23-aceh\n    province: "11"  # Aceh, WIB\n    city: Banda Aceh\n    date: menyusul',
            'code: shm23-aceh\n    province: "11"  # Aceh, WIB\n    city: Banda Aceh\n    date: 2023-09-12',
        )
        assert "2023-09-12" in source
        await apply_program(s, parse_program(source), now=T0 + timedelta(days=1))
        assert [k for k, _ in await planned(s, seated.id)] == [
            "schedule_changed",
            "reminder",
            "attendance",
            "reminder",
            "attendance_nudge",
            "reminder",
            "checkin_code",
        ]


def read_program_file_text() -> str:
    return DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
