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
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from handlers.texts import Texts
from models.person_details import phone_as_written
from models.provinces import ZONE_ABBREVIATIONS
from models.registration import RegistrationStatus
from models.reports import MeetingRecap, RosterRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Roster columns by catalogue key (`report_column_<key>`); registered_at is a date and time.
COLUMNS = (
    "meeting",
    "name",
    "institution",
    "position",
    "phone",
    "role",
    "status",
    "waitlist_position",
    "attendance",
    "registered_at",
    # When the person was checked in at the meeting (local time); empty if they were not.
    "checked_in",
)
TYPED_COLUMNS = {"name", "institution", "position"}
DATE_COLUMNS = {"registered_at", "checked_in"}
EXCEL_DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 50
# The chart is read on a phone, 390 px wide: at 800 px, 16 pt (22 px) text shows 11 px tall there.
CHART_DPI = 100
CHART_WIDTH_INCHES = 8.0
CHART_FONT_POINTS = 16
CHART_TITLE_POINTS = 18
CHART_ROW_INCHES = 0.36
# Bars per image: a program's 38 meetings fit one, about 1,600 px tall; more go in parts of this size, each as
# readable on a phone as the one, where a single image would be shrunk past reading (and Telegram refuses a
# photo whose width and height sum past 10,000 px).
CHART_BARS_PER_IMAGE = 40
# A bar is this share of its row's height; the rest keeps neighbours apart.
CHART_BAR_HEIGHT = 0.64
# Title, totals and legend above the bars; a margin below and at the sides.
CHART_HEAD_INCHES = 1.45
# Where the totals and the legend start below the title's top.
CHART_TOTALS_INCHES = 0.42
CHART_LEGEND_INCHES = 0.8
CHART_FOOT_INCHES = 0.2
CHART_PAD_INCHES = 0.15
CHART_GAP_INCHES = 0.12
# One meaning per colour: seats taken, seats taken where the meeting is at risk, free seats.
CHART_TAKEN = "#2563a8"
CHART_AT_RISK = "#c62828"
CHART_FREE = "#dcdcdc"


def status_label(row: RosterRow, texts: Texts) -> str:
    """'Dapat kursi', 'Ditawari kursi' or 'Daftar tunggu'."""
    return texts.plain(f"report_status_{row.status.value}")


def attendance_label(row: RosterRow, texts: Texts) -> str:
    """The answer to the attendance question of someone holding a seat; empty for those waiting."""
    if row.status == RegistrationStatus.WAITLISTED:
        return ""
    answer = {True: "yes", False: "no", None: "by_hand" if row.by_hand else "none"}[row.attendance]
    return texts.plain(f"report_attendance_{answer}")


def _values(row: RosterRow, texts: Texts) -> dict[str, str | int | datetime | None]:
    return {
        "meeting": row.province_name,
        "name": row.full_name,
        "institution": row.institution,
        "position": row.position,
        "phone": phone_as_written(row.phone_e164),
        "role": row.role_name,
        "status": status_label(row, texts),
        "waitlist_position": row.waitlist_position,
        "attendance": attendance_label(row, texts),
        "registered_at": row.registered_at,
        "checked_in": row.checked_in_at,
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
                assert isinstance(value.tzinfo, ZoneInfo), "a report's times are in their meeting's zone"
                zone = ZONE_ABBREVIATIONS[value.tzinfo.key]
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
            widths[n] = max(widths[n], 16 if column in DATE_COLUMNS else len(str(values[column] or "")))
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


@dataclass(frozen=True)
class ChartBar:
    """One meeting's bar on the national chart: its seats taken of its seats, and whether it is at risk."""

    province: str
    taken: int
    seats: int
    at_risk: bool

    @property
    def share(self) -> float:
        return min(self.taken / self.seats, 1.0) if self.seats else 0.0


def chart_bars(recaps: Sequence[MeetingRecap]) -> list[ChartBar]:
    """The national chart's bars, emptiest first (those need the organizers): at-risk ones first among equals."""
    bars = [ChartBar(r.province_name, r.total("taken"), r.total("seats"), r.at_risk) for r in recaps]
    return sorted(bars, key=lambda bar: (bar.share, not bar.at_risk, bar.province))


def chart_parts(bars: Sequence[ChartBar]) -> list[list[ChartBar]]:
    """The bars cut, in their order, into as few images of at most CHART_BARS_PER_IMAGE as will do, evenly."""
    count = max(-(-len(bars) // CHART_BARS_PER_IMAGE), 1)
    size, extra = divmod(len(bars), count)
    parts, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        parts.append(list(bars[start:end]))
        start = end
    return parts


def chart_figure(
    bars: Sequence[ChartBar], texts: Texts, *, part: tuple[int, int] | None = None, everything: Sequence[ChartBar] = ()
) -> Figure:
    """The national chart: one bar per meeting in the given order, the share of seats taken on a grey track.

    At-risk meetings are red, their names marked; each bar's seats taken of its seats stand at the right.
    One `part` (number, of) of a chart cut in parts says so in its title, its totals those of `everything`.
    The layout is placed by hand in inches (a layout engine would draw the figure twice).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = max(len(bars), 1)
    width, height = CHART_WIDTH_INCHES, CHART_HEAD_INCHES + CHART_ROW_INCHES * rows + CHART_FOOT_INCHES
    figure = Figure(figsize=(width, height), dpi=CHART_DPI)
    renderer = FigureCanvasAgg(figure).get_renderer()
    marker = texts.plain("report_chart_at_risk_marker")
    pad, gap = CHART_PAD_INCHES / width, CHART_GAP_INCHES / width

    def row_y(n: int) -> float:
        return 1 - (CHART_HEAD_INCHES + CHART_ROW_INCHES * (n + 0.5)) / height

    def widest(labels: list[Text]) -> float:
        """The labels' widest extent as a share of the figure's width."""
        return max((label.get_window_extent(renderer).width for label in labels), default=0.0) / (width * CHART_DPI)

    names, counts = [], []
    for n, bar in enumerate(bars):
        style: dict[str, Any] = {"color": CHART_AT_RISK, "fontweight": "bold"} if bar.at_risk else {}
        name = f"{marker} {bar.province}" if bar.at_risk else bar.province
        names.append(figure.text(pad, row_y(n), name, ha="left", va="center", fontsize=CHART_FONT_POINTS, **style))
        counts.append(
            figure.text(
                1 - pad,
                row_y(n),
                f"{bar.taken}/{bar.seats}",
                ha="right",
                va="center",
                fontsize=CHART_FONT_POINTS,
                **style,
            )
        )
    # The bars take what the longest name and count leave; measuring now lays the texts out once.
    left, right = pad + widest(names) + gap, 1 - pad - widest(counts) - gap
    axes = figure.add_axes((left, CHART_FOOT_INCHES / height, right - left, CHART_ROW_INCHES * rows / height))
    axes.set_axis_off()
    axes.set_xlim(0, 1)
    axes.set_ylim(rows - 0.5, -0.5)
    # Each bar over its track, as one collection of rectangles: Axes.barh would add 76 patches one by one.
    boxes, colours = [], []
    half = CHART_BAR_HEIGHT / 2
    for y, bar in enumerate(bars):
        for length, colour in ((1.0, CHART_FREE), (bar.share, CHART_AT_RISK if bar.at_risk else CHART_TAKEN)):
            if length > 0:
                boxes.append([(0, y - half), (length, y - half), (length, y + half), (0, y + half)])
                colours.append(colour)
    # Without antialiasing the rectangles' edges are whole pixels of exactly their colour.
    axes.add_collection(PolyCollection(boxes, facecolors=colours, edgecolors="none", antialiaseds=False), autolim=False)

    top = 1 - CHART_PAD_INCHES / height
    title = texts.plain("report_chart_title")
    if part is not None:
        title = texts.plain("report_chart_title_part", title=title, part=part[0], parts=part[1])
    totalled = everything or bars
    figure.text(pad, top, title, ha="left", va="top", fontsize=CHART_TITLE_POINTS, fontweight="bold")
    figure.text(
        pad,
        top - CHART_TOTALS_INCHES / height,
        texts.plain(
            "report_chart_totals",
            taken=sum(bar.taken for bar in totalled),
            seats=sum(bar.seats for bar in totalled),
            at_risk=sum(bar.at_risk for bar in totalled),
        ),
        ha="left",
        va="top",
        fontsize=CHART_FONT_POINTS,
    )
    legend = [
        Patch(color=CHART_TAKEN, label=texts.plain("report_chart_legend_taken")),
        Patch(color=CHART_AT_RISK, label=texts.plain("report_chart_legend_at_risk", marker=marker)),
        Patch(color=CHART_FREE, label=texts.plain("report_chart_legend_free")),
    ]
    figure.legend(
        handles=legend,
        loc="upper left",
        bbox_to_anchor=(pad, top - CHART_LEGEND_INCHES / height),
        ncol=3,
        frameon=False,
        fontsize=CHART_FONT_POINTS,
        borderaxespad=0,
        borderpad=0,
        handlelength=1.0,
        handleheight=1.0,
        handletextpad=0.4,
        columnspacing=1.2,
    )
    return figure


def national_chart(
    bars: Sequence[ChartBar], texts: Texts, *, part: tuple[int, int] | None = None, everything: Sequence[ChartBar] = ()
) -> bytes:
    """The national chart (`chart_figure`), or one part of it, as PNG bytes."""
    out = io.BytesIO()
    # Fast compression: the chart is sent once and Telegram recompresses photos anyway.
    chart_figure(bars, texts, part=part, everything=everything).savefig(
        out, format="png", pil_kwargs={"compress_level": 1}
    )
    return out.getvalue()
