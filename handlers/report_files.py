"""Files made from reports: the roster as Excel and CSV, and the national fill chart as a PNG.

openpyxl and matplotlib are imported inside the functions that need them: the idle bot never
loads them. The functions are plain and synchronous so they can run in the file worker, a spawned
process: their arguments must be picklable.

The CSV is UTF-8 with a byte-order mark and `;` between fields: Excel set to Indonesian (whose
decimal separator is the comma) opens it in columns with the names' accents intact. Cells people
typed (names, institutions, positions) that begin like a formula (`=`, `+`, `-`, `@`, tab, CR)
are prefixed with `'` as OWASP advises, so a spreadsheet shows them as text instead of running
them; in the Excel file they are stored as text cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from handlers.texts import Texts
from models.provinces import ZONE_ABBREVIATIONS
from models.registration import RegistrationStatus
from models.reports import MeetingRecap, RosterRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Roster columns by catalogue key (`report_column_<key>`); registered_at is a date and time.
COLUMNS = ("meeting", "name", "institution", "position", "phone", "role", "status", "waitlist_position",
           "attendance", "registered_at")
TYPED_COLUMNS = {"name", "institution", "position"}
EXCEL_DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 50
# The chart: phone-width, one row per province.
CHART_WIDTH_INCHES = 7.0
CHART_ROW_INCHES = 0.26
CHART_DPI = 130


def status_label(row: RosterRow, texts: Texts) -> str:
    """'Dapat kursi', 'Ditawari kursi' or 'Daftar tunggu'."""
    return texts.plain(f"report_status_{row.status.value}")


def attendance_label(row: RosterRow, texts: Texts) -> str:
    """The answer to the attendance question of someone holding a seat; empty for those waiting."""
    if row.status == RegistrationStatus.WAITLISTED:
        return ""
    answer = {True: "yes", False: "no", None: "none"}[row.attendance]
    return texts.plain(f"report_attendance_{answer}")


def _values(row: RosterRow, texts: Texts) -> dict[str, object]:
    return {
        "meeting": row.province_name, "name": row.full_name, "institution": row.institution,
        "position": row.position, "phone": row.phone_e164, "role": row.role_name,
        "status": status_label(row, texts), "waitlist_position": row.waitlist_position,
        "attendance": attendance_label(row, texts), "registered_at": row.registered_at,
    }


def headers(texts: Texts) -> list[str]:
    """The column titles in the person's language."""
    return [texts.plain(f"report_column_{column}") for column in COLUMNS]


def defuse(value: str) -> str:
    """A typed text a spreadsheet will not take for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def roster_csv(rows: Sequence[RosterRow], texts: Texts) -> bytes:
    """The roster as CSV: UTF-8 with BOM, `;`-separated, times local with their zone (WIB/WITA/WIT)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(texts))
    for row in rows:
        values = _values(row, texts)
        cells = []
        for column in COLUMNS:
            value = values[column]
            if isinstance(value, datetime):
                zone = ZONE_ABBREVIATIONS[value.tzinfo.key]  # type: ignore[union-attr]
                value = f"{value:%Y-%m-%d %H:%M} {zone}"
            elif value is None:
                value = ""
            elif column in TYPED_COLUMNS:
                value = defuse(str(value))
            cells.append(value)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def roster_xlsx(rows: Sequence[RosterRow], texts: Texts) -> bytes:
    """The roster as one Excel sheet: frozen bold header, fitted columns, local times as real dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(texts.plain("report_sheet_title"))
    titles = headers(texts)
    table = [_values(row, texts) for row in rows]
    widths = [len(title) for title in titles]
    for values in table:
        for n, column in enumerate(COLUMNS):
            widths[n] = max(widths[n], 16 if column == "registered_at" else len(str(values[column] or "")))
    # A write-only sheet takes its layout before its rows.
    sheet.freeze_panes = "A2"
    for n, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(n)].width = min(width + 2, MAX_COLUMN_WIDTH)
    bold = Font(bold=True)
    header = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in table:
        cells = []
        for column in COLUMNS:
            value = values[column]
            if isinstance(value, datetime):
                # Excel has no zones: the meeting's local time, as people there read it.
                cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
                cell.number_format = EXCEL_DATE_FORMAT
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    # openpyxl takes a string starting with "=" for a formula; a name is never one.
                    cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def national_chart(recaps: Sequence[MeetingRecap], texts: Texts, *, title: str) -> bytes:
    """A heatmap of seats taken per province and role, at-risk provinces marked in red; PNG bytes.

    Each province's seats taken of its total stand at the right of its row. Cells carry no
    numbers: drawing some 300 labels would take most of the half second the chart may use.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure

    roles: list[str] = []
    for recap in recaps:
        roles.extend(r.role.code for r in recap.roles if r.role.code not in roles)
    fill: list[list[float]] = []
    for recap in recaps:
        by_code = {r.role.code: r for r in recap.roles}
        fill.append([by_code[c].taken / by_code[c].seats
                     if c in by_code and by_code[c].seats else float("nan") for c in roles])
    # Fixed margins in inches: a layout engine would draw the figure twice.
    height = 1.6 + CHART_ROW_INCHES * max(len(recaps), 1)
    figure = Figure(figsize=(CHART_WIDTH_INCHES, height), dpi=CHART_DPI)
    figure.subplots_adjust(left=2.0 / CHART_WIDTH_INCHES, right=1 - 0.7 / CHART_WIDTH_INCHES,
                           top=1 - 0.6 / height, bottom=1.0 / height)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    colours = LinearSegmentedColormap.from_list("fill", ["#d7301f", "#fdcc8a", "#1a9850"])
    axes.imshow(fill or [[float("nan")]], cmap=colours, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    # White lines between cells, so neighbouring cells of one colour stay apart.
    rows, columns = len(fill), len(roles)
    axes.hlines([y - 0.5 for y in range(1, rows)], -0.5, columns - 0.5, color="white", linewidth=1)
    axes.vlines([x - 0.5 for x in range(1, columns)], -0.5, rows - 0.5, color="white", linewidth=1)
    # Labels are placed as plain texts: matplotlib's tick objects cost more than the whole heatmap.
    axes.set_xticks([])
    axes.set_yticks([])
    left = axes.get_yaxis_transform()
    marker = texts.plain("report_chart_at_risk_marker")
    for y, recap in enumerate(recaps):
        style = {"color": "#b30000", "fontweight": "bold"} if recap.at_risk else {}
        name = f"{marker} {recap.province_name}" if recap.at_risk else recap.province_name
        axes.text(-0.02, y, name, transform=left, ha="right", va="center", fontsize=8, **style)
        axes.text(1.02, y, f"{recap.total('taken')}/{recap.total('seats')}", transform=left,
                  ha="left", va="center", fontsize=8, **style)
    below = axes.get_xaxis_transform()
    for x, code in enumerate(roles):
        axes.text(x, -0.01, code, transform=below, rotation=40, ha="right", va="top", fontsize=8,
                  rotation_mode="anchor")
    axes.set_title(f"{title}\n{texts.plain('report_chart_legend')}", fontsize=9)
    out = io.BytesIO()
    # Fast compression: the chart is sent once and Telegram recompresses photos anyway.
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()
