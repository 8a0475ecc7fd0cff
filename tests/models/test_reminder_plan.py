"""The reminder plan's rules: local waking hours in each zone, night moves, holds, file section."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import DEFAULT_PROGRAM_FILE
from models.program_file import ProgramFileError, parse_program, read_program_file
from models.reminder_plan import ReminderPlan, format_duration, parse_duration

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
PLAN = ReminderPlan()


def local(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    shown = moment.astimezone(zone)
    return shown.strftime("%Y-%m-%d"), shown.strftime("%H:%M")


def at(day: str, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone).astimezone(UTC)


def test_default_reminders_fall_a_week_a_day_and_two_hours_before_in_local_time() -> None:
    start = at("2023-07-26", "09:00", WIB)  # Bengkulu, wave 1
    slots = PLAN.reminder_slots(start, WIB)
    assert [s.name for s in slots] == ["reminder-7d", "reminder-1d", "reminder-2h"]
    assert [local(s.due_at, WIB) for s in slots] == [
        ("2023-07-19", "09:00"),
        ("2023-07-25", "09:00"),
        ("2023-07-26", "07:00"),
    ]
    # Each lapses when the next is due; the last when the meeting starts.
    assert [s.expires_at for s in slots] == [slots[1].due_at, slots[2].due_at, start]


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_the_same_local_start_gives_the_same_local_hours_in_every_zone(zone: ZoneInfo) -> None:
    start = at("2023-08-08", "09:00", zone)
    hours = [local(s.due_at, zone)[1] for s in PLAN.reminder_slots(start, zone)]
    assert hours == ["09:00", "09:00", "07:00"]
    # And the UTC moments differ by the zone's offset: nobody is reminded in another zone's time.
    assert PLAN.reminder_slots(start, zone)[0].due_at == start - timedelta(days=7)


def test_an_early_meeting_moves_the_last_reminder_to_the_morning_not_to_the_night() -> None:
    start = at("2023-08-03", "08:00", WITA)
    last = PLAN.reminder_slots(start, WITA)[-1]
    assert local(last.due_at, WITA) == ("2023-08-03", "07:00")  # not 06:00 WITA


def test_when_the_morning_is_too_close_the_reminder_comes_the_evening_before() -> None:
    start = at("2023-08-03", "07:30", WIT)
    last = PLAN.reminder_slots(start, WIT)[-1]
    assert local(last.due_at, WIT) == ("2023-08-02", "20:00")  # not 05:30 WIT, not 30 minutes before


def test_a_late_evening_moment_moves_back_to_the_end_of_waking_hours() -> None:
    start = at("2023-08-03", "23:00", WIB)
    assert local(PLAN.reminder_slots(start, WIB)[-1].due_at, WIB) == ("2023-08-03", "20:00")


def test_no_reminder_ever_falls_at_night_or_after_the_start() -> None:
    for zone in (WIB, WITA, WIT):
        for hour in range(24):
            start = at("2023-08-10", f"{hour:02d}:00", zone)
            plan = ReminderPlan(
                reminders=(timedelta(days=7), timedelta(days=1), timedelta(hours=2), timedelta(minutes=30))
            )
            for slot in plan.reminder_slots(start, zone):
                assert time(7) <= slot.due_at.astimezone(zone).time() <= time(20), (zone, hour, slot)
                assert slot.due_at < start


def test_two_reminders_moved_to_the_same_moment_are_sent_once_under_the_nearer_name() -> None:
    plan = ReminderPlan(reminders=(timedelta(hours=12), timedelta(hours=10)))
    slots = plan.reminder_slots(at("2023-08-03", "09:00", WIB), WIB)  # 21:00 and 23:00 the evening before
    assert [(s.name, local(s.due_at, WIB)) for s in slots] == [("reminder-10h", ("2023-08-02", "20:00"))]


def test_attendance_is_asked_three_days_before_and_again_the_day_before() -> None:
    start = at("2023-07-26", "09:00", WIB)
    question, nudge = PLAN.attendance_slots(start, WIB)
    assert local(question.due_at, WIB) == ("2023-07-23", "09:00")
    assert local(nudge.due_at, WIB) == ("2023-07-25", "09:00")
    assert question.expires_at == nudge.due_at and nudge.expires_at == start


def test_seats_are_offered_from_the_attendance_question_on_and_given_outright_before() -> None:
    start = at("2023-07-26", "09:00", WIB)
    assert not PLAN.offers_seats(start - timedelta(days=3, minutes=1), start)
    assert PLAN.offers_seats(start - timedelta(days=3), start)
    assert not PLAN.offers_seats(start, None)  # date to be announced


def test_the_hold_is_a_day_but_never_more_than_half_the_time_left() -> None:
    start = at("2023-07-26", "09:00", WIB)
    assert PLAN.hold_until(start - timedelta(days=3), start) == start - timedelta(days=2)
    assert PLAN.hold_until(start - timedelta(hours=10), start) == start - timedelta(hours=5)
    assert PLAN.hold_until(start, start) is None


def test_durations_and_stored_plans_round_trip() -> None:
    assert [parse_duration(raw) for raw in ("7d", "2h", "30m")] == [
        timedelta(days=7),
        timedelta(hours=2),
        timedelta(minutes=30),
    ]
    for raw in ("7", "0d", "2w", "-1h", "", "1.5h"):
        with pytest.raises(ValueError):
            parse_duration(raw)
    assert format_duration(timedelta(hours=36)) == "36h"
    custom = ReminderPlan(
        reminders=(timedelta(days=2), timedelta(hours=1)),
        waking_from=time(6, 30),
        waking_until=time(21),
        attendance_question=timedelta(days=5),
        attendance_nudge=timedelta(days=2),
        seat_hold=timedelta(hours=12),
    )
    assert ReminderPlan.from_json(custom.to_json()) == custom
    assert ReminderPlan.from_json(None) == ReminderPlan()


def test_the_shipped_program_file_spells_out_the_default_plan() -> None:
    assert read_program_file(DEFAULT_PROGRAM_FILE).reminder_plan == ReminderPlan()


PROGRAM = """
program: {code: p, name: P}
reminders:
  before: [3d, 4h]
  waking_hours: "06:00-21:00"
  attendance_question: 2d
  seat_hold: 12h
roles:
  - {code: stakeholder, name: Stakeholder Provinsi, seats: 2}
meetings:
  - {code: m1, province: "17", city: Bengkulu, date: 2023-07-26}
"""


def test_the_program_file_sets_the_plan_and_leaves_the_rest_at_its_defaults() -> None:
    plan = parse_program(PROGRAM).reminder_plan
    assert plan.reminders == (timedelta(days=3), timedelta(hours=4))
    assert (plan.waking_from, plan.waking_until) == (time(6), time(21))
    assert plan.attendance_question == timedelta(days=2)
    assert plan.attendance_nudge == timedelta(days=1)
    assert plan.seat_hold == timedelta(hours=12)
    without_section = PROGRAM.split("reminders:")[0] + "roles:" + PROGRAM.split("roles:")[1]
    assert parse_program(without_section).reminder_plan == ReminderPlan()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ("before: [3d, 4h]", "before: [3d, soon]"),
        ('waking_hours: "06:00-21:00"', 'waking_hours: "21:00-06:00"'),
        ("attendance_question: 2d", "attendance_question: 2d\n  attendance_nudge: 2d"),
        ("seat_hold: 12h", "seat_hold: 12h\n  snooze: 1h"),
    ],
)
def test_a_bad_reminder_section_is_named_with_its_line(change: str, where: str) -> None:
    with pytest.raises(ProgramFileError) as failure:
        parse_program(PROGRAM.replace(change, where), "shm.yaml")
    assert all(p.field.startswith("reminders") for p in failure.value.problems), failure.value
    assert str(failure.value).startswith("shm.yaml:")
    assert failure.value.problems[0].line in range(3, 10)


@pytest.mark.parametrize(
    ("start", "zone", "due"),
    [
        (("2023-07-26", "09:00"), WIB, ("2023-07-26", "07:00")),  # the morning's waking hours
        (("2023-08-08", "07:30"), WITA, ("2023-08-08", "06:30")),  # an early start: an hour before it
        (("2023-08-08", "13:00"), WIT, ("2023-08-08", "07:00")),
    ],
)
def test_the_check_in_code_comes_on_the_meetings_morning_in_its_own_zone(start, zone, due) -> None:
    starts_at = at(*start, zone)
    slot = PLAN.checkin_code_slot(starts_at, zone, starts_at + timedelta(hours=7))
    assert local(slot.due_at, zone) == due
    assert slot.expires_at == starts_at + timedelta(hours=7)
