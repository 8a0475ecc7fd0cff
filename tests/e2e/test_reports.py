"""Reports through the real bot: /rekap, /peserta, /ekspor for PICs, /rekap_nasional and /ekspor_semua for organizers."""

from __future__ import annotations

import csv
import dataclasses
import io
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageColor
from sqlalchemy import select

from bot.settings import DEFAULT_PROGRAM_FILE
from handlers import callback_data as cb
from handlers.report_files import CHART_AT_RISK, CHART_FREE, CHART_TAKEN
from models.audit import AuditEntry
from models.participant import upsert_participant
from models.program import listed_meetings, meeting_by_code
from models.program_file import apply_program, parse_program
from models.provinces import PROVINCES
from models.seats import register as claim
from tests.e2e.chat import bytes_of, next_with
from tests.e2e.conftest import RunningBot, running_bot
from tests.models import factories
from tests.models.factories import T0, meeting_and_role, program_copy

ADMIN = 7001
ACEH_PIC = 7002
BENGKULU_PIC = 7003
PARTICIPANT = 7004
# The longest name a participant may type, with characters HTML must escape.
LONG = "Dr. Siti & <Rahmawati>"
# A name a spreadsheet would run as a formula.
FORMULA = '=HYPERLINK("http://x","klik")'


@pytest.fixture
async def bot(standin, db_url) -> AsyncIterator[RunningBot]:
    """The bot with one organizer."""
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


def long_name(n: int) -> str:
    return f"{LONG} {n:03d} " + "Kusumawardhani " * 7


async def seed(bot: RunningBot, meeting_code: str, roles: dict[str, int], first: int) -> None:
    """People registered for the meeting's roles, one minute apart, with the longest details allowed."""

    async def write(session) -> None:
        n = first
        for role_code, count in roles.items():
            meeting, role = await meeting_and_role(session, meeting_code, role_code)
            for _ in range(count):
                moment = T0 + timedelta(minutes=n - first)
                person = await upsert_participant(
                    session,
                    telegram_user_id=100_000 + n,
                    chat_id=100_000 + n,
                    full_name=long_name(n)[:120],
                    institution=("Dinas Perpustakaan & Kearsipan <Kabupaten> " * 3)[:120],
                    position=('Kepala Bidang "Layanan" ' * 5)[:120],
                    phone_e164=f"+62812{n:07d}",
                    now=moment,
                )
                await claim(session, participant=person, meeting=meeting, role=role, now=moment)
                n += 1

    await bot.query(write)


async def make_pic(bot: RunningBot, user_id: int, meeting_code: str) -> None:
    await bot.query(lambda s: factories.make_pic(s, meeting_code, user_id))


async def meeting_id(bot: RunningBot, code: str) -> int:
    return (await bot.query(lambda s: meeting_by_code(s, code))).id


def file_of(bot: RunningBot, message) -> bytes:
    return bytes_of(bot.standin, message)


def table_rows(text: str) -> dict[str, list[str]]:
    """The monospace table of the national recap, by its first column."""
    return {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}


def recap_rows(recap) -> dict[str, list[str]]:
    """/rekap's monospace table: each role's name (a line of its own) to the counts on the line under it."""
    pre = next(e for e in recap.entities if e["type"] == "pre")
    # Entity offsets count UTF-16 code units.
    units = recap.plain_text.encode("utf-16-le")[2 * pre["offset"] : 2 * (pre["offset"] + pre["length"])]
    lines = units.decode("utf-16-le").splitlines()[1:]
    return {name: counts.split() for name, counts in zip(lines[::2], lines[1::2], strict=True)}


# Aceh's date is not announced, so these seats plan no reminders: the tests' clock stays put.
ACEH_ROLES = {
    "tim_sinergi": 7,
    "stakeholder": 20,
    "fasilitator": 2,
    "rm_desa": 1,
    "rm_dispusip": 1,
    "rm_bappeda": 1,
    "rm_dpmpd": 1,
    "pemustaka": 1,
}


async def test_a_pic_reads_the_recap_and_pages_through_the_roster(bot) -> None:
    await seed(bot, "shm23-aceh", ACEH_ROLES, first=0)
    await make_pic(bot, ACEH_PIC, "shm23-aceh")
    pic = bot.standin.user(ACEH_PIC)
    await pic.send_text("/rekap")
    recap = await pic.next_message()
    rows = recap_rows(recap)
    # Quota, taken, confirmed, waiting, held, free; each role by the name the program file gives it.
    assert rows["Tim Sinergi Provinsi"] == ["5", "5", "0", "2", "0", "0"]
    assert rows["Stakeholder Provinsi"] == ["18", "18", "0", "2", "0", "0"]
    assert rows["Pemustaka yang terdampak TPBIS"] == ["1", "1", "0", "0", "0", "0"]
    assert rows["TOTAL"] == ["30", "30", "0", "4", "0", "0"]
    assert len(rows) == 9
    assert not any(code in recap.plain_text for code in ACEH_ROLES)

    await pic.send_text("/peserta")
    page = await pic.next_message()
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        seen.extend(line for line in page.plain_text.splitlines() if LONG in line)
        if not any("»" in label for label in page.button_texts):
            break
        await pic.press(page, text="»")
        await pic.wait_for(lambda u, p=page, before=page.edited: u.message(p.message_id).edited > before)
        page = pic.message(page.message_id)
    # 34 people with 120-character name, institution and position: several pages, everyone once, in order.
    assert pages >= 3
    assert [line.split(".")[0] for line in seen] == [str(n) for n in range(1, 35)]
    assert "Daftar tunggu no. 2" in seen[6] and "Dapat kursi, Belum menjawab" in seen[0]
    await pic.press(page, text="«")
    await pic.wait_for(lambda u, p=page, before=page.edited: u.message(p.message_id).edited > before)
    assert f"halaman {pages - 1}/{pages}" in pic.message(page.message_id).plain_text


async def test_exports_open_in_excel_and_hold_exactly_the_roster(bot) -> None:
    await seed(bot, "shm23-aceh", {"pemustaka": 3, "tim_sinergi": 2}, first=0)
    await seed(bot, "shm23-bengkulu", {"pemustaka": 1}, first=50)

    async def formula_name(session) -> None:
        person = await upsert_participant(
            session,
            telegram_user_id=200_001,
            chat_id=200_001,
            full_name=FORMULA,
            institution="@Dinas",
            position="-Kepala",
            phone_e164="+6281299990000",
            now=T0,
        )
        meeting, role = await meeting_and_role(session, "shm23-aceh", "stakeholder")
        await claim(session, participant=person, meeting=meeting, role=role, now=T0 + timedelta(hours=1))

    await bot.query(formula_name)
    await make_pic(bot, ACEH_PIC, "shm23-aceh")
    pic = bot.standin.user(ACEH_PIC)
    await pic.send_text("/ekspor")
    notice = await pic.next_message()
    assert "6 orang" in notice.plain_text and "data pribadi" in notice.plain_text
    xlsx_message, csv_message = await pic.next_message(), await pic.next_message()
    assert xlsx_message.document["file_name"].endswith(".xlsx")
    assert csv_message.document["file_name"].endswith(".csv")

    sheet = load_workbook(io.BytesIO(file_of(bot, xlsx_message))).active
    assert sheet.freeze_panes == "A2"
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == [
        "Pertemuan",
        "Nama",
        "Instansi",
        "Jabatan",
        "Nomor HP",
        "Peran",
        "Status",
        "No. tunggu",
        "Konfirmasi",
        "Waktu daftar (waktu setempat)",
        "Hadir",
    ]
    # Program order of roles: Tim Sinergi, Stakeholder, then Pemustaka (one seated, two waiting); phones as
    # people in Indonesia write them (stored as +628120000003).
    assert [(r[1], r[4], r[5], r[6], r[7], r[8]) for r in cells[1:]] == [
        (long_name(3)[:120], "0812-0000-003", "Tim Sinergi Provinsi", "Dapat kursi", None, "Belum menjawab"),
        (long_name(4)[:120], "0812-0000-004", "Tim Sinergi Provinsi", "Dapat kursi", None, "Belum menjawab"),
        (FORMULA, "0812-9999-0000", "Stakeholder Provinsi", "Dapat kursi", None, "Belum menjawab"),
        (long_name(0)[:120], "0812-0000-000", "Pemustaka yang terdampak TPBIS", "Dapat kursi", None, "Belum menjawab"),
        (long_name(1)[:120], "0812-0000-001", "Pemustaka yang terdampak TPBIS", "Daftar tunggu", 1, None),
        (long_name(2)[:120], "0812-0000-002", "Pemustaka yang terdampak TPBIS", "Daftar tunggu", 2, None),
    ]
    assert {r[0] for r in cells[1:]} == {"Aceh"}
    # Registered at 03:00 UTC: 10:00 in Aceh (WIB), stored as a plain Excel date.
    assert cells[4][9] == datetime(2023, 7, 1, 10, 0)
    # The formula-like name is text, not a formula.
    assert sheet.cell(row=4, column=2).data_type == "s"

    raw = file_of(bot, csv_message)
    assert raw.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert parsed[0] == cells[0]
    assert len(parsed) == len(cells) and [row[4] for row in parsed[1:]] == [row[4] for row in cells[1:]]
    assert parsed[4][9] == "2023-07-01 10:00 WIB"
    assert parsed[3][1:4] == ["'" + FORMULA, "'@Dinas", "'-Kepala"]

    # The organizer's whole-program export has both meetings.
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/ekspor_semua")
    await admin.next_message()
    everything = load_workbook(io.BytesIO(file_of(bot, await admin.next_message()))).active
    meetings = [row[0] for row in everything.iter_rows(min_row=2, values_only=True)]
    assert meetings == ["Aceh"] * 6 + ["Bengkulu"]
    await admin.next_message()  # the CSV
    audit = await bot.query(lambda s: s.execute(select(AuditEntry.actor_user_id, AuditEntry.details)))
    assert sorted((actor, details["rows"]) for actor, details in audit) == [(ADMIN, 7), (ACEH_PIC, 6)]


async def test_export_files_are_built_after_the_update_committed(bot) -> None:
    """No database lock is held while the file worker starts and builds: the export's audit entry is committed first."""
    await seed(bot, "shm23-aceh", {"stakeholder": 2}, first=0)
    services = bot.application.bot_data["services"]
    seen: list[int] = []

    class Spy:
        async def run(self, function, /, *args, **kwargs):
            seen.append(len(list(await bot.query(lambda s: s.scalars(select(AuditEntry.id))))))
            return await services.files.run(function, *args, **kwargs)

    bot.application.bot_data["services"] = dataclasses.replace(services, files=Spy())
    try:
        admin = bot.standin.user(ADMIN)
        await admin.send_text("/ekspor_semua")
        await admin.next_message()
        assert (await admin.next_message()).document["file_name"].endswith(".xlsx")
    finally:
        bot.application.bot_data["services"] = services
    assert seen == [1]


async def test_the_organizer_gets_the_national_recap_as_table_and_chart(bot) -> None:
    await seed(bot, "shm23-aceh", {"stakeholder": 20}, first=0)
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/rekap_nasional")
    table = await admin.next_message()
    assert "38 pertemuan · 18/1140 kursi terisi" in table.plain_text
    rows = table_rows(table.plain_text.split("\n\n")[1])
    assert rows["Aceh"] == ["18/30", "2"] and rows["Bengkulu"] == ["0/30", "0"]
    chart = await admin.next_message()
    assert chart.kind == "photo" and "merah dan (!) = berisiko" in chart.plain_text
    png = file_of(bot, chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    # Width and height from the PNG header: legible on a phone, within Telegram's photo limits.
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert 700 <= width <= 1280 and height <= 2.5 * width
    # Built in the file worker: the bot's own process (this one) never loads the charting library.
    assert "matplotlib" not in sys.modules

    # An organizer chooses the meeting for a PIC's command.
    await admin.send_text("/rekap")
    chooser = await admin.next_message()
    assert "Pilih pertemuan" in chooser.plain_text
    await admin.press(chooser, text="Aceh")
    recap = await admin.next_message()
    assert recap_rows(recap)["Stakeholder Provinsi"] == ["18", "18", "0", "2", "0", "0"]


def chart_bands(png: bytes) -> list[tuple[str | None, float]]:
    """The chart's bars read back from its pixels, top to bottom: (colour of the taken part or None, share taken).

    A bar and its grey track form one run of pixels of the chart's three colours, far longer than any
    legend square or letter; the share is the coloured part of the run.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    names = {
        ImageColor.getrgb(CHART_TAKEN): "taken",
        ImageColor.getrgb(CHART_AT_RISK): "at_risk",
        ImageColor.getrgb(CHART_FREE): "free",
    }
    pixels = image.load()
    bands: list[tuple[str | None, float]] = []
    inside = False
    for y in range(height):
        run: list[str] = []
        longest: list[str] = []
        for x in range(width):
            name = names.get(pixels[x, y])
            if name is None:
                run = []
                continue
            run.append(name)
            if len(run) > len(longest):
                longest = run
        is_bar = len(longest) > width / 4
        if is_bar and not inside:
            colours = set(longest) - {"free"}
            assert len(colours) <= 1, f"one colour per bar, row {y}: {colours}"
            bands.append((colours.pop() if colours else None, 1 - longest.count("free") / len(longest)))
        inside = is_bar
    return bands


async def test_the_national_chart_shows_38_provinces_emptiest_first_with_the_at_risk_ones_red(bot) -> None:
    # The organizers look 40 days ahead: on 1 July all six dated meetings (26 July - 8 August) are judged.
    source = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8").replace("lagging_days: 14", "lagging_days: 40")
    await bot.query(lambda s: apply_program(s, parse_program(source), now=bot.clock.now()))
    everything = dict.fromkeys(ACEH_ROLES, 0) | {"tim_sinergi": 5, "stakeholder": 18, "fasilitator": 2}
    everything = {code: count or 1 for code, count in everything.items()}
    dated = {
        "shm23-bengkulu": {},  # 0/30, at risk
        "shm23-jawa-barat": {"tim_sinergi": 5, "stakeholder": 18},  # 23/30, role models missing
        "shm23-jawa-tengah": everything,  # 30/30
        "shm23-kalimantan-tengah": {
            "tim_sinergi": 3,
            "stakeholder": 9,
            "fasilitator": 1,
            "rm_desa": 1,
            "rm_dispusip": 1,
            "rm_bappeda": 1,
            "rm_dpmpd": 1,
            "pemustaka": 1,
        },  # 18/30, on track
        "shm23-kalimantan-selatan": {"stakeholder": 10},  # 10/30, at risk
        "shm23-sumatera-utara": {"stakeholder": 3},  # 3/30, at risk
    }
    meetings = await bot.query(listed_meetings)
    assert len(meetings) == len(PROVINCES) == 38
    undated = [m.code for m in meetings if m.code not in dated]
    # The undated meetings (never at risk) at every fill from empty to full; Aceh ties with Sumatera Utara.
    plan = dated | {code: everything if n % 8 == 7 else {"stakeholder": (n * 5) % 19} for n, code in enumerate(undated)}
    plan["shm23-aceh"] = {"stakeholder": 3}
    first = 0
    for code, roles in plan.items():
        await seed(bot, code, roles, first=first)
        first += sum(roles.values())
    at_risk = {"Bengkulu", "Jawa Barat", "Kalimantan Selatan", "Sumatera Utara"}
    province = {m.code: m.province.name for m in meetings}
    taken = {province[code]: sum(roles.values()) for code, roles in plan.items()}

    admin = bot.standin.user(ADMIN)
    await admin.send_text("/rekap_nasional")
    # The organizer's first message ends with how to switch the language.
    table = (await next_with(admin, "Rekap nasional", timeout=60)).plain_text.split("\n\n🌐")[0]
    assert set(table.split("Berisiko (4): ")[1].split(", ")) == at_risk
    await admin.wait_for(lambda u: any(m.kind == "photo" for m in u.messages), timeout=60)
    chart = next(m for m in admin.messages if m.kind == "photo")
    # The caption says what the picture's colours say.
    assert "biru = terisi, merah dan (!) = berisiko, abu-abu = kosong" in chart.plain_text
    png = file_of(bot, chart)
    image = Image.open(io.BytesIO(png))
    image.verify()
    # Sized for a phone: 390 px wide shows it at half size or more; tall, but no taller than 2.5 widths.
    assert 700 <= image.width <= 1280 and image.height <= 2.5 * image.width
    expected = sorted(
        ((name, n / 30, name in at_risk) for name, n in taken.items()), key=lambda bar: (bar[1], not bar[2], bar[0])
    )
    bands = chart_bands(png)
    assert len(bands) == 38
    assert [colour for colour, _ in bands] == [
        None if share == 0 else "at_risk" if risky else "taken" for _, share, risky in expected
    ]
    # Each bar's length is its share of seats taken (to a pixel or two of the ~380 px track).
    assert all(abs(seen - share) < 0.01 for (_, seen), (_, share, _) in zip(bands, expected, strict=True))
    assert "matplotlib" not in sys.modules


async def test_the_programs_alert_rules_put_the_same_meetings_at_risk_in_recaps_and_digest(bot) -> None:
    # The organizers look 30 days ahead (the shipped file says 14): on 2 July, Bengkulu (26 July) is at risk.
    source = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8").replace("lagging_days: 14", "lagging_days: 30")
    await bot.query(lambda s: apply_program(s, parse_program(source), now=bot.clock.now()))
    await make_pic(bot, BENGKULU_PIC, "shm23-bengkulu")
    # The PIC has a chat with the bot before the clock moves: the move may bring them their alerts.
    pic = bot.standin.user(BENGKULU_PIC)
    bot.clock.set(datetime(2023, 7, 2, 1, 0, tzinfo=UTC))  # Sunday, 08:00 WIB: the national digest goes
    admin = bot.standin.user(ADMIN)
    risky = (await next_with(admin, "Ringkasan nasional")).plain_text.split("Lainnya")[0]
    await admin.send_text("/rekap_nasional")
    # The organizer's first answer ends with how to switch the language.
    table = (await next_with(admin, "Rekap nasional")).plain_text.split("\n\n🌐")[0]
    await admin.next_message()  # the chart
    count, names = table.split("Berisiko (")[1].split("): ")
    assert f"Berisiko ({count})" in risky and "Bengkulu" in names
    assert all(name in risky for name in names.split(", "))
    await pic.send_text("/rekap")
    recap = (await next_with(pic, "Rekap Bengkulu")).plain_text
    # The roles at risk by their names and fill, as the national digest names them; no internal codes.
    assert "Berisiko: peran Tim Sinergi Provinsi 0/5, Stakeholder Provinsi 0/18, " in recap
    assert "Perwakilan Desa (Role Model) 0/1" in recap and "Perwakilan Desa (Role Model) 0/1" in risky
    assert not any(code in recap for code in ACEH_ROLES)


async def test_participants_and_other_provinces_pics_are_refused(bot) -> None:
    await seed(bot, "shm23-aceh", {"stakeholder": 20}, first=0)
    await seed(bot, "shm23-bengkulu", {"pemustaka": 1}, first=50)
    await make_pic(bot, ACEH_PIC, "shm23-aceh")
    await make_pic(bot, BENGKULU_PIC, "shm23-bengkulu")
    participant = bot.standin.user(PARTICIPANT)
    for command in ("/rekap", "/peserta", "/ekspor", "/rekap_nasional", "/ekspor_semua"):
        await participant.send_text(command)
        assert "hanya untuk panitia" in (await participant.next_message()).plain_text
    # A PIC is not an organizer.
    pic = bot.standin.user(BENGKULU_PIC)
    for command in ("/rekap_nasional", "/ekspor_semua"):
        await pic.send_text(command)
        assert "hanya untuk panitia" in (await pic.next_message()).plain_text
    # Forged buttons naming Aceh, pressed by Bengkulu's PIC, show nothing of Aceh.
    await pic.send_text("/peserta")
    own = await pic.next_message()
    assert "Peserta Bengkulu" in own.plain_text and f"{LONG} 050" in own.plain_text
    aceh = await meeting_id(bot, "shm23-aceh")
    for forged in (cb.StaffPick("ekspor", aceh), cb.StaffPick("peserta", aceh), cb.RosterListPage(aceh, 1)):
        await pic.press_forged(own, cb.pack(forged))
        refusal = await pic.next_message()
        assert "hanya untuk panitia" in refusal.plain_text
    assert not any(m.kind == "document" for m in pic.messages)
    assert all(f"{LONG} 000" not in m.plain_text for m in pic.messages)
    assert "Peserta Bengkulu" in pic.message(own.message_id).plain_text


async def test_the_national_recap_leaves_out_a_program_finished_long_ago_and_shows_it_when_asked(bot) -> None:
    await bot.query(
        lambda s: apply_program(s, program_copy("shm-provinsi-2021", datetime(2021, 7, 1, 2, tzinfo=UTC)), now=T0)
    )
    await seed(bot, "shm23-aceh", {"stakeholder": 20}, first=0)
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/rekap_nasional")
    table = await next_with(admin, "Rekap nasional", timeout=60)
    assert "38 pertemuan · 18/1140 kursi terisi" in table.plain_text
    assert "1 program selesai tidak ditampilkan" in table.plain_text
    assert "/rekap_nasional shm-provinsi-2021" in table.plain_text
    await admin.wait_for(lambda u: any(m.kind == "photo" for m in u.messages), timeout=60)
    assert sum(m.kind == "photo" for m in admin.messages) == 1

    admin.messages.clear()
    await admin.send_text("/rekap_nasional shm-provinsi-2021")
    old = await next_with(admin, "Rekap nasional", timeout=60)
    assert "38 pertemuan · 0/1140 kursi terisi" in old.plain_text and "tidak ditampilkan" not in old.plain_text
    assert table_rows(old.plain_text.split("\n\n")[1])["Aceh"] == ["0/30", "0"]
    await admin.wait_for(lambda u: any(m.kind == "photo" for m in u.messages), timeout=60)

    await admin.send_text("/rekap_nasional shm-1999")
    unknown = await next_with(admin, "Tidak ada program berkode", timeout=60)
    assert "shm-1999" in unknown.plain_text


async def test_a_program_of_150_meetings_gets_its_chart_in_parts_telegram_accepts(bot) -> None:
    # A second current program, beside the shipped one: 188 meetings in all.
    big = program_copy("shm-kabupaten-2023", datetime(2023, 8, 14, 2, tzinfo=UTC), meetings=150)
    await bot.query(lambda s: apply_program(s, big, now=T0))
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/rekap_nasional")
    await admin.wait_for(lambda u: sum(m.kind == "photo" for m in u.messages) == 5, timeout=120)
    text = "\n".join(m.plain_text for m in admin.messages if m.kind == "text")
    assert "188 pertemuan" in text and "Program: shm-kabupaten-2023" in text and "Program: shm-provinsi-2023" in text
    photos = [m for m in admin.messages if m.kind == "photo"]
    assert "bagian 1 dari 5" in photos[0].plain_text and "merah dan (!) = berisiko" in photos[0].plain_text
    assert "bagian 5 dari 5" in photos[4].plain_text
    bars = 0
    for photo in photos:
        png = file_of(bot, photo)
        image = Image.open(io.BytesIO(png))
        # Each part reads like the one chart of a single program: as wide, no taller than 2.5 widths.
        assert 700 <= image.width <= 1280 and image.height <= 2.5 * image.width
        bars += len(chart_bands(png))
    assert bars == 188
    # The stand-in refused nothing (running_bot checks its problems when the bot stops).
    assert bot.standin.core.problems == []
