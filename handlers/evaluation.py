"""The evaluation after a meeting: statements rated with 1-5 buttons, a comment, and `/evaluasi` for staff.

The question arrives through the outbox (`MessageKind.EVALUATION`); each press rewrites that message
to the next statement, then to the comment question, then to the thanks. The domain
(`models.evaluation`) checks every press against the statement asked now, so a double tap, an old
message's button or a forged one changes nothing.

The comment is typed: the comment step is taken only when the person is at no other step. Someone
half-way through a registration (or a staff step) keeps it: what they type goes to that step, and
the comment question offers "Tulis komentar" for later, besides "Lewati".
"""

from __future__ import annotations

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Build, Document, Reply, Turn, conversation_turn
from handlers.evaluation_files import SheetMeeting, evaluation_xlsx
from handlers.formatting import meeting_short_date, meeting_title, meeting_when
from handlers.staff import authority, managed_meeting, refuse
from handlers.steps import text_step
from handlers.texts import Html, Texts
from handlers.views import page_count, page_nav
from models.evaluation import (
    MAX_COMMENT,
    MeetingResults,
    NationalResults,
    Outcome,
    QuestionResult,
    Step,
    comment,
    evaluation_step,
    finish,
    meeting_results,
    national_results,
    rate,
)
from models.meeting_day_settings import MIN_ANSWERS_SHOWN, SCORES
from models.program import Meeting, Program
from models.registration import Registration
from models.staff import Authority, manageable_meetings
from models.text_length import telegram_length

COMMENT_STEP = "evaluation_comment"
# Meetings per chooser page of `/evaluasi`.
PAGE = 12


def average(value: float | None, texts: Texts) -> str:
    """'4,2' (Indonesian) or '4.2'; '–' when there is none."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", texts.plain("eval_decimal_point"))


# ---------------------------------------------------------------- the person's questions


def evaluation_view(
    step: Step, registration: Registration, texts: Texts, *, busy: bool = False
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """The evaluation message as it reads at `step`: the statement asked now with 1-5, or the comment question.

    The rating given last is shown above it; `busy` says the person is at another step, so typing
    would not reach the comment.
    """
    form = step.form
    parts = [texts("eval_head", meeting=meeting_title(registration.meeting))]
    if step.previous is not None:
        parts.append(texts("eval_recorded", number=step.previous[0] + 1, score=step.previous[1]))
    if not step.asks_comment:
        question = form.questions[step.index]
        parts.append(
            texts(
                "eval_question",
                number=step.index + 1,
                count=len(form.questions),
                question=question.text_for(texts.language),
            )
        )
        row = [cb.button(str(score), cb.Rate(registration.id, step.index, score)) for score in SCORES]
        return Html("\n\n".join(parts)), InlineKeyboardMarkup([row])
    custom = form.comment_prompt_en if texts.language == "en" and form.comment_prompt_en else form.comment_prompt
    prompt = custom or texts.plain("eval_comment_default")
    skip = cb.button(texts.label("eval_skip"), cb.EvaluationComment(registration.id, False))
    if busy:
        parts.append(texts("eval_comment_busy", prompt=prompt))
        write = cb.button(texts.label("eval_write"), cb.EvaluationComment(registration.id, True))
        return Html("\n\n".join(parts)), InlineKeyboardMarkup([[write, skip]])
    parts.append(texts("eval_comment_prompt", prompt=prompt))
    return Html("\n\n".join(parts)), InlineKeyboardMarkup([[skip]])


def thanks(registration: Registration, texts: Texts) -> Html:
    return texts("eval_thanks", meeting=meeting_title(registration.meeting))


async def evaluation_message(registration: Registration, texts: Texts, step: Step) -> Reply | None:
    """The outbox's evaluation message: the statement asked now (the first, unless a crash resent it)."""
    chat_id = registration.participant.chat_id
    if chat_id is None or step.outcome not in (Outcome.NEXT, Outcome.COMMENT):
        return None
    text, keyboard = evaluation_view(step, registration, texts)
    return Reply(chat_id, text, keyboard)


def _busy(turn: Turn) -> bool:
    """Whether the person is at a step other than the comment: that step keeps what they type."""
    return turn.conversation.step not in (None, COMMENT_STEP)


def _take_comment_step(turn: Turn, registration_id: int) -> None:
    turn.conversation.step = COMMENT_STEP
    turn.conversation.subject_id = registration_id


def _leave_comment_step(turn: Turn, registration_id: int | None = None) -> None:
    conversation = turn.conversation
    if conversation.step == COMMENT_STEP and (registration_id is None or conversation.subject_id == registration_id):
        conversation.clear_draft()


def _show(turn: Turn, step: Step) -> None:
    """Rewrite the pressed evaluation message to where the evaluation stands."""
    registration = step.registration
    if registration is None:
        # Nobody's evaluation, or someone else's: a forged or outdated button.
        turn.answer_button("stale_button")
        turn.close_pressed_keyboard = True
        return
    if step.outcome in (Outcome.DONE, Outcome.FINISHED):
        if step.outcome == Outcome.DONE:
            turn.answer_button("eval_done")
        _leave_comment_step(turn, registration.id)
        turn.rewrite_pressed(thanks(registration, turn.texts), None)
        return
    if step.outcome == Outcome.REPEATED:
        turn.answer_button("repeated_press")
    elif step.outcome == Outcome.STALE:
        turn.answer_button("stale_button")
    if step.asks_comment and not _busy(turn):
        _take_comment_step(turn, registration.id)
    turn.rewrite_pressed(*evaluation_view(step, registration, turn.texts, busy=_busy(turn)))


@conversation_turn
async def on_rate(update: Update, turn: Turn) -> None:
    """A rating pressed: recorded if it answers the statement asked now, and the next one shown."""
    action = cb.pressed(update)
    if not isinstance(action, cb.Rate):
        return
    step = await rate(
        turn.session, action.registration_id, action.question, action.score, now=turn.now, by=turn.user_id
    )
    _show(turn, step)


@conversation_turn
async def on_comment_button(update: Update, turn: Turn) -> None:
    """Lewati (finish without a comment), or Tulis komentar (take the comment step now)."""
    action = cb.pressed(update)
    if not isinstance(action, cb.EvaluationComment):
        return
    if not action.write:
        _show(turn, await finish(turn.session, action.registration_id, now=turn.now, by=turn.user_id))
        return
    step = await evaluation_step(turn.session, action.registration_id, by=turn.user_id)
    if step.outcome == Outcome.COMMENT and _busy(turn):
        # Still at the other step: nothing is taken from it.
        turn.answer_button("eval_finish_step_first")
    _show(turn, step)


@text_step(COMMENT_STEP)
async def read_comment(turn: Turn, text: str) -> None:
    """The typed comment: the evaluation is finished with it."""
    registration_id = turn.conversation.subject_id
    if registration_id is None:
        turn.conversation.clear_draft()
        turn.say("idle_hint")
        return
    step = await comment(turn.session, registration_id, text, now=turn.now, by=turn.user_id)
    if step.outcome == Outcome.TOO_LONG:
        turn.say("eval_comment_too_long", length=telegram_length(text), limit=MAX_COMMENT)
    elif step.outcome == Outcome.EMPTY:
        turn.say("eval_comment_empty")
    elif step.outcome == Outcome.FINISHED and step.registration is not None:
        turn.conversation.clear_draft()
        turn.say_html(thanks(step.registration, turn.texts))
    else:
        turn.conversation.clear_draft()
        turn.say("eval_done" if step.outcome == Outcome.DONE else "idle_hint")


# ---------------------------------------------------------------- /evaluasi


def _question_lines(questions: tuple[QuestionResult, ...], texts: Texts) -> list[Html]:
    return [
        texts(
            "eval_average_line",
            question=q.question.text_for(texts.language),
            average=average(q.average, texts),
            count=q.answers,
        )
        for q in questions
        if q.average is not None
    ]


def meeting_text(results: MeetingResults, meeting: Meeting, texts: Texts) -> Html:
    """One meeting's results: averages per statement and the comments, or counts only below MIN_ANSWERS_SHOWN."""
    parts = [
        texts(
            "eval_meeting_title",
            meeting=meeting_title(meeting),
            when=meeting_when(meeting, texts),
            answers=results.answers,
            asked=results.asked,
        )
    ]
    if not results.shown:
        parts.append(texts("eval_counts_only", minimum=MIN_ANSWERS_SHOWN))
        return Html("\n\n".join(parts))
    parts.append(Html("\n".join(_question_lines(results.questions, texts))))
    if results.comments:
        lines = [texts("eval_comments_head", count=len(results.comments))]
        lines += [texts("eval_comment_line", comment=text) for text in results.comments]
        parts.append(Html("\n".join(lines)))
    else:
        parts.append(texts("eval_comments_none"))
    return Html("\n\n".join(parts))


def overall(results: MeetingResults) -> float | None:
    """The mean of a meeting's statement averages, for the national overview's one line per meeting."""
    values = [q.average for q in results.questions if q.average is not None]
    return sum(values) / len(values) if values else None


def national_text(national: NationalResults, meetings: dict[int, Meeting], texts: Texts) -> Html:
    """Every meeting with someone asked (counts, or counts and an average) and the national averages."""
    listed = [r for r in national.meetings if r.asked or r.answers]
    parts = [
        texts(
            "eval_national_title",
            program=national.program_name,
            answers=national.answers,
            asked=national.asked,
            meetings=len(listed),
        )
    ]
    if national.shown:
        shown = sum(1 for r in national.meetings if r.shown)
        head = texts("eval_national_pooled", meetings=shown, minimum=MIN_ANSWERS_SHOWN, answers=national.pooled)
        parts.append(Html("\n".join([head, *_question_lines(national.questions, texts)])))
    else:
        parts.append(texts("eval_national_counts_only", minimum=MIN_ANSWERS_SHOWN))
    lines = []
    for r in listed:
        title = meeting_title(meetings[r.meeting_id])
        if r.shown:
            lines.append(
                texts(
                    "eval_national_line",
                    meeting=title,
                    answers=r.answers,
                    asked=r.asked,
                    average=average(overall(r), texts),
                )
            )
        else:
            lines.append(texts("eval_national_line_counts", meeting=title, answers=r.answers, asked=r.asked))
    if lines:
        parts.append(Html("\n".join(lines)))
    return Html("\n\n".join(parts))


def _sheet_rows(results: list[MeetingResults], meetings: dict[int, Meeting], texts: Texts) -> list[SheetMeeting]:
    return [
        SheetMeeting(meeting_title(meetings[r.meeting_id]), meeting_short_date(meetings[r.meeting_id], texts), r)
        for r in results
    ]


def _export(
    turn: Turn, stem: str, rows: list[SheetMeeting], national: NationalResults | None = None
) -> tuple[Document, ...]:
    build = Build(evaluation_xlsx, (rows, national, turn.texts))
    return (Document(f"evaluasi-{stem}-{turn.now:%Y%m%d}.xlsx", build, turn.texts("eval_export_caption")),)


async def _pic_results(turn: Turn, who: Authority) -> None:
    """A PIC: each of their meetings' results in full, then the Excel file."""
    meetings = await manageable_meetings(turn.session, who)
    results = [r for r in [await meeting_results(turn.session, m.id) for m in meetings] if r is not None]
    by_id = {m.id: m for m in meetings}
    if not any(r.asked or r.answers for r in results):
        turn.say("eval_none")
        return
    shown = [r for r in results if r.asked or r.answers]
    for n, r in enumerate(shown):
        last = n == len(shown) - 1
        documents = _export(turn, by_id[r.meeting_id].code, _sheet_rows(shown, by_id, turn.texts)) if last else ()
        turn.say_html(meeting_text(r, by_id[r.meeting_id], turn.texts), documents=documents)


async def _programs(turn: Turn) -> list[Program]:
    return list(await turn.session.scalars(select(Program).order_by(Program.id)))


async def _all_meetings(turn: Turn) -> dict[int, Meeting]:
    return {m.id: m for m in await turn.session.scalars(select(Meeting))}


async def _chooser(turn: Turn, page: int) -> tuple[Html, InlineKeyboardMarkup] | None:
    """The buttons to each meeting whose details can be shown (MIN_ANSWERS_SHOWN answers or more)."""
    meetings = await _all_meetings(turn)
    shown: list[MeetingResults] = []
    for program in await _programs(turn):
        shown += [r for r in (await national_results(turn.session, program)).meetings if r.shown]
    if not shown:
        return None
    pages = page_count(len(shown), PAGE)
    page, nav = page_nav(turn.texts, page, pages, cb.EvaluationPage)
    rows: list[list[InlineKeyboardButton]] = [
        [cb.button(meeting_title(meetings[r.meeting_id]), cb.EvaluationMeeting(r.meeting_id))]
        for r in shown[page * PAGE : (page + 1) * PAGE]
    ]
    if nav:
        rows.append(nav)
    return turn.texts("eval_choose_meeting", page=page + 1, pages=pages), InlineKeyboardMarkup(rows)


async def _national(turn: Turn) -> None:
    """An organizer: each program's national overview and the Excel file, then a chooser for the details."""
    meetings = await _all_meetings(turn)
    said = False
    for program in await _programs(turn):
        national = await national_results(turn.session, program)
        if not program.meeting_day.evaluation and not national.asked:
            continue
        listed = [r for r in national.meetings if r.asked or r.answers]
        documents = _export(turn, program.code, _sheet_rows(listed, meetings, turn.texts), national)
        turn.say_html(national_text(national, meetings, turn.texts), documents=documents)
        said = True
    if not said:
        turn.say("eval_none")
        return
    chooser = await _chooser(turn, 0)
    if chooser is not None:
        turn.say_html(*chooser)


@conversation_turn
async def on_evaluation_results(update: Update, turn: Turn) -> None:
    """/evaluasi: a PIC's meetings in full; an organizer's every meeting and the national averages."""
    who = await authority(turn)
    if not who.is_staff:
        refuse(turn, who)
    elif who.is_admin:
        await _national(turn)
    else:
        await _pic_results(turn, who)


@conversation_turn
async def on_results_button(update: Update, turn: Turn) -> None:
    """A meeting chosen from the organizer's overview, or another page of the chooser."""
    action = cb.pressed(update)
    who = await authority(turn)
    if isinstance(action, cb.EvaluationPage):
        if not who.is_admin:
            refuse(turn, who)
            return
        chooser = await _chooser(turn, action.page)
        if chooser is None:
            turn.answer_button("stale_button")
            turn.close_pressed_keyboard = True
        else:
            turn.rewrite_pressed(*chooser)
        return
    if not isinstance(action, cb.EvaluationMeeting):
        return
    # The same refusal whether the meeting exists or not: no button tells what is there.
    meeting = await managed_meeting(turn, who, action.meeting_id)
    if meeting is None:
        return
    results = await meeting_results(turn.session, meeting.id)
    if results is None:
        refuse(turn)
        return
    turn.say_html(meeting_text(results, meeting, turn.texts))


def register_handlers(application: Application) -> None:
    """Add the rating and comment buttons, /evaluasi and its chooser."""
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(on_rate, pattern=cb.matches(cb.Rate)))
    application.add_handler(CallbackQueryHandler(on_comment_button, pattern=cb.matches(cb.EvaluationComment)))
    application.add_handler(CommandHandler("evaluasi", on_evaluation_results, filters=private))
    application.add_handler(
        CallbackQueryHandler(on_results_button, pattern=cb.matches(cb.EvaluationMeeting, cb.EvaluationPage))
    )
