"""The evaluation: asked once of the people checked in after the end, answered once, kept without names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.check_in import check_in, has_ended
from models.evaluation import (
    ASK_PERIOD,
    EvaluationProgress,
    EvaluationResponse,
    EvaluationScore,
    Outcome,
    ask_evaluations,
    comment,
    finish,
    meeting_results,
    national_results,
    next_evaluation_at,
    rate,
)
from models.meeting_day_settings import MIN_ANSWERS_SHOWN
from models.outbox import EARLIEST_PLANNED, MessageKind, OutboxMessage
from models.personal_data import erase_person
from models.program import ASSUMED_LENGTH, Program
from models.registration import CheckInWay, Registration
from tests.models.factories import seats

pytestmark = pytest.mark.usefixtures("program")

# Bengkulu and Jawa Tengah (WIB, UTC+7), 26 July 2023 09:00-16:00 local: 02:00-09:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 777
# The shipped program's evaluation: three statements, then a comment.
QUESTIONS = 3


def user_of(registration: Registration) -> int:
    user_id = registration.participant.telegram_user_id
    assert user_id is not None
    return user_id


async def checked_in(s, meeting_code: str, people: list[int], checked: int | None = None) -> list[Registration]:
    """People seated at the meeting, the first `checked` of them (all by default) checked in at the start."""
    registrations = await seats(s, meeting_code, "stakeholder", people)
    for registration in registrations[: len(people) if checked is None else checked]:
        done = await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert done is not None and done.recorded
    return registrations


async def answer_all(s, registration: Registration, scores: tuple[int, ...], text: str | None, now: datetime) -> None:
    for n, score in enumerate(scores):
        step = await rate(s, registration.id, n, score, now=now, by=user_of(registration))
        assert step.outcome in (Outcome.NEXT, Outcome.COMMENT), step
    step = await (
        comment(s, registration.id, text, now=now) if text is not None else finish(s, registration.id, now=now)
    )
    assert step.outcome == Outcome.FINISHED


async def test_asked_once_only_the_people_checked_in_and_only_after_the_end(sessions) -> None:
    async with sessions() as s, s.begin():
        first, second, absent = await checked_in(s, "shm23-bengkulu", [1, 2, 3], checked=2)
        assert await next_evaluation_at(s, now=START) == END
        assert not has_ended(first.meeting, END - timedelta(seconds=1)) and has_ended(first.meeting, END)
        assert await ask_evaluations(s, now=END - timedelta(seconds=1)) == 0
        assert await ask_evaluations(s, now=END) == 2
        assert await ask_evaluations(s, now=END + timedelta(hours=1)) == 0
        assert await next_evaluation_at(s, now=END + timedelta(hours=1)) is None
        asked = await s.scalars(select(EvaluationProgress.registration_id).order_by(EvaluationProgress.registration_id))
        assert list(asked) == [first.id, second.id]
        messages = (await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.EVALUATION))).all()
        assert sorted(m.registration_id for m in messages) == [first.id, second.id]
        # 16:00 WIB is within waking hours: due at once; the question makes sense for 30 days.
        assert {(m.due_at, m.expires_at) for m in messages} == {(END, END + timedelta(days=30))}
        assert absent.id not in {m.registration_id for m in messages}

        # A forgotten check-in corrected afterwards: that person is asked then, once.
        await check_in(s, absent.id, way=CheckInWay.ROSTER, by=PIC, now=END + timedelta(days=1))
        assert await next_evaluation_at(s, now=END + timedelta(days=1)) == END
        assert await ask_evaluations(s, now=END + timedelta(days=1)) == 1
        assert await ask_evaluations(s, now=END + timedelta(days=1)) == 0


async def test_a_program_without_an_evaluation_asks_nobody(sessions) -> None:
    async with sessions() as s, s.begin():
        await checked_in(s, "shm23-bengkulu", [1])
        program = await s.scalar(select(Program))
        assert program is not None
        program.evaluation = None
        await s.flush()
        assert await next_evaluation_at(s, now=END + timedelta(days=1)) is None
        assert await ask_evaluations(s, now=END + timedelta(days=1)) == 0


async def test_an_evening_end_asks_the_next_morning(sessions) -> None:
    async with sessions() as s, s.begin():
        (registration,) = await checked_in(s, "shm23-bengkulu", [1])
        # Ended at 21:00 WIB: asked at 07:00 WIB the next morning.
        registration.meeting.ends_at = datetime(2023, 7, 26, 14, 0, tzinfo=UTC)
        await s.flush()
        assert await ask_evaluations(s, now=datetime(2023, 7, 26, 14, 0, tzinfo=UTC)) == 1
        message = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.EVALUATION))
        assert message is not None and message.due_at == datetime(2023, 7, 27, 0, 0, tzinfo=UTC)


async def test_rating_goes_question_by_question_and_a_double_tap_or_a_forged_press_changes_nothing(sessions) -> None:
    async with sessions() as s, s.begin():
        registration, other = await checked_in(s, "shm23-bengkulu", [1, 2])
        user = user_of(registration)
        now = END + timedelta(minutes=5)
        # Not asked yet: nothing to rate.
        assert (await rate(s, registration.id, 0, 4, now=now, by=user)).outcome == Outcome.STALE
        await ask_evaluations(s, now=END)

        step = await rate(s, registration.id, 0, 4, now=now, by=user)
        assert (step.outcome, step.index) == (Outcome.NEXT, 1)
        # The same tap again, and another score for the same statement: recorded once, as first given.
        for score in (4, 2):
            again = await rate(s, registration.id, 0, score, now=now, by=user)
            assert (again.outcome, again.index) == (Outcome.REPEATED, 1)
        # A statement not asked yet, a score off the scale, someone else's evaluation, a registration never asked.
        assert (await rate(s, registration.id, 2, 5, now=now, by=user)).outcome == Outcome.STALE
        assert (await rate(s, registration.id, 1, 6, now=now, by=user)).outcome == Outcome.STALE
        assert (await rate(s, registration.id, 1, 5, now=now, by=user_of(other))).registration is None
        assert (await rate(s, 999_999, 0, 5, now=now, by=user)).outcome == Outcome.STALE
        # The comment is not taken before the last statement is rated; nor is a skip.
        assert (await comment(s, registration.id, "Bagus", now=now, by=user)).outcome == Outcome.STALE
        assert (await finish(s, registration.id, now=now, by=user)).outcome == Outcome.STALE
        progress = await s.get(EvaluationProgress, registration.id)
        assert progress is not None and progress.answers == {"materi": 4}

        assert (await rate(s, registration.id, 1, 3, now=now, by=user)).outcome == Outcome.NEXT
        last = await rate(s, registration.id, 2, 5, now=now, by=user)
        assert (last.outcome, last.index, last.asks_comment) == (Outcome.COMMENT, QUESTIONS, True)
        assert (await comment(s, registration.id, "   ", now=now, by=user)).outcome == Outcome.EMPTY
        assert (await comment(s, registration.id, "x" * 1001, now=now, by=user)).outcome == Outcome.TOO_LONG
        done = await comment(s, registration.id, "Materi & narasumber bagus", now=now, by=user)
        assert done.outcome == Outcome.FINISHED
        # Whoever commits wakes the outbox: a certificate may wait for this.
        assert s.info[EARLIEST_PLANNED] <= now

        # Finished: a button of the old message, a skip, another comment change nothing.
        assert (await rate(s, registration.id, 0, 1, now=now, by=user)).outcome == Outcome.DONE
        assert (await finish(s, registration.id, now=now, by=user)).outcome == Outcome.DONE
        assert (await comment(s, registration.id, "Lagi", now=now, by=user)).outcome == Outcome.DONE
        responses = (await s.scalars(select(EvaluationResponse))).all()
        assert [r.comment for r in responses] == ["Materi & narasumber bagus"]
        scores = await s.execute(
            select(EvaluationScore.question_code, EvaluationScore.score).order_by(EvaluationScore.id)
        )
        assert list(scores) == [("materi", 4), ("narasumber", 3), ("tindak_lanjut", 5)]


async def test_a_finished_evaluation_is_kept_without_anything_that_leads_back_to_the_person(sessions) -> None:
    # No column of the result tables refers to a registration, a participant or a conversation.
    for table in (EvaluationResponse.__table__, EvaluationScore.__table__):
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert targets <= {"meeting", "evaluation_response"}, targets
        assert not {"registration_id", "participant_id", "telegram_user_id"} & set(table.columns.keys())
    async with sessions() as s, s.begin():
        (registration,) = await checked_in(s, "shm23-bengkulu", [1])
        await ask_evaluations(s, now=END)
        await answer_all(s, registration, (5, 4, 3), None, datetime(2023, 7, 27, 5, 43, 21, tzinfo=UTC))
        response = await s.scalar(select(EvaluationResponse))
        assert response is not None and response.comment is None and response.meeting_id == registration.meeting_id
        # The day only, on both sides: the moment would pair the response with the person's progress.
        assert response.submitted_on == datetime(2023, 7, 27, tzinfo=UTC)
        progress = await s.get(EvaluationProgress, registration.id)
        assert (
            progress is not None
            and progress.answers == {}
            and progress.finished_at == datetime(2023, 7, 27, tzinfo=UTC)
        )


async def test_finished_the_day_it_was_asked_is_never_before_the_question(sessions) -> None:
    async with sessions() as s, s.begin():
        (registration,) = await checked_in(s, "shm23-bengkulu", [1])
        await ask_evaluations(s, now=END)
        await answer_all(s, registration, (5, 4, 3), "Bagus", END + timedelta(minutes=17, seconds=3))
        progress = await s.get(EvaluationProgress, registration.id)
        # Midnight would come before the end; the moment asked is the meeting's, not the person's.
        assert progress is not None and progress.finished_at == END


async def test_fewer_than_five_answers_show_counts_only(sessions) -> None:
    async with sessions() as s, s.begin():
        people = await checked_in(s, "shm23-bengkulu", list(range(1, 8)))
        await ask_evaluations(s, now=END)
        for n, registration in enumerate(people[: MIN_ANSWERS_SHOWN - 1]):
            await answer_all(s, registration, (4, 4, 2), f"Komentar {n}", END)
        results = await meeting_results(s, people[0].meeting_id)
        assert results is not None
        assert (results.asked, results.answers, results.shown) == (7, 4, False)
        assert [q.average for q in results.questions] == [None, None, None]
        assert results.comments == ()

        await answer_all(s, people[4], (5, 3, 2), None, END)
        results = await meeting_results(s, people[0].meeting_id)
        assert results is not None and (results.answers, results.shown) == (5, True)
        assert [q.average for q in results.questions] == [pytest.approx(4.2), pytest.approx(3.8), 2.0]
        assert [q.answers for q in results.questions] == [5, 5, 5]
        assert results.comments == tuple(f"Komentar {n}" for n in range(4))


async def test_the_national_average_leaves_out_meetings_with_counts_only(sessions) -> None:
    async with sessions() as s, s.begin():
        bengkulu = await checked_in(s, "shm23-bengkulu", list(range(1, 6)))
        semarang = await checked_in(s, "shm23-jawa-tengah", [11, 12])
        await ask_evaluations(s, now=END)
        for registration in bengkulu:
            await answer_all(s, registration, (4, 3, 5), None, END)
        await answer_all(s, semarang[0], (1, 1, 1), "Kurang", END)
        program = await s.scalar(select(Program))
        assert program is not None
        national = await national_results(s, program)
        assert (national.asked, national.answers, national.pooled, national.shown) == (7, 6, 5, True)
        # Semarang's one answer is counted but not averaged in: the national figure would give it away.
        assert [q.average for q in national.questions] == [4.0, 3.0, 5.0]
        by_meeting = {r.meeting_id: r for r in national.meetings}
        assert by_meeting[semarang[0].meeting_id].answers == 1 and not by_meeting[semarang[0].meeting_id].shown
        assert by_meeting[semarang[0].meeting_id].comments == ()
        assert len(national.meetings) == 38


async def test_erasing_a_person_keeps_their_finished_answers_and_forgets_one_in_progress(sessions) -> None:
    async with sessions() as s, s.begin():
        done, half = await checked_in(s, "shm23-bengkulu", [1, 2])
        await ask_evaluations(s, now=END)
        await answer_all(s, done, (5, 5, 5), "Bagus", END)
        assert (await rate(s, half.id, 0, 2, now=END, by=user_of(half))).outcome == Outcome.NEXT
        half_user, meeting_id = user_of(half), half.meeting_id
        for user in (user_of(done), half_user):
            await erase_person(s, user, now=END + timedelta(hours=1))
        s.expunge_all()
        # What was answered in full has no one behind it and stays; the half-answered progress is gone with its person.
        assert await s.scalar(select(func.count()).select_from(EvaluationProgress)) == 0
        response = await s.scalar(select(EvaluationResponse))
        assert response is not None and response.comment == "Bagus" and response.meeting_id == meeting_id
        assert (await rate(s, half.id, 1, 2, now=END, by=half_user)).outcome == Outcome.STALE


async def test_a_meeting_given_no_end_asks_when_its_assumed_day_is_over(sessions) -> None:
    async with sessions() as s, s.begin():
        (person,) = await checked_in(s, "shm23-bengkulu", [1], checked=1)
        meeting = person.meeting
        meeting.ends_at = None
        await s.flush()
        over = START + ASSUMED_LENGTH
        assert await next_evaluation_at(s, now=START) == over
        assert not has_ended(meeting, over - timedelta(seconds=1)) and has_ended(meeting, over)
        assert await ask_evaluations(s, now=over - timedelta(seconds=1)) == 0
        assert await ask_evaluations(s, now=over) == 1
        message = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.EVALUATION))
        assert message is not None and message.expires_at == over + timedelta(days=30)


async def test_a_meeting_ended_while_the_bot_was_down_is_asked_one_ended_long_ago_is_not(sessions) -> None:
    async with sessions() as s, s.begin():
        (person,) = await checked_in(s, "shm23-bengkulu", [1])
        # Past the question's period nothing is asked, nor woken for (the question would be missed).
        late = END + ASK_PERIOD + timedelta(seconds=1)
        assert await next_evaluation_at(s, now=late) is None
        assert await ask_evaluations(s, now=late) == 0
        # Back two days after the end: the moment is past and acted on at once.
        back = END + timedelta(days=2)
        assert await next_evaluation_at(s, now=back) == END
        assert await ask_evaluations(s, now=back) == 1
        assert await next_evaluation_at(s, now=back) is None
        message = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.EVALUATION))
        assert message is not None and message.registration_id == person.id
        assert message.expires_at == END + ASK_PERIOD
