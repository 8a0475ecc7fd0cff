"""The evaluation after a meeting: statements rated 1-5 and a comment, kept without the person's name.

Who has been asked and how far they got is kept per registration (`EvaluationProgress`), so a
person answers once and can continue after a restart; what they answered is written to the result
tables (`EvaluationResponse`, `EvaluationScore`) only when they finish, with the meeting and nothing
that leads back to them, and their progress then forgets the answers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, Select, String, Text, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.free_text import clean_lines, has_visible_letters
from models.meeting_day_settings import MIN_ANSWERS_SHOWN, SCORES, EvaluationForm, Question
from models.outbox import MessageKind, note_planned
from models.outbox import plan as plan_message
from models.participant import Participant
from models.program import Meeting, Program, assumed_end, ended_by, meetings_ending_after
from models.provinces import PROVINCES
from models.registration import Registration, RegistrationStatus
from models.reminder_plan import ReminderPlan, Slot
from models.text_length import telegram_length


class EvaluationProgress(Base):
    """One checked-in person's evaluation: asked when, the answers so far, finished when."""

    __tablename__ = "evaluation_progress"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    asked_at: Mapped[datetime]
    # Question code -> score while the person answers; emptied once the response is written.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Indexed: the certificate sweep looks up the evaluations finished lately (`models.certificates`).
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class EvaluationResponse(Base):
    """One finished evaluation of one meeting: its comment, if any; no person, no registration."""

    __tablename__ = "evaluation_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    # The day only: a time to the second could be matched with when a person was seen answering.
    submitted_on: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(lazy="raise")


class EvaluationScore(Base):
    """One rating in a finished evaluation."""

    __tablename__ = "evaluation_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("evaluation_response.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(32))
    score: Mapped[int]


# ---------------------------------------------------------------- asking after the end

# The question still makes sense this long after the meeting's end; later it is recorded as missed.
# So only meetings ended within it are looked at: a meeting that ended while the bot was down is
# still asked, and the sweep's cost follows the last month's meetings, not every meeting ever held.
ASK_PERIOD = timedelta(days=30)
SLOT = "after_end"
# A comment longer than this is refused (counted as Telegram counts: it is shown to PICs in a message).
MAX_COMMENT = 1000


def _day(moment: datetime) -> datetime:
    """The day only, as midnight UTC: a time to the second could be matched with who answered when."""
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


async def _programs_with_form(session: AsyncSession) -> dict[int, EvaluationForm]:
    rows = await session.execute(select(Program.id, Program.evaluation).where(Program.evaluation.is_not(None)))
    forms = {program_id: EvaluationForm.from_json(data) for program_id, data in rows}
    return {program_id: form for program_id, form in forms.items() if form}


def _unasked(program_ids: Iterable[int]) -> Select[int, str, int, datetime | None, datetime | None]:
    """Checked-in people with a chat, of dated meetings of these programs, never asked: one rule for
    asking and for when to ask next, so a moment returned is always a moment acted on."""
    return (
        select(Registration.id, Meeting.province_code, Meeting.program_id, Meeting.starts_at, Meeting.ends_at)
        .select_from(Registration)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Registration.checked_in_at.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
            Participant.chat_id.is_not(None),
            Meeting.starts_at.is_not(None),
            Meeting.program_id.in_(list(program_ids)),
            ~exists().where(EvaluationProgress.registration_id == Registration.id),
        )
    )


def _waking(moment: datetime, plan: ReminderPlan, zone: ZoneInfo) -> datetime:
    """`moment`, or the next morning's waking hour when it falls at night in the meeting's zone."""
    local = moment.astimezone(zone)
    if plan.waking_from <= local.time() <= plan.waking_until:
        return moment
    day = local.date() if local.time() < plan.waking_from else local.date() + timedelta(days=1)
    return datetime.combine(day, plan.waking_from, zone).astimezone(UTC)


async def ask_evaluations(session: AsyncSession, *, now: datetime) -> int:
    """Ask each checked-in person of a meeting ended within ASK_PERIOD whose program has an evaluation, once;
    returns how many.

    The question is an outbox message (waking hours, rate limit, sent once), planned with the
    person's progress in one transaction: a person is asked once, however often this runs.
    """
    forms = await _programs_with_form(session)
    if not forms:
        return 0
    recent = await meetings_ending_after(session, now - ASK_PERIOD)
    if not recent:
        return 0
    rows = (
        await session.execute(
            _unasked(forms).where(ended_by(now), Registration.meeting_id.in_(recent)).order_by(Registration.id)
        )
    ).all()
    plans: dict[int, ReminderPlan] = {}
    for _, _, program_id, _, _ in rows:
        if program_id not in plans:
            program = await session.get(Program, program_id)
            plans[program_id] = ReminderPlan.from_json(program.reminder_plan if program else None)
    # Flushed once at the end, not before each message's dedupe check: a wave's end asks hundreds at
    # once inside the sender's claim transaction (each registration's key is its own, so none hides another).
    with session.no_autoflush:
        for registration_id, province_code, program_id, starts, ends in rows:
            end = assumed_end(starts, ends)
            assert end is not None, "asked only of dated meetings"
            zone = PROVINCES[province_code].zone
            session.add(EvaluationProgress(registration_id=registration_id, asked_at=now, answers={}))
            await plan_message(
                session,
                registration_id,
                MessageKind.EVALUATION,
                Slot(SLOT, _waking(now, plans[program_id], zone), _aware(end) + ASK_PERIOD),
                now=now,
            )
    if rows:
        await session.flush()
    return len(rows)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def next_evaluation_at(session: AsyncSession, *, now: datetime) -> datetime | None:
    """When someone is next to be asked: the earliest end, after ASK_PERIOD before `now`, of a meeting with
    checked-in people not asked yet (a past one: `ask_evaluations` asks them at once)."""
    forms = await _programs_with_form(session)
    if not forms:
        return None
    recent = await meetings_ending_after(session, now - ASK_PERIOD)
    if not recent:
        return None
    unasked = _unasked(forms).where(Registration.meeting_id.in_(recent)).subquery()
    # The earliest given end, and the earliest start of a meeting given none (its end assumed after it).
    given = await session.scalar(select(func.min(unasked.c.ends_at)))
    start = await session.scalar(select(func.min(unasked.c.starts_at)).where(unasked.c.ends_at.is_(None)))
    ends = [_aware(given) if given else None, assumed_end(_aware(start), None) if start else None]
    return min((end for end in ends if end is not None), default=None)


# ---------------------------------------------------------------- answering


class Outcome(enum.StrEnum):
    """What a press or a typed comment did."""

    # Recorded; `Step.index` is the question asked next.
    NEXT = "next"
    # Recorded; the comment is asked next (`Step.index` == number of questions).
    COMMENT = "comment"
    # Recorded and finished: the response is written.
    FINISHED = "finished"
    # That question was answered already (a double tap, an old message): nothing changed.
    REPEATED = "repeated"
    # Finished before: nothing changed.
    DONE = "done"
    # No such evaluation for this person, or a question or answer it does not ask now: nothing changed.
    STALE = "stale"
    # A comment over MAX_COMMENT, or of nothing visible: nothing changed, the comment is asked again.
    TOO_LONG = "too_long"
    EMPTY = "empty"


@dataclass(frozen=True)
class Step:
    """An outcome, the form and the question now asked (its index; the number of questions for the comment)."""

    outcome: Outcome
    form: EvaluationForm = field(default_factory=EvaluationForm)
    index: int = 0
    registration: Registration | None = None
    # The statement answered last and its score (index, score), shown above the next question.
    previous: tuple[int, int] | None = None

    @property
    def asks_comment(self) -> bool:
        return self.index >= len(self.form.questions)


def current_index(progress: EvaluationProgress, form: EvaluationForm) -> int:
    """The first question not answered yet; the number of questions once all are."""
    answers = progress.answers or {}
    return next((n for n, q in enumerate(form.questions) if q.code not in answers), len(form.questions))


@dataclass(frozen=True)
class _Open:
    progress: EvaluationProgress
    registration: Registration
    form: EvaluationForm


def _step(outcome: Outcome, found: _Open, index: int) -> Step:
    answers = found.progress.answers or {}
    previous = None
    if 0 < index <= len(found.form.questions) and found.progress.finished_at is None:
        score = answers.get(found.form.questions[index - 1].code)
        previous = None if score is None else (index - 1, int(score))
    return Step(outcome, found.form, index, found.registration, previous)


async def _open(session: AsyncSession, registration_id: int, by: int | None) -> _Open | None:
    """The person's evaluation, locked; None when there is none, or it is someone else's (`by`)."""
    progress = await session.scalar(
        select(EvaluationProgress)
        .where(EvaluationProgress.registration_id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if progress is None:
        return None
    registration = await session.get(Registration, registration_id)
    if registration is None or (by is not None and registration.participant.telegram_user_id != by):
        return None
    program = await session.get(Program, registration.meeting.program_id)
    form = EvaluationForm.from_json(program.evaluation if program else None)
    return _Open(progress, registration, form)


async def evaluation_step(session: AsyncSession, registration_id: int, *, by: int | None = None) -> Step:
    """Where the person's evaluation stands, without changing it (to show it, or its question again)."""
    found = await _open(session, registration_id, by)
    if found is None or not found.form:
        return Step(Outcome.STALE)
    if found.progress.finished_at is not None:
        return _step(Outcome.DONE, found, len(found.form.questions))
    index = current_index(found.progress, found.form)
    outcome = Outcome.COMMENT if index >= len(found.form.questions) else Outcome.NEXT
    return _step(outcome, found, index)


async def rate(
    session: AsyncSession,
    registration_id: int,
    question_index: int,
    score: int,
    *,
    now: datetime,
    by: int | None = None,
) -> Step:
    """Record a rating of the question asked now; a repeat, an old or a forged press changes nothing."""
    found = await _open(session, registration_id, by)
    if found is None or not found.form:
        return Step(Outcome.STALE)
    progress, form = found.progress, found.form
    if progress.finished_at is not None:
        return _step(Outcome.DONE, found, len(form.questions))
    index = current_index(progress, form)
    if not 0 <= question_index < len(form.questions) or score not in SCORES:
        return _step(Outcome.STALE, found, index)
    if form.questions[question_index].code in (progress.answers or {}):
        return _step(Outcome.REPEATED, found, index)
    if question_index != index:
        return _step(Outcome.STALE, found, index)
    # A new dict: the JSON column notices a replaced value, not one changed in place.
    progress.answers = {**(progress.answers or {}), form.questions[index].code: score}
    index = current_index(progress, form)
    if index < len(form.questions):
        return _step(Outcome.NEXT, found, index)
    if form.comment:
        return _step(Outcome.COMMENT, found, index)
    await _write(session, found, None, now)
    return _step(Outcome.FINISHED, found, index)


async def comment(
    session: AsyncSession, registration_id: int, text: str, *, now: datetime, by: int | None = None
) -> Step:
    """Finish the evaluation with a typed comment (one cleaned line breaks kept); refused when too long or empty."""
    return await _finish(session, registration_id, clean_lines(text), now=now, by=by)


async def finish(session: AsyncSession, registration_id: int, *, now: datetime, by: int | None = None) -> Step:
    """Finish the evaluation without a comment (skipped); `comment` finishes it with one."""
    return await _finish(session, registration_id, None, now=now, by=by)


async def _finish(
    session: AsyncSession, registration_id: int, comment_text: str | None, *, now: datetime, by: int | None
) -> Step:
    """Write the response once every statement is rated: with the comment, or without one (None)."""
    found = await _open(session, registration_id, by)
    if found is None or not found.form:
        return Step(Outcome.STALE)
    form = found.form
    if found.progress.finished_at is not None:
        return _step(Outcome.DONE, found, len(form.questions))
    index = current_index(found.progress, form)
    if index < len(form.questions) or (comment_text is not None and not form.comment):
        return _step(Outcome.STALE, found, index)
    if comment_text is not None:
        if not has_visible_letters(comment_text) and not any(ch.isdigit() for ch in comment_text):
            return _step(Outcome.EMPTY, found, index)
        if telegram_length(comment_text) > MAX_COMMENT:
            return _step(Outcome.TOO_LONG, found, index)
    await _write(session, found, comment_text, now)
    return _step(Outcome.FINISHED, found, index)


async def _write(session: AsyncSession, found: _Open, comment_text: str | None, now: datetime) -> None:
    """The response, with the meeting and nothing that leads back to the person; their progress forgets it."""
    response = EvaluationResponse(
        meeting_id=found.registration.meeting_id, comment=comment_text, submitted_on=_day(now)
    )
    session.add(response)
    await session.flush()
    for question in found.form.questions:
        score = (found.progress.answers or {}).get(question.code)
        if isinstance(score, int) and score in SCORES:
            session.add(EvaluationScore(response_id=response.id, question_code=question.code, score=score))
    found.progress.answers = {}
    # The day only, as on the response: the moment would pair the two (finishing order against the
    # responses' order). Never before the person was asked, which all asked in one run share.
    found.progress.finished_at = max(_day(now), _aware(found.progress.asked_at))
    # A certificate may wait for this evaluation (`certificate_after_evaluation`): whoever commits wakes the outbox.
    note_planned(session, now)
    await session.flush()


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class QuestionResult:
    """One statement's average (None where counts only are shown) over `answers` ratings."""

    question: Question
    answers: int
    average: float | None


@dataclass(frozen=True)
class MeetingResults:
    """A meeting's evaluation: how many were asked and answered; averages and comments only from MIN_ANSWERS_SHOWN on.

    Plain values only (no database objects): it travels to the file worker that writes the Excel file.
    """

    meeting_id: int
    province_name: str
    city: str
    starts_at: datetime | None
    asked: int
    answers: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]

    @property
    def shown(self) -> bool:
        """Whether averages and comments are shown: with fewer answers one person's could be told apart."""
        return self.answers >= MIN_ANSWERS_SHOWN


@dataclass(frozen=True)
class NationalResults:
    """Every meeting of a program, and the averages over the meetings whose averages are shown.

    A meeting with fewer than MIN_ANSWERS_SHOWN answers is counted but left out of the national
    averages: otherwise the national figure less the shown meetings' would give its few answers away.
    """

    program_name: str
    meetings: tuple[MeetingResults, ...]
    questions: tuple[QuestionResult, ...]

    @property
    def answers(self) -> int:
        return sum(m.answers for m in self.meetings)

    @property
    def asked(self) -> int:
        return sum(m.asked for m in self.meetings)

    @property
    def pooled(self) -> int:
        """The answers the national averages are made of."""
        return sum(m.answers for m in self.meetings if m.shown)

    @property
    def shown(self) -> bool:
        return self.pooled >= MIN_ANSWERS_SHOWN


def _questions(form: EvaluationForm, codes: Iterable[str]) -> list[Question]:
    """The form's questions, then any rated in an earlier version of the form (shown by their code)."""
    known = list(form.questions)
    seen = {q.code for q in known}
    return known + [Question(code, code) for code in sorted(set(codes) - seen)]


async def _score_sums(session: AsyncSession, meeting_ids: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    rows = await session.execute(
        select(
            EvaluationResponse.meeting_id,
            EvaluationScore.question_code,
            func.count(EvaluationScore.id),
            func.sum(EvaluationScore.score),
        )
        .join(EvaluationResponse, EvaluationResponse.id == EvaluationScore.response_id)
        .where(EvaluationResponse.meeting_id.in_(meeting_ids))
        .group_by(EvaluationResponse.meeting_id, EvaluationScore.question_code)
    )
    sums: dict[int, dict[str, tuple[int, int]]] = {}
    for meeting_id, code, count, total in rows:
        sums.setdefault(meeting_id, {})[code] = (int(count), int(total or 0))
    return sums


async def _counts(session: AsyncSession, column: Any, meeting_column: Any, meeting_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(meeting_column, func.count(column)).where(meeting_column.in_(meeting_ids)).group_by(meeting_column)
    )
    return {meeting_id: int(count) for meeting_id, count in rows}


async def _results(session: AsyncSession, meetings: list[Meeting], form: EvaluationForm) -> list[MeetingResults]:
    ids = [m.id for m in meetings]
    if not ids:
        return []
    sums = await _score_sums(session, ids)
    answers = await _counts(session, EvaluationResponse.id, EvaluationResponse.meeting_id, ids)
    asked_rows = await session.execute(
        select(Registration.meeting_id, func.count(EvaluationProgress.registration_id))
        .join(Registration, Registration.id == EvaluationProgress.registration_id)
        .where(Registration.meeting_id.in_(ids))
        .group_by(Registration.meeting_id)
    )
    asked = {meeting_id: int(count) for meeting_id, count in asked_rows}
    shown_ids = [m.id for m in meetings if answers.get(m.id, 0) >= MIN_ANSWERS_SHOWN]
    comments: dict[int, list[str]] = {}
    if shown_ids:
        rows = await session.execute(
            select(EvaluationResponse.meeting_id, EvaluationResponse.comment).where(
                EvaluationResponse.meeting_id.in_(shown_ids), EvaluationResponse.comment.is_not(None)
            )
        )
        for meeting_id, text in rows:
            if text is not None:
                comments.setdefault(meeting_id, []).append(text)
    results = []
    for meeting in meetings:
        count = answers.get(meeting.id, 0)
        shown = count >= MIN_ANSWERS_SHOWN
        per_question = sums.get(meeting.id, {})
        questions = tuple(
            QuestionResult(
                question,
                per_question.get(question.code, (0, 0))[0],
                _average(*per_question[question.code]) if shown and question.code in per_question else None,
            )
            for question in _questions(form, per_question)
        )
        results.append(
            MeetingResults(
                meeting_id=meeting.id,
                province_name=meeting.province.name,
                city=meeting.city,
                starts_at=meeting.starts_at,
                asked=asked.get(meeting.id, 0),
                answers=count,
                questions=questions,
                # In no order that follows who answered first: sorted by their text.
                comments=tuple(sorted(comments.get(meeting.id, []), key=str.casefold)) if shown else (),
            )
        )
    return results


def _average(count: int, total: int) -> float | None:
    return total / count if count else None


async def meeting_results(session: AsyncSession, meeting_id: int) -> MeetingResults | None:
    """One meeting's evaluation; None for a meeting that does not exist."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    program = await session.get(Program, meeting.program_id)
    form = EvaluationForm.from_json(program.evaluation if program else None)
    return (await _results(session, [meeting], form))[0]


async def national_results(session: AsyncSession, program: Program) -> NationalResults:
    """Every listed meeting of the program in province order, and the averages over those shown."""
    meetings = sorted(
        await session.scalars(select(Meeting).where(Meeting.program_id == program.id, Meeting.listed.is_(True))),
        key=lambda m: (m.province.name, m.code),
    )
    form = EvaluationForm.from_json(program.evaluation)
    results = await _results(session, list(meetings), form)
    sums = await _score_sums(session, [r.meeting_id for r in results if r.shown])
    pooled: dict[str, tuple[int, int]] = {}
    for per_question in sums.values():
        for code, (count, total) in per_question.items():
            before = pooled.get(code, (0, 0))
            pooled[code] = (before[0] + count, before[1] + total)
    pooled_answers = sum(r.answers for r in results if r.shown)
    shown = pooled_answers >= MIN_ANSWERS_SHOWN
    questions = tuple(
        QuestionResult(
            question,
            pooled.get(question.code, (0, 0))[0],
            _average(*pooled[question.code]) if shown and question.code in pooled else None,
        )
        for question in _questions(form, pooled)
    )
    return NationalResults(program.name, tuple(results), questions)
