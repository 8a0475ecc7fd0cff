"""PIC alerts: recorded once with the change, gathered per PIC into digests, time-based checks, rules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models.alert_digest import current_digest, still_news
from models.alert_rules import AlertRules
from models.alerts import (
    Alert,
    AlertDelivery,
    AlertKind,
    check_time_alerts,
    plan_national_digest,
    record_alert,
    take_digest,
)
from models.attendance import answer_attendance, lapse_expired_offers
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.program import Role
from models.program_file import ProgramFileError, parse_program
from models.reachability import set_reachable
from models.registration import Registration, RoleAvailability
from models.reports import meetings_ahead
from models.seats import cancel
from models.staff import PicAssignment
from tests.models.factories import T0, make_pic, meeting_and_role, seat, seats

BENGKULU = "shm23-bengkulu"  # Wednesday 26 July 2023, 09:00 WIB (02:00 UTC)
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
PIC = 777


@pytest.fixture
async def program(program, sessions):
    """The shipped program, with a PIC for Bengkulu appointed the day before."""
    async with sessions() as session, session.begin():
        await make_pic(session, BENGKULU, PIC, now=T0 - timedelta(days=1))


async def alerts(session) -> list[tuple[str, dict]]:
    """Bengkulu's alerts, oldest first."""
    meeting, _ = await meeting_and_role(session, BENGKULU, "pemustaka")
    found = await session.scalars(select(Alert).where(Alert.meeting_id == meeting.id).order_by(Alert.id))
    return [(a.kind.value, a.details) for a in found]


async def digests(session) -> list[OutboxMessage]:
    return list(
        await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PIC_ALERTS).order_by(OutboxMessage.id)
        )
    )


async def test_threshold_and_full_fire_once_per_crossing(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seats(s, BENGKULU, "stakeholder", range(19))
        kinds = [kind for kind, _ in await alerts(s)]
        # 15 of 18 is the 80% mark; 16 and 17 say nothing; 18 is full; the 19th waits.
        assert kinds == ["threshold", "full", "waitlist_grew"]
        assert (await alerts(s))[0][1] == {"taken": 15, "seats": 18}
        # A seat passed straight to the waiting list is no drop: full is not said again.
        await cancel(s, seated[0].id, now=T0)
        # A seat left empty below full re-arms it; the next registration fills the role again.
        await cancel(s, seated[1].id, now=T0)
        await seat(s, BENGKULU, "stakeholder", 50)
        kinds = [kind for kind, _ in await alerts(s)]
        assert kinds == ["threshold", "full", "waitlist_grew", "seat_freed", "seat_freed", "full"]
        freed = [details for kind, details in await alerts(s) if kind == "seat_freed"]
        assert freed[0]["fate"] == "promoted" and freed[0]["to_registration_id"] == seated[18].id
        assert freed[0]["cause"] == "cancelled"
        assert freed[1]["fate"] == "vacant" and freed[1]["taken"] == 17


async def test_alerts_within_the_window_share_one_digest_and_a_digest_carries_them_once(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await seats(s, BENGKULU, "pemustaka", range(3))
        rows = await digests(s)
        assert len(rows) == 1 and rows[0].recipient_user_id == PIC
        assert rows[0].due_at == T0 + timedelta(minutes=10)
        assert len(list(await s.scalars(select(AlertDelivery)))) == 3
        digest = await take_digest(s, rows[0])
        assert digest is not None and [a.kind for a in digest.alerts] == ["full", "waitlist_grew", "waitlist_grew"]
        # Tried again (a timeout), the same message carries the same alerts.
        again = await take_digest(s, rows[0])
        assert again is not None and len(again.alerts) == 3
        rows[0].status = OutboxStatus.SENT
        # A later alert opens a new window; the alerts already carried are not in it.
        await seat(s, BENGKULU, "pemustaka", 10, T0 + timedelta(hours=1))
        rows = await digests(s)
        assert len(rows) == 2
        later = await take_digest(s, rows[1])
        assert later is not None and [a.kind for a in later.alerts] == ["waitlist_grew"]


async def test_quiet_hours_hold_a_digest_until_morning_in_the_meetings_zone(sessions, program) -> None:
    night = datetime(2023, 7, 10, 16, 0, tzinfo=UTC)  # 23:00 WIB
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "pemustaka", 0, night)
        (row,) = await digests(s)
        assert row.due_at == datetime(2023, 7, 11, 0, 0, tzinfo=UTC)  # 07:00 WIB


async def test_the_unconfirmed_alert_a_day_before_goes_at_once_even_at_night(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seats(s, BENGKULU, "stakeholder", range(3))
    # Someone answers; the others do not. The day before, at 23:00 WIB:
    async with sessions() as s, s.begin():
        await answer_attendance(s, seated[0].id, will_attend=True, now=START - timedelta(days=3))
    night = datetime(2023, 7, 25, 16, 0, tzinfo=UTC)  # 23:00 WIB, 25 July
    async with sessions() as s, s.begin():
        for _ in range(2):
            await check_time_alerts(s, now=night)
        unconfirmed = [d for k, d in await alerts(s) if k == "unconfirmed"]
        assert unconfirmed == [{"registration_ids": [seated[1].id, seated[2].id]}]
        rows = [r for r in await digests(s) if r.status == OutboxStatus.PENDING]
        # The digest already waiting for the morning (the lagging alert) is brought forward to now.
        assert [r.due_at for r in rows] == [night]


async def test_lagging_fires_once_from_the_configured_day(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await seats(s, BENGKULU, "stakeholder", range(3))
        await check_time_alerts(s, now=START - timedelta(days=15))
        assert [k for k, _ in await alerts(s) if k == "lagging"] == []
        await check_time_alerts(s, now=START - timedelta(days=14))
        await check_time_alerts(s, now=START - timedelta(days=13))
        lagging = [d for k, d in await alerts(s) if k == "lagging"]
        assert len(lagging) == 1
        # Every role is behind: 3 of 18 stakeholders, and each empty single seat.
        assert len(lagging[0]["roles"]) == 8 and [3, 18] in [r[1:] for r in lagging[0]["roles"]]
        ahead = await meetings_ahead(s, now=START - timedelta(days=13))
        assert ahead[0].meeting_code == BENGKULU and ahead[0].at_risk
        assert not any(r.at_risk for r in ahead[1:] if r.starts_at and r.starts_at > START)


async def test_tidak_hadir_and_a_lapsed_hold_report_where_the_seat_went(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2))
    async with sessions() as s, s.begin():
        await answer_attendance(s, seated.id, will_attend=False, now=START - timedelta(days=3))
        await lapse_expired_offers(s, now=START - timedelta(days=2))
        freed = [d for k, d in await alerts(s) if k == "seat_freed"]
        assert [(d["cause"], d["fate"]) for d in freed] == [("absent", "offered"), ("lapsed", "vacant")]
        assert freed[0]["to_registration_id"] == waiting.id


async def test_the_cause_of_a_freed_seat_is_the_one_its_caller_gives(sessions, program) -> None:
    from models.attendance import release_seat
    from models.roster import remove

    async with sessions() as s, s.begin():
        seated, first, second, third = await seats(s, BENGKULU, "pemustaka", range(4))
    async with sessions() as s, s.begin():
        await answer_attendance(s, seated.id, will_attend=False, now=START - timedelta(days=3))
        await release_seat(s, first.id, now=START - timedelta(days=3))
        await lapse_expired_offers(s, now=START - timedelta(days=2))
        await remove(
            s,
            meeting_id=third.meeting_id,
            registration_id=third.id,
            actor_user_id=PIC,
            reason="tidak memenuhi syarat",
            now=START - timedelta(days=2),
        )
        freed = [d for k, d in await alerts(s) if k == "seat_freed"]
        assert [(d["registration_id"], d["cause"]) for d in freed] == [
            (seated.id, "absent"),
            (first.id, "released"),
            (second.id, "lapsed"),
            (third.id, "removed"),
        ]


async def test_two_checks_recording_one_alert_at_once_record_it_once_and_both_commit(sessions, program) -> None:
    async def record(s, key: str) -> Alert | None:
        meeting, _ = await meeting_and_role(s, BENGKULU, "pemustaka")
        return await record_alert(s, meeting, AlertKind.LAGGING, key=key, now=T0)

    async def second() -> tuple[Alert | None, Alert | None]:
        async with sessions() as s, s.begin():
            return await record(s, "same"), await record(s, "other")

    async with sessions() as s, s.begin():
        assert await record(s, "same") is not None
        # The second check runs while the first is uncommitted: on PostgreSQL it finds no alert and
        # its insert waits on the unique key (on SQLite its transaction waits for the first).
        racing = asyncio.create_task(second())
        await asyncio.sleep(0.5)
    same, other = await asyncio.wait_for(racing, timeout=30)
    assert same is None and other is not None
    async with sessions() as s, s.begin():
        assert sorted(a.dedupe_key.rsplit(":", 1)[1] for a in await s.scalars(select(Alert))) == ["other", "same"]


async def test_blocking_the_bot_alerts_the_meetings_of_the_person(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, BENGKULU, "pemustaka", 0)
        await set_reachable(s, seated.participant.telegram_user_id, False, now=T0)
        await set_reachable(s, seated.participant.telegram_user_id, False, now=T0 + timedelta(hours=1))
        assert [d for k, d in await alerts(s) if k == "unreachable"] == [
            {"registration_id": seated.id, "status": "seated"}
        ]


async def test_a_revoked_pic_gets_nothing(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "pemustaka", 0)
        (row,) = await digests(s)
        pic = await s.scalar(select(PicAssignment))
        pic.revoked_at, pic.revoked_by = T0, 1
        assert await take_digest(s, row) is None


async def test_the_national_digest_is_planned_once_a_day_per_organizer(sessions, program) -> None:
    morning = datetime(2023, 7, 2, 0, 30, tzinfo=UTC)  # 07:30 WIB
    async with sessions() as s, s.begin():
        for later in (timedelta(0), timedelta(minutes=20), timedelta(minutes=30), timedelta(hours=5)):
            await plan_national_digest(s, now=morning + later, admin_ids=frozenset({1, 2}))
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.NATIONAL_DIGEST)))
        # 08:00 WIB today, planned ahead, then tomorrow's once today's moment has come.
        assert sorted((r.due_at, r.recipient_user_id) for r in rows) == [
            (datetime(2023, 7, 2, 1, 0, tzinfo=UTC), 1),
            (datetime(2023, 7, 2, 1, 0, tzinfo=UTC), 2),
            (datetime(2023, 7, 3, 1, 0, tzinfo=UTC), 1),
            (datetime(2023, 7, 3, 1, 0, tzinfo=UTC), 2),
        ]


def test_the_alerts_section_is_read_and_checked_with_line_numbers() -> None:
    base = "program: {code: demo, name: Demo}\nroles:\n  - {code: pemustaka, name: Pemustaka, seats: 1}\n"
    spec = parse_program(
        base + 'alerts:\n  threshold: 75%\n  quiet_hours: "22:00-06:00"\n  lagging_days: 10\n'
        '  digest_window: 30m\n  national_digest: "07:30"\n'
    )
    assert spec.alert_rules == AlertRules(
        threshold=0.75,
        quiet_start=time(22),
        quiet_end=time(6),
        lagging_days=10,
        digest_window=timedelta(minutes=30),
        national_digest_at=time(7, 30),
    )
    assert AlertRules.from_json(spec.alert_rules.to_json()) == spec.alert_rules
    assert parse_program(base).alert_rules == AlertRules()
    with pytest.raises(ProgramFileError) as error:
        parse_program(base + "alerts:\n  threshold: 180%\n  quiet_hours: nachts\n  lagging_days: 0\n  sound: yes\n")
    message = str(error.value)
    assert "<program>:5: alerts.threshold: expected a share like 80% or 0.8, got '180%'" in message
    assert "<program>:6: alerts.quiet_hours" in message and "<program>:7: alerts.lagging_days" in message
    assert "<program>:8: alerts.sound: unknown field" in message


def test_the_threshold_mark_and_quiet_hours() -> None:
    rules = AlertRules()
    assert [rules.threshold_seats(n) for n in (1, 2, 5, 18)] == [1, 2, 4, 15]
    zone = __import__("zoneinfo").ZoneInfo("Asia/Makassar")
    evening = datetime(2023, 7, 10, 14, 0, tzinfo=UTC)  # 22:00 WITA
    assert rules.outside_quiet_hours(evening, zone) == datetime(2023, 7, 10, 23, 0, tzinfo=UTC)  # 07:00 WITA
    early = datetime(2023, 7, 10, 21, 0, tzinfo=UTC)  # 05:00 WITA, 11 July
    assert rules.outside_quiet_hours(early, zone) == datetime(2023, 7, 10, 23, 0, tzinfo=UTC)
    noon = datetime(2023, 7, 10, 4, 0, tzinfo=UTC)
    assert rules.outside_quiet_hours(noon, zone) == noon


async def test_a_move_by_staff_reports_the_seat_left_behind_and_the_role_it_fills(sessions, program) -> None:
    from models.roster import move

    async with sessions() as s, s.begin():
        seated = await seats(s, BENGKULU, "stakeholder", range(18))
        waiting = await seat(s, BENGKULU, "stakeholder", 30)
        _, pemustaka = await meeting_and_role(s, BENGKULU, "pemustaka")
        await move(
            s,
            meeting_id=seated[0].meeting_id,
            registration_id=seated[0].id,
            role_id=pemustaka.id,
            actor_user_id=PIC,
            reason="salah pilih peran",
            now=T0,
        )
        found = await alerts(s)
        freed = [d for k, d in found if k == "seat_freed"]
        assert [(d["cause"], d["fate"], d["to_registration_id"]) for d in freed] == [("moved", "promoted", waiting.id)]
        assert found[-1] == ("full", {"taken": 1, "seats": 1})


async def test_the_counts_an_alert_reports_are_the_roles_after_the_change(sessions, program) -> None:
    from models.attendance import take_seat
    from models.registration import role_availability

    reported: list[tuple[str, dict]] = []
    seen = 0

    async def check(s) -> None:
        # The seat operations hand the alerts the counts they made; a recount must find the same.
        nonlocal seen
        new = list(await s.scalars(select(Alert).where(Alert.id > seen).order_by(Alert.id)))
        for alert in new:
            fill = await role_availability(s, alert.meeting_id, alert.role_id)
            counts = {"taken": fill.taken, "seats": fill.seats, "waiting": fill.waitlisted}
            assert {k: v for k, v in alert.details.items() if k in counts} == {
                k: counts[k] for k in alert.details if k in counts
            }, (alert.kind, alert.details)
            reported.append((alert.kind.value, alert.details))
            seen = alert.id

    async with sessions() as s, s.begin():
        people = []
        for n in range(20):
            people += await seats(s, BENGKULU, "stakeholder", [n])
            await check(s)
        seated = people[:18]
        for gone in seated[:3]:
            await cancel(s, gone.id, now=T0)
            await check(s)
        await seats(s, BENGKULU, "stakeholder", [40, 41])
        await check(s)
    async with sessions() as s, s.begin():
        answer = await answer_attendance(s, seated[3].id, will_attend=False, now=START - timedelta(days=3))
        await check(s)
        await lapse_expired_offers(s, now=START - timedelta(days=2))
        await check(s)
        assert answer.freed_seat is not None and answer.freed_seat.offered is not None
        await take_seat(s, answer.freed_seat.offered.id, now=START - timedelta(days=2))
        await check(s)
    assert [(kind, d.get("fate"), d.get("taken"), d.get("waiting")) for kind, d in reported] == [
        ("threshold", None, 15, None),
        ("full", None, 18, None),
        ("waitlist_grew", None, None, 1),
        ("waitlist_grew", None, None, 2),
        ("seat_freed", "promoted", 18, 1),
        ("seat_freed", "promoted", 18, 0),
        ("seat_freed", "vacant", 17, 0),
        ("full", None, 18, None),
        ("waitlist_grew", None, None, 1),
        ("seat_freed", "offered", 18, 0),
        ("seat_freed", "vacant", 17, 1),
        ("full", None, 18, None),
    ]


async def test_a_digest_keeps_only_what_is_still_true_when_it_is_sent(sessions, program) -> None:
    nudge = datetime(2023, 7, 25, 2, 0, tzinfo=UTC)  # 09:00 WIB the day before
    async with sessions() as s, s.begin():
        # 4 of 5 (the 80% mark) and then 5 of 5 within one window: one line for the role, as it is.
        await seats(s, BENGKULU, "tim_sinergi", range(5))
        (row,) = await digests(s)
        digest = await current_digest(s, row, now=T0 + timedelta(minutes=10))
        assert digest is not None and [(a.kind, a.role_id) for a in digest.alerts] == [
            ("full", digest.alerts[0].role_id)
        ]
        assert [k for k, _ in await alerts(s)] == ["threshold", "full"]
        row.status = OutboxStatus.SENT
    async with sessions() as s, s.begin():
        seated = await seats(s, BENGKULU, "stakeholder", range(10, 13), now=START - timedelta(days=20))
        await check_time_alerts(s, now=START - timedelta(days=14))
        await seat(s, BENGKULU, "rm_desa", 20, START - timedelta(days=14))
        row = (await digests(s))[-1]
        digest = await current_digest(s, row, now=START - timedelta(days=14) + timedelta(minutes=10))
        assert digest is not None
        # Still behind, but no longer for the village seat filled since the check.
        assert "lagging" in [a.kind for a in digest.alerts]
        assert "rm_desa" not in {fill.role.code for fill in digest.behind}
        assert {"stakeholder", "rm_dispusip"} <= {fill.role.code for fill in digest.behind}
        row.status = OutboxStatus.SENT
    async with sessions() as s, s.begin():
        await check_time_alerts(s, now=nudge)
        row = next(r for r in await digests(s) if r.status == OutboxStatus.PENDING)
        # Everyone answers before the digest goes: nobody is left to chase, and the alert is dropped.
        everyone = list(
            await s.scalars(
                select(Registration.id).where(
                    Registration.meeting_id == seated[0].meeting_id, Registration.status == "seated"
                )
            )
        )
        for registration_id in everyone[:-1]:
            await answer_attendance(s, registration_id, will_attend=True, now=nudge)
        digest = await current_digest(s, row, now=nudge)
        assert digest is not None and digest.unconfirmed == everyone[-1:]
        await answer_attendance(s, everyone[-1], will_attend=True, now=nudge)
        assert await current_digest(s, row, now=nudge) is None


async def test_the_alerts_of_a_meeting_without_a_pic_go_to_the_organizers_until_one_is_appointed(
    sessions, program
) -> None:
    aceh, organizers = "shm23-aceh", frozenset({901, 902})
    async with sessions() as s, s.begin():
        await seat(s, aceh, "pemustaka", 1)
        assert [
            r for r in await digests(s) if r.subject_id != (await meeting_and_role(s, BENGKULU, "pemustaka"))[0].id
        ] == []
        # The periodic check, three minutes later, hands the alert to each organizer, in a window from the alert.
        await check_time_alerts(s, now=T0 + timedelta(minutes=3), admin_ids=organizers)
        await check_time_alerts(s, now=T0 + timedelta(minutes=4), admin_ids=organizers)
        rows = await digests(s)
        assert sorted(r.recipient_user_id for r in rows) == [901, 902]
        assert {r.due_at for r in rows} == {T0 + timedelta(minutes=10)}
        digest = await current_digest(s, rows[0], now=T0 + timedelta(minutes=10))
        assert digest is not None and digest.for_organizers and not digest.pic_appointed
        assert [a.kind for a in digest.alerts] == ["full"]
        # A PIC is appointed before the other organizer's digest goes: it says so, and later alerts are the PIC's.
        await make_pic(s, aceh, 903, now=T0 + timedelta(minutes=11))
        later = await current_digest(s, rows[1], now=T0 + timedelta(minutes=11))
        assert later is not None and later.pic_appointed
        await seat(s, aceh, "rm_desa", 2, T0 + timedelta(minutes=12))
        await check_time_alerts(s, now=T0 + timedelta(minutes=13), admin_ids=organizers)
        fresh = [r for r in await digests(s) if r not in rows]
        assert [r.recipient_user_id for r in fresh] == [903]


def test_still_news_merges_a_roles_crossings_and_drops_what_is_no_longer_true() -> None:
    rules = AlertRules()
    role = Role(id=5, code="tim_sinergi", name="Tim Sinergi Provinsi", seats=5)

    def alert(n: int, kind: AlertKind, **details: object) -> Alert:
        return Alert(id=n, kind=kind, role_id=5 if kind != AlertKind.UNREACHABLE else None, details=details)

    threshold, full = alert(1, AlertKind.THRESHOLD), alert(2, AlertKind.FULL)
    blocked, unblocked = (alert(n, AlertKind.UNREACHABLE, registration_id=n) for n in (3, 4))
    lagging = [alert(6, AlertKind.LAGGING), alert(7, AlertKind.LAGGING)]
    everything = [threshold, full, blocked, unblocked, *lagging]
    now_full = {5: RoleAvailability(role, seats=5, seated=5, waitlisted=0)}
    # Full overtakes the threshold; the person who unblocked the bot since is left out; one lagging line.
    assert still_news(everything, now_full, [now_full[5]], [], {3}, rules) == [full, blocked, lagging[-1]]
    # Back under the 80% mark (a seat left empty) and no longer behind: neither line is true any more.
    below = {5: RoleAvailability(role, seats=5, seated=3, waitlisted=0)}
    assert still_news(everything, below, [], [], {3}, rules) == [blocked]
