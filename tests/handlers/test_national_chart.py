"""The national chart: its bars' order and at-risk marks (a pure function), and the picture the file worker draws."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.file_worker import FileWorker
from handlers.report_files import CHART_BARS_PER_IMAGE, ChartBar, chart_bars, chart_parts, national_chart
from handlers.texts import Texts
from models.alert_rules import AlertRules, lagging_roles
from models.program import Meeting, Role
from models.provinces import PROVINCES
from models.registration import RoleAvailability
from models.reports import MeetingRecap

NOW = datetime(2023, 7, 1, 3, 0, tzinfo=UTC)
# The shipped program's roles and seats.
ROLES = [
    Role(id=n, code=code, name=name, position=n)
    for n, (code, name) in enumerate(
        [
            ("tim_sinergi", "Tim Sinergi Provinsi"),
            ("stakeholder", "Stakeholder Provinsi"),
            ("fasilitator", "Fasilitator Daerah / PIC Provinsi"),
            ("rm_desa", "Perwakilan Desa (Role Model)"),
            ("rm_dispusip", "Dinas Perpustakaan Kabupaten/Kota (Role Model)"),
            ("rm_bappeda", "Bappeda Kabupaten/Kota (Role Model)"),
            ("rm_dpmpd", "DPMPD Kabupaten/Kota (Role Model)"),
            ("pemustaka", "Pemustaka yang terdampak TPBIS"),
        ]
    )
]
SEATS = [5, 18, 2, 1, 1, 1, 1, 1]
# What the phone shows: the picture scaled to this width, where text must stay this many pixels tall or more.
PHONE_WIDTH = 390
SMALLEST_TEXT = 10


def recap(province_code: str, taken: list[int], starts_in: timedelta | None, *, held: int = 0) -> MeetingRecap:
    """A meeting's recap with these seats taken per role, at risk or not by the default alert rule."""
    meeting = Meeting(
        code=f"m{province_code}",
        province_code=province_code,
        starts_at=NOW + starts_in if starts_in is not None else None,
    )
    fills = [
        RoleAvailability(role, seats, seated=n, waitlisted=0)
        for role, seats, n in zip(ROLES, SEATS, taken, strict=True)
    ]
    if held:
        fills[1] = RoleAvailability(ROLES[1], 18, seated=taken[1] - held, waitlisted=0, held=held)
    return MeetingRecap(meeting, fills, lagging_roles(fills, meeting.starts_at, NOW, AlertRules()))


def mixed_program() -> dict[str, MeetingRecap]:
    """One meeting in each of the 38 provinces: empty to full, far away, near or undated."""
    full, empty = list(SEATS), [0] * 8
    shapes = {
        "11": (empty, None),  # Aceh: empty, undated: not at risk
        "17": (empty, timedelta(days=6)),  # Bengkulu: empty and near: at risk
        "32": ([5, 18, 2, 0, 1, 1, 1, 1], timedelta(days=10)),  # Jawa Barat: 29/30 but a role model missing
        "33": (full, timedelta(days=3)),  # Jawa Tengah: full
        "62": ([3, 9, 1, 1, 1, 1, 1, 1], timedelta(days=13)),  # Kalimantan Tengah: 18/30, every role on track
        "63": ([0, 9, 0, 0, 0, 0, 0, 0], timedelta(days=30)),  # Kalimantan Selatan: 9/30, far: not yet at risk
        "12": ([0, 9, 0, 0, 0, 0, 0, 0], timedelta(days=2)),  # Sumatera Utara: 9/30, near: at risk
        "73": ([0, 9, 0, 0, 0, 0, 0, 0], None),  # Sulawesi Selatan: 9/30, undated
        "75": ([0, 9, 0, 0, 0, 0, 0, 0], timedelta(days=-1)),  # Gorontalo: started yesterday: no longer judged
    }
    recaps = {}
    for n, code in enumerate(PROVINCES):
        taken, starts_in = shapes.get(code, ([min(n % 6, 5), (n * 7) % 19, n % 3, *[n % 2] * 5], None))
        recaps[code] = recap(code, taken, starts_in)
    # Held for someone from the waiting list: taken, as the alert rule counts it.
    recaps["35"] = recap("35", [5, 18, 2, 1, 1, 1, 1, 1], timedelta(days=5), held=2)
    return recaps


def test_bars_are_the_38_provinces_emptiest_first_with_the_alert_rules_at_risk_marks() -> None:
    recaps = mixed_program()
    bars = chart_bars(list(recaps.values()))
    assert len(bars) == 38 and {bar.province for bar in bars} == {p.name for p in PROVINCES.values()}
    by_name = {bar.province: bar for bar in bars}
    # Marked exactly where models.alert_rules puts the meeting at risk (national_recap's rule).
    assert {bar.province for bar in bars if bar.at_risk} == {r.province_name for r in recaps.values() if r.at_risk}
    assert {"Bengkulu", "Jawa Barat", "Sumatera Utara"} <= {bar.province for bar in bars if bar.at_risk}
    assert not {
        "Aceh",
        "Jawa Tengah",
        "Kalimantan Tengah",
        "Kalimantan Selatan",
        "Sulawesi Selatan",
        "Gorontalo",
        "Jawa Timur",
    } & {bar.province for bar in bars if bar.at_risk}
    assert (by_name["Jawa Barat"].taken, by_name["Jawa Barat"].seats) == (29, 30)
    assert (by_name["Jawa Timur"].taken, by_name["Jawa Timur"].share) == (30, 1.0)
    # Emptiest first; among equals the at-risk ones first, then by name.
    assert [bar.share for bar in bars] == sorted(bar.share for bar in bars)
    keys = [(bar.share, not bar.at_risk, bar.province) for bar in bars]
    assert keys == sorted(keys)
    nine = [bar.province for bar in bars if bar.taken == 9]
    assert nine[0] == "Sumatera Utara" and {"Kalimantan Selatan", "Sulawesi Selatan", "Gorontalo"} <= set(nine)
    assert bars[0].province == "Bengkulu" and bars[0].taken == 0


def test_a_share_is_of_the_meetings_own_seats_and_never_over_the_whole() -> None:
    assert ChartBar("Aceh", 12, 24, False).share == 0.5
    assert ChartBar("Aceh", 31, 30, False).share == 1.0
    assert ChartBar("Aceh", 0, 0, False).share == 0.0


def _drawn(
    bars: list[ChartBar], language: str
) -> tuple[int, int, float, list[tuple[float, float, float, float]], bytes]:
    """In the worker: the chart's size in pixels, its smallest font in pixels, every text's box, and the PNG."""
    from matplotlib.text import Text

    from handlers.report_files import chart_figure

    texts = Texts(language)
    figure = chart_figure(bars, texts)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    shown = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [tuple(t.get_window_extent(renderer).bounds) for t in shown]
    smallest = min(t.get_fontsize() for t in shown) * figure.dpi / 72
    width, height = figure.canvas.get_width_height()
    return width, height, smallest, boxes, national_chart(bars, texts)


@pytest.mark.parametrize("language", ["id", "en"])
async def test_the_worker_draws_38_bars_readable_on_a_390_px_phone(language: str) -> None:
    bars = chart_bars(list(mixed_program().values()))
    worker = FileWorker(idle_seconds=5)
    try:
        width, height, smallest, boxes, png = await worker.run(_drawn, bars, language)
    finally:
        worker.stop()
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (width, height)
    # Tall is fine, but within Telegram's photo limits (sides summing under 10,000, ratio under 20).
    assert 700 <= width <= 1280 and width + height <= 10_000 and height / width < 2.5
    assert smallest * PHONE_WIDTH / width >= SMALLEST_TEXT
    # Titles, legend, 38 names and 38 counts, none cut off at the picture's edges.
    assert len(boxes) >= 2 + 3 + 2 * 38
    assert all(x >= 0 and y >= 0 and x + w <= width and y + h <= height for x, y, w, h in boxes)


async def test_a_program_without_meetings_still_draws() -> None:
    worker = FileWorker(idle_seconds=5)
    try:
        png = await worker.run(national_chart, [], Texts("id"))
    finally:
        worker.stop()
    assert Image.open(io.BytesIO(png)).size[0] >= 700


def test_more_bars_than_one_image_holds_go_in_even_parts_in_their_order() -> None:
    bars = [ChartBar(f"P{n:04d}", n % 31, 30, n % 7 == 0) for n in range(1_520)]
    assert chart_parts(bars[:CHART_BARS_PER_IMAGE]) == [bars[:CHART_BARS_PER_IMAGE]]
    assert chart_parts([]) == [[]]
    parts = chart_parts(bars[:150])
    assert [len(part) for part in parts] == [38, 38, 37, 37]
    assert [bar for part in parts for bar in part] == bars[:150]
    parts = chart_parts(bars)
    assert len(parts) == 38 and max(map(len, parts)) <= CHART_BARS_PER_IMAGE
    assert [bar for part in parts for bar in part] == bars
