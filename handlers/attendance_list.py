"""/daftarhadir: the signed attendance list (daftar hadir) of a meeting as a PDF, ready to print.

A PIC gets their meeting's list at once; an organizer, or a PIC of several meetings, chooses among
the dated meetings, those of today and the nearest first. Who asks is checked before any id a
button carries is looked up, and every meeting they may not manage gets the same refusal.

The PDF (`attendance_pdf`) is made after the commit in the file worker, from an `AttendanceSheet` of
plain strings resolved here in the person's language: A4 portrait, DejaVu Sans embedded (so names
such as "Nguyễn Thị Hương" or "Ольга" print), a header naming the program, the meeting, its local
date and zone and its venue; the table No · Nama · Instansi · Jabatan · Tanda tangan, its heading
repeated on every page, a long institution wrapping inside its cell (the row grows); the signature
column in the customary zigzag (odd numbers sign on its left half, even numbers on its right); the
people checked in (with their time), then the seated people not checked in, then empty numbered
rows for walk-ins to the end of the page; the committee's signature block.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Build, Document, Turn, conversation_turn
from handlers.formatting import local_date, meeting_short_date, meeting_title, meeting_venue, meeting_when
from handlers.staff import managed_meeting, staff_authority
from handlers.texts import Texts
from handlers.views import page_count, page_nav
from models.attendance_list import AttendanceRow, attendance_rows
from models.audit import record_audit
from models.program import Meeting, Program
from models.staff import Authority, manageable_meetings

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

log = logging.getLogger(__name__)

# Meetings per page of the chooser.
PAGE = 12
# Empty numbered rows for walk-ins: at least these, then as many as fill the page.
MIN_EMPTY_ROWS = 5

# The page, in millimetres (A4 portrait).
MARGIN = 15.0
FOOTER = 8.0
# Column widths: No, Nama, Instansi, Jabatan, Tanda tangan (its two halves take turns).
WIDTHS = (10.0, 44.0, 42.0, 32.0, 52.0)
CELL_PAD = 1.5
LINE = 4.0
# Where a line's baseline sits below its top, for 9 pt text in a 4 mm line.
BASELINE = 3.0
# A row is at least this tall: room to sign.
MIN_ROW = 11.0
HEADING_ROW = 7.0
BODY_POINTS = 9
SMALL_POINTS = 7
# Room the committee's signature block takes below the table.
SIGNATURE_BLOCK = 42.0
SIGNATURE_WIDTH = 70.0
GREY = (90, 90, 90)
HEADING_FILL = (225, 225, 225)
# Printed in place of a character the embedded font has no glyph for (most CJK, some emoji).
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class SheetRow:
    """A person on the list: details as they gave them, and the local check-in time ('09.12'), if any."""

    name: str
    institution: str
    position: str
    checked_in: str | None


@dataclass(frozen=True)
class AttendanceSheet:
    """Everything the PDF shows, as plain text in the reader's language: picklable for the file worker."""

    title: str
    program: str
    # (label, value) lines under the title: meeting, date, venue, online link.
    facts: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    # "Hadir {time}": the line under a checked-in person's name.
    checked_in_line: str
    # "Halaman {page} dari {pages}" and the meeting's title, at the foot of each page.
    page_line: str
    footer_title: str
    # The committee's block: "Bengkulu, 26 Juli 2023", the title, the name (None: a line to write it on).
    place_date: str
    committee_title: str
    committee_name: str | None


def sheet_for(meeting: Meeting, program: Program, rows: list[AttendanceRow], texts: Texts) -> AttendanceSheet:
    """The sheet of a meeting in the reader's language."""
    facts = [
        (texts.plain("daftarhadir_pdf_meeting"), meeting_title(meeting)),
        (texts.plain("daftarhadir_pdf_date"), _plain(meeting_when(meeting, texts))),
        (texts.plain("daftarhadir_pdf_venue"), _plain(meeting_venue(meeting, texts))),
    ]
    if meeting.online_url:
        facts.append((texts.plain("daftarhadir_pdf_online"), meeting.online_url))
    committee = program.meeting_day.committee
    start = meeting.local_start()
    assert start is not None, "only dated meetings have a list"
    time_pattern = "%H.%M" if texts.language == "id" else "%H:%M"
    return AttendanceSheet(
        title=texts.plain("daftarhadir_pdf_title"),
        program=program.name,
        facts=tuple(facts),
        columns=tuple(texts.plain("daftarhadir_pdf_columns").split("|")),
        rows=tuple(
            SheetRow(
                row.full_name,
                row.institution,
                row.position,
                row.checked_in_at.strftime(time_pattern) if row.checked_in_at else None,
            )
            for row in rows
        ),
        checked_in_line=texts.plain("daftarhadir_pdf_checked_in", time="{time}"),
        page_line=texts.plain("daftarhadir_pdf_page", page="{page}", pages="{pages}"),
        footer_title=f"{texts.plain('daftarhadir_pdf_title')} · {meeting_title(meeting)}",
        place_date=texts.plain("daftarhadir_pdf_place_date", place=meeting.city, date=local_date(start, texts)),
        committee_title=committee.title,
        committee_name=committee.name,
    )


def _plain(text: str) -> str:
    """A catalogue fragment rendered for a message (escaped), as plain text again for the PDF."""
    return html.unescape(text)


# ---- the PDF


def attendance_pdf(sheet: AttendanceSheet) -> bytes:
    """The daftar hadir as PDF bytes (run in the file worker: fpdf2 is imported here only)."""
    from handlers.pdf_document import new_document, to_bytes

    # Regular and bold: the list has no oblique text, so the document has no oblique font to write.
    return to_bytes(_Layout(new_document(styles=("", "B")), sheet).draw())


class _Layout:
    """Draws a sheet onto a document, page by page."""

    def __init__(self, pdf: FPDF, sheet: AttendanceSheet) -> None:
        self.pdf = pdf
        self.sheet = sheet
        self.width = sum(WIDTHS)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        # Page breaks are placed here, row by row, so each new page starts with the table's heading.
        pdf.set_auto_page_break(False)
        pdf.set_title(f"{sheet.title} · {sheet.footer_title}")
        self.bottom = pdf.h - MARGIN - FOOTER
        self.missing = 0

    def draw(self) -> FPDF:
        self.new_page()
        self.head()
        self.table_heading()
        number = 0
        for row in self.sheet.rows:
            number += 1
            self.person(number, row)
        # Walk-ins: at least MIN_EMPTY_ROWS, then to the end of the page, leaving room for the signatures
        # when they fit there.
        for _ in range(MIN_EMPTY_ROWS):
            number += 1
            self.empty(number)
        room_for_signatures = self.pdf.get_y() + SIGNATURE_BLOCK <= self.bottom
        while self.pdf.get_y() + MIN_ROW + (SIGNATURE_BLOCK if room_for_signatures else 0) <= self.bottom:
            number += 1
            self.empty(number)
        if not room_for_signatures:
            self.new_page()
        self.signatures()
        if self.missing:
            log.info("the attendance list printed %s characters its font lacks as %r", self.missing, REPLACEMENT)
        return self.pdf

    # -- text the font can show

    @property
    def font(self) -> TTFFont:
        """The current font: always one of DejaVu Sans's files (`new_document`), never a core font."""
        return cast("TTFFont", self.pdf.current_font)

    def text(self, value: str) -> str:
        """The text with characters the current font lacks replaced, so a row never prints blanks silently."""
        cmap = self.font.cmap
        if all(ord(ch) in cmap or ch in "\n\t" for ch in value):
            return value
        shown = "".join(ch if ord(ch) in cmap else REPLACEMENT for ch in value)
        self.missing += sum(ch == REPLACEMENT for ch in shown) - value.count(REPLACEMENT)
        return shown

    def width_of(self, value: str) -> float:
        """The text's width in mm in the current font and size (no shaping, as the font's advance widths add up)."""
        widths = self.font.cw
        return sum(widths[ord(ch)] for ch in value) * self.pdf.font_size_pt * 0.001 / self.pdf.k

    def lines(self, width: float, value: str) -> list[str]:
        """How the text wraps in a cell of this width: at spaces, and inside a word too long for a line.

        Measured here from the font's widths: fpdf2's multi_cell(dry_run=True) costs about 3 ms a cell,
        most of a 300-row list's time.
        """
        room = width - 2 * CELL_PAD
        result: list[str] = []
        line = ""
        for word in self.text(" ".join(value.split())).split(" "):
            candidate = f"{line} {word}" if line else word
            if self.width_of(candidate) <= room:
                line = candidate
                continue
            if line:
                result.append(line)
            line = ""
            while self.width_of(word) > room:
                cut = len(word) - 1
                while cut > 1 and self.width_of(word[:cut]) > room:
                    cut -= 1
                result.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            result.append(line)
        return result

    # -- pages

    def new_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        # The foot first, then back to the top.
        pdf.set_font(size=SMALL_POINTS)
        pdf.set_text_color(*GREY)
        pdf.set_xy(MARGIN, pdf.h - MARGIN - FOOTER / 2)
        pdf.cell(self.width / 2, FOOTER / 2, self.text(self.sheet.footer_title))
        pages = self.sheet.page_line.format(page=pdf.page_no(), pages=pdf.str_alias_nb_pages)
        pdf.cell(self.width / 2, FOOTER / 2, pages, align="R")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(size=BODY_POINTS)
        pdf.set_xy(MARGIN, MARGIN)

    def head(self) -> None:
        """Title, program and the meeting's facts, on the first page."""
        pdf, sheet = self.pdf, self.sheet
        pdf.set_font(style="B", size=14)
        pdf.cell(self.width, 7, self.text(sheet.title), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(style="B", size=11)
        pdf.multi_cell(self.width, 5.5, self.text(sheet.program), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(style="B", size=BODY_POINTS + 1)
        label_width = max(self.width_of(self.text(label)) for label, _ in sheet.facts) + 2
        for label, value in sheet.facts:
            pdf.set_font(style="B", size=BODY_POINTS + 1)
            pdf.cell(label_width, 5, self.text(label))
            pdf.cell(4, 5, ":")
            pdf.set_font(style="", size=BODY_POINTS + 1)
            pdf.multi_cell(self.width - label_width - 4, 5, self.text(value), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def table_heading(self) -> None:
        pdf = self.pdf
        pdf.set_font(style="B", size=BODY_POINTS)
        pdf.set_fill_color(*HEADING_FILL)
        pdf.set_x(MARGIN)
        for width, title in zip(WIDTHS, self.sheet.columns, strict=True):
            pdf.cell(width, HEADING_ROW, self.text(title), border=1, align="C", fill=True)
        pdf.ln(HEADING_ROW)
        pdf.set_font(style="", size=BODY_POINTS)

    def room_for(self, height: float) -> None:
        """Start a new page (with the table's heading) unless a row this tall fits on this one."""
        if self.pdf.get_y() + height > self.bottom:
            self.new_page()
            self.table_heading()

    # -- rows

    def person(self, number: int, row: SheetRow) -> None:
        name_width, institution_width, position_width = WIDTHS[1:4]
        cells = [self.lines(name_width, row.name), self.lines(institution_width, row.institution)]
        cells.append(self.lines(position_width, row.position))
        extra = LINE if row.checked_in else 0.0
        height = max(MIN_ROW, max(len(cells[0]) * LINE + extra, *(len(c) * LINE for c in cells[1:])) + 2 * CELL_PAD)
        self.room_for(height)
        pdf = self.pdf
        x, y = MARGIN, pdf.get_y()
        self.frame(x, y, height)
        self.number(number, y)
        x += WIDTHS[0]
        for width, lines in zip(WIDTHS[1:4], cells, strict=True):
            for n, line in enumerate(lines):
                # pdf.text() places a line by its baseline, far cheaper than a cell.
                pdf.text(x + CELL_PAD, y + CELL_PAD + n * LINE + BASELINE, line)
            x += width
        if row.checked_in:
            pdf.set_font(size=SMALL_POINTS)
            pdf.set_text_color(*GREY)
            time = self.text(self.sheet.checked_in_line.format(time=row.checked_in))
            pdf.text(MARGIN + WIDTHS[0] + CELL_PAD, y + CELL_PAD + len(cells[0]) * LINE + BASELINE, time)
            pdf.set_text_color(0, 0, 0)
            pdf.set_font(size=BODY_POINTS)
        self.signature_line(number, y, height)
        pdf.set_xy(MARGIN, y + height)

    def empty(self, number: int) -> None:
        self.room_for(MIN_ROW)
        pdf = self.pdf
        y = pdf.get_y()
        self.frame(MARGIN, y, MIN_ROW)
        self.number(number, y)
        self.signature_line(number, y, MIN_ROW)
        pdf.set_xy(MARGIN, y + MIN_ROW)

    def number(self, number: int, y: float) -> None:
        """The row's number, centred in its cell."""
        label = str(number)
        x = MARGIN + (WIDTHS[0] - self.width_of(label)) / 2
        self.pdf.text(x, y + CELL_PAD + BASELINE, label)

    def frame(self, x: float, y: float, height: float) -> None:
        """The row's cell borders."""
        for width in WIDTHS:
            self.pdf.rect(x, y, width, height)
            x += width

    def signature_line(self, number: int, y: float, height: float) -> None:
        """'7. ........' on the left half of the signature cell for odd numbers, on the right for even ones."""
        pdf = self.pdf
        half = WIDTHS[4] / 2
        left = MARGIN + sum(WIDTHS[:4]) + (half if number % 2 == 0 else 0.0)
        baseline = y + height - 2.5
        pdf.set_font(size=SMALL_POINTS)
        label = f"{number}."
        pdf.text(left + 1, baseline, label)
        start = left + 2 + self.width_of(label)
        pdf.set_draw_color(*GREY)
        pdf.set_dash_pattern(dash=0.4, gap=0.6)
        pdf.line(start, baseline, left + half - 1.5, baseline)
        pdf.set_dash_pattern()
        pdf.set_draw_color(0, 0, 0)
        pdf.set_font(size=BODY_POINTS)

    # -- the committee

    def signatures(self) -> None:
        pdf, sheet = self.pdf, self.sheet
        x = MARGIN + self.width - SIGNATURE_WIDTH
        pdf.set_y(pdf.get_y() + 6)
        pdf.set_font(size=BODY_POINTS + 1)
        for text in (sheet.place_date, sheet.committee_title):
            pdf.set_x(x)
            pdf.multi_cell(SIGNATURE_WIDTH, 5, self.text(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(18)
        pdf.set_x(x)
        if sheet.committee_name:
            pdf.set_font(style="BU", size=BODY_POINTS + 1)
            pdf.multi_cell(SIGNATURE_WIDTH, 5, self.text(sheet.committee_name), align="C")
        else:
            pdf.cell(SIGNATURE_WIDTH, 5, "(" + "." * 50 + ")", align="C")
        pdf.set_font(style="", size=BODY_POINTS)


# ---- the command


def dated_meetings_nearest_first(meetings: list[Meeting], now: datetime) -> list[Meeting]:
    """The meetings with a date: today's first, then by how many days away they are (either way), earlier first."""
    dated = [m for m in meetings if m.starts_at is not None]

    def key(meeting: Meeting) -> tuple[int, datetime, str]:
        start = meeting.local_start()
        assert start is not None and meeting.starts_at is not None
        days = abs((start.date() - now.astimezone(meeting.zone).date()).days)
        return days, meeting.starts_at, meeting.code

    return sorted(dated, key=key)


async def choose_or_send(turn: Turn, who: Authority, *, page: int = 0, rewrite: bool = False) -> None:
    """The list of a PIC's only meeting at once; otherwise the chooser of dated meetings."""
    if not who.is_admin and len(who.pic_meeting_ids) == 1:
        meeting = await managed_meeting(turn, who, next(iter(who.pic_meeting_ids)))
        if meeting is not None:
            await send_list(turn, meeting)
        return
    meetings = dated_meetings_nearest_first(await manageable_meetings(turn.session, who), turn.now)
    if not meetings:
        turn.say("daftarhadir_none_dated")
        return
    pages = page_count(len(meetings), PAGE)
    page, nav = page_nav(turn.texts, page, pages, cb.AttendanceListPage)
    shown = meetings[page * PAGE : (page + 1) * PAGE]
    rows = [
        [
            cb.button(
                turn.texts.label(
                    "daftarhadir_meeting", meeting=meeting_title(m), date=meeting_short_date(m, turn.texts)
                ),
                cb.AttendanceListPick(m.id),
            )
        ]
        for m in shown
    ]
    if nav:
        rows.append(nav)
    text = turn.texts("daftarhadir_choose", page=page + 1, pages=pages)
    if rewrite:
        turn.rewrite_pressed(text, InlineKeyboardMarkup(rows))
    else:
        turn.say_html(text, InlineKeyboardMarkup(rows))


async def send_list(turn: Turn, meeting: Meeting) -> None:
    """The meeting's daftar hadir, written down in the audit log; the PDF is made after the commit."""
    if meeting.starts_at is None:
        turn.say("daftarhadir_no_date", meeting=meeting_title(meeting))
        return
    program = await turn.session.get(Program, meeting.program_id)
    assert program is not None
    rows = await attendance_rows(turn.session, meeting)
    checked_in = sum(row.checked_in_at is not None for row in rows)
    await record_audit(
        turn.session,
        actor_user_id=turn.user_id,
        action="attendance_list",
        now=turn.now,
        meeting_id=meeting.id,
        details={"rows": len(rows), "checked_in": checked_in},
    )
    sheet = sheet_for(meeting, program, rows, turn.texts)
    start = meeting.local_start()
    assert start is not None
    name = f"daftar-hadir-{meeting.code}-{start:%Y%m%d}.pdf"
    turn.say(
        "daftarhadir_ready",
        meeting=meeting_title(meeting),
        checked_in=checked_in,
        seated=len(rows),
        documents=(Document(name, Build(attendance_pdf, (sheet,)), turn.texts("daftarhadir_caption")),),
    )


@conversation_turn
async def on_command(update: Update, turn: Turn) -> None:
    """/daftarhadir (PICs and organizers)."""
    who = await staff_authority(turn)
    if who is None:
        return
    await choose_or_send(turn, who)


@conversation_turn
async def on_press(update: Update, turn: Turn) -> None:
    """A meeting chosen, or another page of the chooser; who presses is checked before the id is looked up."""
    action = cb.pressed(update)
    who = await staff_authority(turn)
    if who is None:
        return
    if isinstance(action, cb.AttendanceListPage):
        await choose_or_send(turn, who, page=action.page, rewrite=True)
        return
    if not isinstance(action, cb.AttendanceListPick):
        turn.answer_button("stale_button")
        turn.close_pressed_keyboard = True
        return
    meeting = await managed_meeting(turn, who, action.meeting_id)
    if meeting is None:
        return
    turn.close_pressed_keyboard = True
    await send_list(turn, meeting)


def register_handlers(application: Application) -> None:
    """Add /daftarhadir and its chooser's buttons."""
    application.add_handler(CommandHandler("daftarhadir", on_command, filters=filters.ChatType.PRIVATE))
    application.add_handler(
        CallbackQueryHandler(on_press, pattern=cb.matches(cb.AttendanceListPick, cb.AttendanceListPage))
    )
