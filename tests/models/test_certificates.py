"""Certificates: only for people checked in, only after the end, once, numbered uniquely; late check-ins and the evaluation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.certificates import (
    SWEEP_PERIOD,
    Certificate,
    certificate_number,
    certificate_of,
    issue_due,
    issue_for,
    next_certificate_at,
    verify,
)
from models.check_in import check_in
from models.evaluation import EvaluationProgress
from models.meeting_day_settings import CERTIFICATE_PREFIX, CertificateSettings
from models.outbox import MessageKind, OutboxMessage
from models.personal_data import erase_person
from models.program import ASSUMED_LENGTH, Meeting, Program
from models.registration import CheckInWay
from tests.models.factories import seats

pytestmark = pytest.mark.usefixtures("program")

BENGKULU = "shm23-bengkulu"
# Bengkulu (WIB, UTC+7), 26 July 2023 09:00-16:00 local: 02:00-09:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 777


async def _certificate_messages(s) -> list[tuple[int | None, datetime]]:
    rows = await s.execute(
        select(OutboxMessage.registration_id, OutboxMessage.due_at)
        .where(OutboxMessage.kind == MessageKind.CERTIFICATE)
        .order_by(OutboxMessage.id)
    )
    return [(registration_id, due_at) for registration_id, due_at in rows]


async def test_only_people_checked_in_get_one_once_the_meeting_has_ended(sessions) -> None:
    async with sessions() as s, s.begin():
        came, absent = await seats(s, BENGKULU, "stakeholder", [1, 2])
        await check_in(s, came.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert await next_certificate_at(s, now=START) == END
        assert await issue_due(s, now=END - timedelta(seconds=1)) == 0
        assert await certificate_of(s, came.id) is None
        assert await issue_due(s, now=END) == 1
        certificate = await certificate_of(s, came.id)
        assert certificate is not None and certificate.issued_at == END
        assert await certificate_of(s, absent.id) is None
        assert await _certificate_messages(s) == [(came.id, END)]
        assert await next_certificate_at(s, now=END) is None

        # Another sweep, later: nothing issued or planned twice.
        assert await issue_due(s, now=END + timedelta(hours=1)) == 0
        assert await issue_for(s, came, now=END + timedelta(hours=2)) == certificate
        assert len(await _certificate_messages(s)) == 1


async def test_numbers_are_the_meetings_sequence_and_tokens_are_random(sessions) -> None:
    async with sessions() as s, s.begin():
        people = await seats(s, BENGKULU, "stakeholder", [1, 2, 3])
        for minutes, registration in enumerate(people):
            await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START + timedelta(minutes=minutes))
        assert await issue_due(s, now=END) == 3
        issued = [await certificate_of(s, r.id) for r in people]
        assert [c.number for c in issued if c] == [f"SHM-PROVINSI-2023-SHM23-BENGKULU-{n:04d}" for n in (1, 2, 3)]
        tokens = {c.verify_token for c in issued if c}
        assert len(tokens) == 3 and all(len(CERTIFICATE_PREFIX + t) <= 64 for t in tokens)
        first = issued[0]
        assert first is not None and (await verify(s, first.payload)) == first

        # An erased person's certificate is gone, and their number is not given to the next one.
        await erase_person(s, 10_003, now=END + timedelta(hours=1))
        assert await verify(s, CERTIFICATE_PREFIX + issued[2].verify_token) is None  # type: ignore[union-attr]
        assert await verify(s, CERTIFICATE_PREFIX + "forged-token") is None
        assert await verify(s, "sert") is None
        assert len((await s.scalars(select(Certificate))).all()) == 2


def test_a_number_too_long_keeps_the_meeting_code_alone() -> None:
    assert certificate_number("p" * 40, "m" * 40, 7) == "M" * 40 + "-0007"


async def test_a_check_in_corrected_after_the_end_issues_the_certificate_then(sessions) -> None:
    async with sessions() as s, s.begin():
        early, late, night = await seats(s, BENGKULU, "stakeholder", [1, 2, 3])
        await check_in(s, early.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert await issue_due(s, now=END) == 1
        corrected = END + timedelta(days=1)
        await check_in(s, late.id, way=CheckInWay.ROSTER, by=PIC, now=corrected)
        certificate = await certificate_of(s, late.id)
        assert certificate is not None and certificate.number.endswith("-0002")
        # At 22:00 WIB the message waits for the morning's waking hours (07:00 WIB).
        evening = datetime(2023, 7, 27, 15, 0, tzinfo=UTC)
        await check_in(s, night.id, way=CheckInWay.ROSTER, by=PIC, now=evening)
        assert await _certificate_messages(s) == [
            (early.id, END),
            (late.id, corrected),
            (night.id, datetime(2023, 7, 28, 0, 0, tzinfo=UTC)),
        ]
        # A check-in during the meeting issues nothing yet.
        during = await seats(s, BENGKULU, "tim_sinergi", [4])
        await check_in(s, during[0].id, way=CheckInWay.CODE, by=PIC, now=START)
        assert await certificate_of(s, during[0].id) is None


async def test_after_the_evaluation_the_certificate_waits_for_it_to_be_finished(sessions) -> None:
    async with sessions() as s, s.begin():
        program = await s.scalar(select(Program))
        assert program is not None and program.meeting_day.evaluation, "the shipped program has an evaluation"
        program.certificate = replace(CertificateSettings(), after_evaluation=True).to_json()
        answering, silent = await seats(s, BENGKULU, "stakeholder", [1, 2])
        for registration in (answering, silent):
            await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert await issue_due(s, now=END) == 0
        assert await next_certificate_at(s, now=END) is None  # nothing to wake up for: they wait for the answers
        progress = EvaluationProgress(registration_id=answering.id, asked_at=END, answers={})
        s.add(progress)
        await s.flush()
        assert await issue_due(s, now=END + timedelta(minutes=5)) == 0
        progress.finished_at = END + timedelta(minutes=10)
        await s.flush()
        assert await next_certificate_at(s, now=END + timedelta(minutes=10)) == END
        certificate = await issue_for(s, answering, now=END + timedelta(minutes=10))
        assert certificate is not None
        assert await issue_due(s, now=END + timedelta(minutes=11)) == 0
        assert await certificate_of(s, silent.id) is None

        # Without an evaluation the setting has no effect.
        program.evaluation = None
        await s.flush()
        assert await issue_due(s, now=END + timedelta(hours=1)) == 1
        assert await certificate_of(s, silent.id) is not None


async def test_a_meeting_without_an_end_ends_eight_hours_after_its_start(sessions) -> None:
    async with sessions() as s, s.begin():
        (registration,) = await seats(s, BENGKULU, "stakeholder", [1])
        await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        meeting = await s.get_one(Meeting, registration.meeting_id)
        meeting.ends_at = None
        await s.flush()
        assert await next_certificate_at(s, now=START) == START + ASSUMED_LENGTH
        assert await issue_due(s, now=START + ASSUMED_LENGTH - timedelta(minutes=1)) == 0
        assert await issue_due(s, now=START + ASSUMED_LENGTH) == 1


async def test_one_sweep_issues_a_batch_and_the_next_one_the_rest(sessions, monkeypatch) -> None:
    monkeypatch.setattr("models.certificates.ISSUE_BATCH", 2)
    async with sessions() as s, s.begin():
        people = await seats(s, BENGKULU, "stakeholder", [1, 2, 3])
        for registration in people:
            await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert [await issue_due(s, now=END) for _ in range(3)] == [2, 1, 0]
        assert len(await _certificate_messages(s)) == 3


async def test_the_sweep_serves_a_meeting_ended_while_the_bot_was_down_not_one_ended_long_ago(sessions) -> None:
    async with sessions() as s, s.begin():
        (came,) = await seats(s, BENGKULU, "stakeholder", [1])
        await check_in(s, came.id, way=CheckInWay.CODE, by=PIC, now=START)
        # Long after the sweep's period nothing is looked at, nor woken for.
        late = END + SWEEP_PERIOD + timedelta(seconds=1)
        assert await next_certificate_at(s, now=late) is None
        assert await issue_due(s, now=late) == 0
        # Back a day after the end: the moment is past and acted on at once.
        back = END + timedelta(days=1)
        assert await next_certificate_at(s, now=back) == END
        assert await issue_due(s, now=back) == 1
        assert await next_certificate_at(s, now=back) is None


async def test_an_evaluation_finished_after_the_period_still_brings_its_certificate(sessions) -> None:
    async with sessions() as s, s.begin():
        program = await s.scalar(select(Program))
        assert program is not None
        program.certificate = replace(CertificateSettings(), after_evaluation=True).to_json()
        (late,) = await seats(s, BENGKULU, "stakeholder", [1])
        await check_in(s, late.id, way=CheckInWay.CODE, by=PIC, now=START)
        asked = END + SWEEP_PERIOD - timedelta(days=1)
        progress = EvaluationProgress(registration_id=late.id, asked_at=asked, answers={})
        s.add(progress)
        await s.flush()
        answered = END + SWEEP_PERIOD + timedelta(days=3)
        assert await issue_due(s, now=answered) == 0
        progress.finished_at = answered
        await s.flush()
        assert await next_certificate_at(s, now=answered) == END
        assert await issue_due(s, now=answered) == 1
        assert await next_certificate_at(s, now=answered) is None
