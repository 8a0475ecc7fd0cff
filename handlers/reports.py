"""Reports for PICs and organizers: /rekap, /peserta, /ekspor, and for organizers /rekap_nasional, /ekspor_semua.

A PIC sees their own meeting; an organizer chooses one (`handlers.staff`). Rosters and exports
hold personal data, so every step, page buttons included, checks on the server that the person
may manage the meeting, and every export is written to the audit log (who, which meeting, how
many rows; no names).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import groupby

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import MESSAGE_LIMIT, Build, Document, Turn, conversation_turn
from handlers.formatting import meeting_title, meeting_when, role_fills
from handlers.html_text import visible_length
from handlers.report_files import (
    attendance_label,
    chart_bars,
    chart_parts,
    national_chart,
    roster_csv,
    roster_xlsx,
    status_label,
)
from handlers.staff import authority, command_handler, managed_meeting, refuse, staff_command
from handlers.texts import Html, Texts
from handlers.views import page_nav
from models.audit import record_audit
from models.person_details import phone_as_written
from models.program import Meeting, listed_meetings, program_by_code
from models.registration import RegistrationStatus
from models.reports import (
    MeetingRecap,
    RosterRow,
    current_national_recap,
    meeting_recap,
    program_national_recap,
    roster,
)
from models.staff import Authority

# Room left on a roster page for its heading; lines are counted as Telegram counts them (`visible_length`).
ROSTER_PAGE_BUDGET = MESSAGE_LIMIT - 400
# Province names are cut to keep the national table narrow enough for a phone.
PROVINCE_WIDTH = 16


def table(header: list[str], rows: list[list[object]]) -> str:
    """Plain monospace columns: the first left-aligned, the others right-aligned."""
    cells = [header, *[[str(value) for value in row] for row in rows]]
    widths = [max(len(row[n]) for row in cells) for n in range(len(header))]
    lines = [
        " ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])
        for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def recap_text(recap: MeetingRecap, meeting: Meeting, texts: Texts) -> Html:
    """/rekap: each role by its name over a monospace row of its counts, and the roles that put it at risk.

    A role's name has a line of its own: the program's names run to 46 characters, too wide for a row on a phone.
    """
    counts = ("seats", "seated", "confirmed", "waitlisted", "held", "seats_left")
    names = [role.role.name for role in recap.roles] + [texts.plain("report_recap_total")]
    figures = [[getattr(role, name) for name in counts] for role in recap.roles]
    figures.append([recap.total(name) for name in counts])
    header, *rows = table(
        ["", *texts.plain("report_recap_columns").split("|")], [["", *row] for row in figures]
    ).splitlines()
    body = "\n".join([header, *(line for pair in zip(names, rows, strict=True) for line in pair)])
    risk = (
        texts("report_risk_roles", roles=role_fills(recap.behind, texts))
        if recap.at_risk
        else texts("report_risk_none")
    )
    if recap.started:
        seated = recap.total("seated")
        risk = Html(
            texts(
                "report_recap_check_in",
                checked=recap.checked_in,
                seated=seated,
                missing=max(seated - recap.checked_in, 0),
            )
            + "\n"
            + risk
        )
    return texts(
        "report_recap",
        meeting=meeting_title(meeting),
        when=meeting_when(meeting, texts),
        table=body,
        legend=texts("report_recap_legend"),
        risk=risk,
    )


def national_text(recaps: list[MeetingRecap], texts: Texts, programs: Mapping[int, str] | None = None) -> Html:
    """/rekap_nasional: one line per meeting (taken/seats, waiting), at-risk ones marked and named.

    `programs` (id to code) of more than one program puts each program's meetings under its code.
    """
    programs = programs or {}
    marker = texts.plain("report_chart_at_risk_marker")
    rows: list[list[object]] = []
    # Several programs hold a meeting in each province: each program's rows come under its code.
    several = len(programs) > 1
    for program_id, group in groupby(
        sorted(recaps, key=lambda r: r.meeting.program_id) if several else recaps, key=lambda r: r.meeting.program_id
    ):
        if several:
            rows.append([texts.plain("report_national_program", program=programs[program_id]), "", "", ""])
        rows.extend(
            [
                recap.province_name[:PROVINCE_WIDTH],
                f"{recap.total('taken')}/{recap.total('seats')}",
                recap.total("waitlisted"),
                marker if recap.at_risk else "",
            ]
            for recap in group
        )
    body = table(texts.plain("report_national_columns").split("|"), rows)
    at_risk = [recap.province_name for recap in recaps if recap.at_risk]
    risk = (
        texts("report_national_risk", count=len(at_risk), meetings=", ".join(at_risk))
        if at_risk
        else texts("national_none_at_risk")
    )
    return texts(
        "report_national",
        meetings=len(recaps),
        taken=sum(r.total("taken") for r in recaps),
        seats=sum(r.total("seats") for r in recaps),
        table=body,
        risk=risk,
    )


def roster_line(number: int, row: RosterRow, texts: Texts) -> Html:
    """One person on a roster page: name, institution, position, phone and where they stand."""
    if row.status == RegistrationStatus.WAITLISTED:
        status = texts.plain("report_waiting_place", place=row.waitlist_position)
    elif row.status == RegistrationStatus.SEATED:
        status = f"{status_label(row, texts)}, {attendance_label(row, texts)}"
        if row.checked_in_at is not None:
            status += ", " + texts.plain(
                "report_checked_in_at", time=row.checked_in_at.strftime("%H.%M" if texts.language == "id" else "%H:%M")
            )
    else:
        status = status_label(row, texts)
    return texts(
        "report_roster_line",
        number=number,
        name=row.full_name,
        institution=row.institution,
        position=row.position,
        phone=phone_as_written(row.phone_e164),
        status=status,
    )


def roster_pages(rows: list[RosterRow], texts: Texts) -> list[list[Html]]:
    """The roster's lines cut into pages that fit a message; a page starting mid-role repeats its heading."""
    return [lines for lines, _ in _paginate(rows, texts)]


def _paginate(rows: list[RosterRow], texts: Texts) -> list[tuple[list[Html], list[RosterRow]]]:
    """Each page's lines and the people on it."""
    pages: list[tuple[list[Html], list[RosterRow]]] = [([], [])]
    used, role = 0, None
    for number, row in enumerate(rows, 1):
        heading = texts("report_roster_role", role=row.role_name)
        block = [heading] if row.role_code != role else []
        block.append(roster_line(number, row, texts))
        cost = sum(visible_length(part) + 1 for part in block)
        if pages[-1][0] and used + cost > ROSTER_PAGE_BUDGET:
            pages.append(([], []))
            used = 0
            if block[0] is not heading:
                block.insert(0, heading)
                cost += visible_length(heading) + 1
        pages[-1][0].extend(block)
        pages[-1][1].append(row)
        used += cost
        role = row.role_code
    return pages


def attendance_buttons(
    rows: list[RosterRow], meeting: Meeting, texts: Texts, now: datetime
) -> list[list[InlineKeyboardButton]]:
    """Hadir / Tidak hadir for each seated person added by hand: they cannot answer the question themselves."""
    if meeting.has_started(now):
        return []
    return [
        [
            cb.button(texts.label("record_attend", name=row.full_name), cb.RecordAttendance(row.registration_id, True)),
            cb.button(
                texts.label("record_absent", name=row.full_name), cb.RecordAttendance(row.registration_id, False)
            ),
        ]
        for row in rows
        if row.by_hand and row.status == RegistrationStatus.SEATED
    ]


async def show_roster_page(turn: Turn, meeting: Meeting, page: int, *, rewrite: bool) -> None:
    """A page of the meeting's roster with buttons to the pages beside it."""
    rows = await roster(turn.session, [meeting])
    title = meeting_title(meeting)
    if not rows:
        turn.say("roster_empty", meeting=title)
        return
    pages = _paginate(rows, turn.texts)
    page, nav = page_nav(turn.texts, page, len(pages), lambda n: cb.RosterListPage(meeting.id, n))
    lines, people = pages[page]
    text = Html(
        "\n".join(
            [
                turn.texts("report_roster_head", meeting=title, count=len(rows), page=page + 1, pages=len(pages)),
                *lines,
            ]
        )
    )
    buttons = attendance_buttons(people, meeting, turn.texts, turn.now)
    if nav:
        buttons.append(nav)
    keyboard = InlineKeyboardMarkup(buttons) if buttons else None
    if rewrite:
        turn.rewrite_pressed(text, keyboard)
    else:
        turn.say_html(text, keyboard)


@staff_command("rekap")
async def recap(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The meeting's recap per role."""
    turn.say_html(recap_text(await meeting_recap(turn.session, meeting, now=turn.now), meeting, turn.texts))


@staff_command("peserta")
async def participants(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The first page of the meeting's roster."""
    await show_roster_page(turn, meeting, 0, rewrite=False)


async def send_export(turn: Turn, rows: list[RosterRow], name: str, what: str, meeting_id: int | None) -> None:
    """The roster as Excel and CSV documents, written down in the audit log; the files are made after the commit."""
    texts = turn.texts
    stem = f"peserta-{name}-{turn.now:%Y%m%d}"
    await record_audit(
        turn.session,
        actor_user_id=turn.user_id,
        action="roster_export",
        now=turn.now,
        meeting_id=meeting_id,
        details={"rows": len(rows), "scope": name},
    )
    # Excel in the file worker, the CSV (plain Python) in a thread meanwhile.
    turn.say(
        "report_export_ready",
        meeting=what,
        count=len(rows),
        documents=(
            Document(f"{stem}.xlsx", Build(roster_xlsx, (rows, texts)), texts("report_export_xlsx")),
            Document(f"{stem}.csv", Build(roster_csv, (rows, texts), in_worker=False), texts("report_export_csv")),
        ),
    )


@staff_command("ekspor")
async def export(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The meeting's roster as files."""
    await send_export(turn, await roster(turn.session, [meeting]), meeting.code, meeting_title(meeting), meeting.id)


def national_charts(recaps: list[MeetingRecap], texts: Texts) -> tuple[Document, ...]:
    """The national chart as photos: one for a program's meetings, parts of CHART_BARS_PER_IMAGE for more."""
    bars = chart_bars(recaps)
    parts = chart_parts(bars)
    if len(parts) == 1:
        chart = Build(national_chart, (bars, texts))
        return (Document("rekap-nasional.png", chart, texts("report_national_caption"), photo=True),)
    documents = []
    for n, part in enumerate(parts, 1):
        build = Build(national_chart, (part, texts), {"part": (n, len(parts)), "everything": bars})
        caption = texts("report_national_caption_part", part=n, parts=len(parts))
        if n == 1:
            caption = Html(f"{caption}\n{texts('report_national_caption')}")
        documents.append(Document(f"rekap-nasional-{n}.png", build, caption, photo=True))
    return tuple(documents)


def program_code_asked(update: Update) -> str | None:
    """The program code typed after /rekap_nasional, if any."""
    message = update.effective_message
    words = (message.text or "").split(maxsplit=1) if message else []
    return words[1].strip() if len(words) > 1 else None


@conversation_turn
async def on_national(update: Update, turn: Turn) -> None:
    """/rekap_nasional (organizers): the current programs' meetings as a table and a chart; with a code, that program."""
    who = await authority(turn)
    if not who.is_admin:
        refuse(turn, who)
        return
    code = program_code_asked(update)
    if code is None:
        view = await current_national_recap(turn.session, now=turn.now)
    else:
        program = await program_by_code(turn.session, code)
        if program is None:
            turn.say("report_national_unknown_program", code=code)
            return
        view = await program_national_recap(turn.session, program, now=turn.now)
    if not view.recaps and not view.left_out:
        turn.say("report_national_empty")
        return
    text = national_text(view.recaps, turn.texts, view.programs)
    if view.left_out:
        left_out = turn.texts("report_national_left_out", count=len(view.left_out), example=view.left_out[0].code)
        text = Html(f"{text}\n\n{left_out}")
    turn.say_html(text, documents=national_charts(view.recaps, turn.texts) if view.recaps else ())


@conversation_turn
async def on_export_all(update: Update, turn: Turn) -> None:
    """/ekspor_semua (organizers): the roster of every listed meeting as files."""
    who = await authority(turn)
    if not who.is_admin:
        refuse(turn, who)
        return
    rows = await roster(turn.session, await listed_meetings(turn.session))
    await send_export(turn, rows, "semua", turn.texts.plain("report_export_all"), None)


@conversation_turn
async def on_page(update: Update, turn: Turn) -> None:
    """Another page of a roster; the presser must still manage that meeting."""
    action = cb.pressed(update)
    if not isinstance(action, cb.RosterListPage):
        return
    meeting = await managed_meeting(turn, await authority(turn), action.meeting_id)
    if meeting is not None:
        await show_roster_page(turn, meeting, action.page, rewrite=True)


def register_handlers(application: Application) -> None:
    """Add the report commands and the roster's page buttons."""
    private = filters.ChatType.PRIVATE
    for code in ("rekap", "peserta", "ekspor"):
        application.add_handler(CommandHandler(code, command_handler(code), filters=private))
    application.add_handler(CommandHandler("rekap_nasional", on_national, filters=private))
    application.add_handler(CommandHandler("ekspor_semua", on_export_all, filters=private))
    application.add_handler(CallbackQueryHandler(on_page, pattern=cb.matches(cb.RosterListPage)))
