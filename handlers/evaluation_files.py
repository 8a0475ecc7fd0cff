"""The evaluation's results as an Excel file: a summary sheet and a comments sheet, without names.

Made in the file worker (`bot.file_worker`), like the roster's export: openpyxl is imported inside
the function and its arguments are plain, picklable values. The anonymity rule holds here as in the
messages: a meeting with fewer than MIN_ANSWERS_SHOWN answers has counts only and no comments.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.texts import Texts
from models.evaluation import MeetingResults, NationalResults, QuestionResult
from models.meeting_day_settings import MIN_ANSWERS_SHOWN, Question

MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class SheetMeeting:
    """One meeting's row: its title and date as people read them, and its results."""

    title: str
    date: str
    results: MeetingResults


def _questions(rows: Sequence[SheetMeeting], national: NationalResults | None) -> list[Question]:
    """Every statement rated anywhere, in the form's order, each once."""
    seen: dict[str, Question] = {}
    for results in [*(national.questions if national else ()), *(q for row in rows for q in row.results.questions)]:
        seen.setdefault(results.question.code, results.question)
    return list(seen.values())


def evaluation_xlsx(rows: Sequence[SheetMeeting], national: NationalResults | None, texts: Texts) -> bytes:
    """Summary: a row per meeting (asked, answers, an average per statement) and the national row; then comments."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    questions = _questions(rows, national)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    counts_only = texts.plain("eval_note_counts_only", minimum=MIN_ANSWERS_SHOWN)

    def text_cell(sheet: Any, value: str, *, header: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        # openpyxl takes a string starting with "=" for a formula; a comment is never one.
        cell.data_type = "s"
        if header:
            cell.font = bold
        return cell

    summary = book.create_sheet(texts.plain("eval_sheet_summary"))
    titles = [
        texts.plain("eval_column_meeting"),
        texts.plain("eval_column_date"),
        texts.plain("eval_column_asked"),
        texts.plain("eval_column_answers"),
        *(q.text_for(texts.language) for q in questions),
        texts.plain("eval_column_note"),
    ]
    summary.freeze_panes = "A2"
    for n, title in enumerate(titles, 1):
        width = 28 if n == 1 else min(max(len(title), 10) + 2, MAX_COLUMN_WIDTH)
        summary.column_dimensions[get_column_letter(n)].width = width
    summary.append([text_cell(summary, title, header=True) for title in titles])

    def averages(results: Sequence[QuestionResult]) -> list[float | None]:
        by_code = {r.question.code: r.average for r in results}
        return [None if (value := by_code.get(q.code)) is None else round(value, 2) for q in questions]

    for row in rows:
        r = row.results
        note = "" if r.shown else counts_only
        summary.append(
            [
                text_cell(summary, row.title),
                text_cell(summary, row.date),
                r.asked,
                r.answers,
                *(averages(r.questions) if r.shown else [None] * len(questions)),
                text_cell(summary, note),
            ]
        )
    if national is not None:
        label = texts.plain("eval_national_row", minimum=MIN_ANSWERS_SHOWN)
        summary.append(
            [
                text_cell(summary, label, header=True),
                "",
                national.asked,
                national.answers,
                *(averages(national.questions) if national.shown else [None] * len(questions)),
                text_cell(summary, "" if national.shown else counts_only),
            ]
        )

    comments = book.create_sheet(texts.plain("eval_sheet_comments"))
    comments.column_dimensions["A"].width = 28
    comments.column_dimensions["B"].width = 100
    comments.append(
        [
            text_cell(comments, texts.plain("eval_column_meeting"), header=True),
            text_cell(comments, texts.plain("eval_column_comment"), header=True),
        ]
    )
    for row in rows:
        if row.results.shown:
            for comment in row.results.comments:
                comments.append([text_cell(comments, row.title), text_cell(comments, comment)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
