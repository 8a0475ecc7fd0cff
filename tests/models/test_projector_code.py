"""The projector's meeting code: shown in the meeting's hours only, replaced every ten minutes, never made up."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.check_in import CheckInOutcome
from models.meeting_day_settings import PROJECTOR_PREFIX
from models.not_checked_in import not_checked_in, plan_not_checked_in
from models.outbox import MessageKind, OutboxMessage
from models.program import meeting_by_code
from models.projector_code import (
    ROTATION,
    ScanOutcome,
    meeting_of_code,
    payload_for,
    projector_code,
    scan_projector_code,
)
from models.registration import CheckInWay
from models.seats import cancel
from tests.models.factories import make_pic, seat, seats

pytestmark = pytest.mark.usefixtures("program")

BENGKULU = "shm23-bengkulu"
# Bengkulu (WIB, UTC+7), 26 July 2023 09:00-16:00 local: 02:00-09:00 UTC; self check-in from 01:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def _code(s, now):
    meeting = await meeting_by_code(s, BENGKULU)
    assert meeting is not None
    return await projector_code(s, meeting, now)


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        (START - timedelta(hours=1, seconds=1), False),
        (START - timedelta(hours=1), True),
        (START + timedelta(hours=3), True),
        (END - timedelta(seconds=1), True),
        (END, False),
    ],
)
async def test_the_code_is_shown_in_the_self_check_in_window_only(sessions, now, shown) -> None:
    async with sessions() as s, s.begin():
        code = await _code(s, now)
        assert (code is not None) == shown


async def test_the_code_is_a_short_payload_made_from_the_meetings_own_secret(sessions) -> None:
    async with sessions() as s, s.begin():
        code = await _code(s, START)
        assert code is not None
        assert code.payload.startswith(PROJECTOR_PREFIX) and PAYLOAD.fullmatch(code.payload), code.payload
        key = code.meeting.checkin_key
        assert key is not None and len(key) <= 64
        # The secret is made once: the same slot gives the same code.
        again = await _code(s, START + timedelta(minutes=9, seconds=59))
        assert again is not None and again.payload == code.payload and code.meeting.checkin_key == key
        assert code.replaced_at == START + ROTATION and code.valid_until == START + 2 * ROTATION
    # Even the longest ids and slots fit Telegram's 64 characters.
    assert len(payload_for(10**12 - 1, "k" * 43, 10**12 - 1)) <= 64


async def test_the_code_changes_every_ten_minutes_and_the_previous_one_is_still_taken(sessions) -> None:
    async with sessions() as s, s.begin():
        first = await _code(s, START)
        second = await _code(s, START + ROTATION)
        third = await _code(s, START + 2 * ROTATION)
        assert first is not None and second is not None and third is not None
        assert len({first.payload, second.payload, third.payload}) == 3
        # At the switch: the code just replaced is taken, the one before it is not.
        at = START + ROTATION + timedelta(minutes=5)
        meeting, refused = await meeting_of_code(s, first.payload, at)
        assert refused is None and meeting is not None and meeting.code == BENGKULU
        assert (await meeting_of_code(s, second.payload, at))[1] is None
        assert (await meeting_of_code(s, first.payload, START + 2 * ROTATION))[1] == ScanOutcome.EXPIRED
        # A code of a slot still to come is not one the bot showed.
        assert (await meeting_of_code(s, third.payload, at))[1] == ScanOutcome.FORGED


async def test_forged_codes_are_refused(sessions) -> None:
    async with sessions() as s, s.begin():
        code = await _code(s, START)
        assert code is not None
        aceh = await meeting_by_code(s, "shm23-aceh")
        assert aceh is not None
        prefix, mac = code.payload[:-16], code.payload[-16:]
        altered = prefix + ("A" if mac[0] != "A" else "B") + mac[1:]
        other_meeting = code.payload.replace(f"{PROJECTOR_PREFIX}{code.meeting.id}-", f"{PROJECTOR_PREFIX}{aceh.id}-")
        made_up = payload_for(code.meeting.id, "a guessed secret", int(START.timestamp()) // 600)
        for payload in (
            altered,
            other_meeting,
            made_up,
            PROJECTOR_PREFIX,
            PROJECTOR_PREFIX + "1-2",
            PROJECTOR_PREFIX + "x-1-" + mac,
            PROJECTOR_PREFIX + "999999-1-" + mac,
        ):
            meeting, refused = await meeting_of_code(s, payload, START)
            assert refused == ScanOutcome.FORGED, payload


async def test_a_seated_person_scanning_is_checked_in_once_and_others_are_told_why_not(sessions) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "rm_desa", [1, 2])
        cancelled = await seat(s, BENGKULU, "stakeholder", 3)
        await cancel(s, cancelled.id, now=START - timedelta(days=10))
        code = await _code(s, START)
        assert code is not None

        async def scan(n: int, now: datetime = START + timedelta(minutes=3), payload: str = code.payload):
            return await scan_projector_code(s, payload, telegram_user_id=10_000 + n, now=now)

        done = await scan(1)
        assert done.outcome == CheckInOutcome.CHECKED_IN and done.check_in is not None
        assert (seated.checked_in_via, seated.checked_in_by) == (CheckInWay.PROJECTOR, None)
        assert (await scan(1)).outcome == CheckInOutcome.ALREADY
        assert (await scan(2)).outcome == CheckInOutcome.WAITING
        assert (await scan(3)).outcome == CheckInOutcome.CANCELLED
        assert (await scan(4)).outcome == ScanOutcome.NOT_REGISTERED
        assert waiting.checked_in_at is None
        # Older than the slot before the current one: expired, and nobody is looked up.
        late = await scan(2, now=START + 2 * ROTATION)
        assert late.outcome == ScanOutcome.EXPIRED and late.check_in is None


async def test_a_code_from_the_last_minutes_scanned_after_the_end_is_too_late(sessions) -> None:
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "rm_desa", 1)
        code = await _code(s, END - timedelta(minutes=1))
        assert code is not None
        result = await scan_projector_code(s, code.payload, telegram_user_id=10_001, now=END + timedelta(minutes=2))
        assert result.outcome == CheckInOutcome.TOO_LATE


async def test_the_not_checked_in_alert_is_planned_once_an_hour_after_the_start(sessions) -> None:
    async with sessions() as s, s.begin():
        first, second = await seats(s, BENGKULU, "stakeholder", [1, 2])
        await make_pic(s, BENGKULU, 7001)
        assert await plan_not_checked_in(s, now=START + timedelta(minutes=59)) == 0
        code = await _code(s, START)
        assert code is not None
        await scan_projector_code(s, code.payload, telegram_user_id=10_001, now=START)
        assert [r.id for r in await not_checked_in(s, first.meeting_id)] == [second.id]
        assert await plan_not_checked_in(s, now=START + timedelta(hours=1), admin_ids=frozenset({1})) == 1
        assert await plan_not_checked_in(s, now=START + timedelta(hours=2), admin_ids=frozenset({1})) == 0
        rows = (await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.NOT_CHECKED_IN))).all()
        assert [(r.recipient_user_id, r.subject_id) for r in rows] == [(7001, first.meeting_id)]
        # After the end, nothing more is planned.
        assert await plan_not_checked_in(s, now=END, admin_ids=frozenset({1})) == 0


async def test_a_meeting_without_a_pic_has_its_not_checked_in_alert_sent_to_the_organizers(sessions) -> None:
    async with sessions() as s, s.begin():
        registration = await seat(s, BENGKULU, "stakeholder", 1)
        assert await plan_not_checked_in(s, now=START + timedelta(hours=1), admin_ids=frozenset({2, 1})) == 2
        rows = (await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.NOT_CHECKED_IN))).all()
        assert sorted((r.recipient_user_id, r.recipient_chat_id, r.subject_id) for r in rows) == [
            (1, 1, registration.meeting_id),
            (2, 2, registration.meeting_id),
        ]
        assert all(r.slot.startswith("not-checked-in-organizers-") for r in rows)


async def test_two_pics_showing_the_code_first_at_once_show_the_same_code(sessions) -> None:
    async def show() -> str:
        async with sessions() as s, s.begin():
            code = await _code(s, START)
            assert code is not None
            return code.payload

    first, second = await asyncio.gather(show(), show())
    assert first == second
