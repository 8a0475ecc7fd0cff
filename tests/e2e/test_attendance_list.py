"""/daftarhadir through the real bot: the signed attendance list as a PDF, read back with pypdf (which did not write it)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select, update

from handlers import callback_data as cb
from handlers.formatting import meeting_title
from models.audit import AuditEntry
from models.participant import Participant
from models.program import Meeting, RoleQuota, meeting_by_code
from models.registration import Registration, RegistrationStatus
from tests.e2e.chat import bytes_of, next_with
from tests.e2e.conftest import RunningBot, running_bot
from tests.models import factories
from tests.models.factories import T0, meeting_and_role

ADMIN = 7101
BENGKULU_PIC = 7102
ACEH_PIC = 7103
ENGLISH_PIC = 7104
BENGKULU = "shm23-bengkulu"
# Bengkulu (WIB): Rabu, 26 Juli 2023 pukul 09.00 WIB, 02:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
# The full 30 seats of a provincial meeting.
ROLES = {
    "tim_sinergi": 5,
    "stakeholder": 18,
    "fasilitator": 2,
    "rm_desa": 1,
    "rm_dispusip": 1,
    "rm_bappeda": 1,
    "rm_dpmpd": 1,
    "pemustaka": 1,
}
# Names outside Latin-1 (a macron, Turkish, Cyrillic, Vietnamese), as they must print.
UNICODE_NAME = "Ādi Şükrü Ольга Nguyễn"
LONG_INSTITUTION = "Dinas Perpustakaan dan Kearsipan Kabupaten Bengkulu Selatan Provinsi Bengkulu Bidang Layanan"
HEADER_WORD = "Tanda Tangan"


@pytest.fixture
async def bot(standin, db_url) -> AsyncIterator[RunningBot]:
    """The bot with one organizer."""
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


def name(n: int) -> str:
    # Zero-padded so that no name is the beginning of another ("Peserta 1" of "Peserta 10").
    return f"Peserta {n:03d}"


async def seat_people(
    bot: RunningBot,
    roles: dict[str, int],
    *,
    names: dict[int, str] | None = None,
    checked_in: dict[int, int] | None = None,
) -> list[int]:
    """Seated people at Bengkulu, numbered from 1 in role order, written straight to the tables; `checked_in`
    maps a number to the minutes before the start they were checked in. Returns the registration ids."""
    names, checked_in = names or {}, checked_in or {}

    async def write(session) -> list[int]:
        ids, n = [], 0
        for role_code, count in roles.items():
            meeting, role = await meeting_and_role(session, BENGKULU, role_code)
            for _ in range(count):
                n += 1
                details = {
                    "full_name": names.get(n, name(n)),
                    "institution": LONG_INSTITUTION if n == 2 else "Dinas Perpustakaan",
                    "position": "Kepala Bidang",
                    "phone_e164": f"+62812{n:07d}",
                }
                person = Participant(
                    telegram_user_id=200_000 + n, chat_id=200_000 + n, created_at=T0, updated_at=T0, **details
                )
                session.add(person)
                await session.flush()
                arrived = START - timedelta(minutes=checked_in[n]) if n in checked_in else None
                registration = Registration(
                    participant_id=person.id,
                    meeting_id=meeting.id,
                    role_id=role.id,
                    status=RegistrationStatus.SEATED,
                    queued_at=T0,
                    seated_at=T0,
                    checked_in_at=arrived,
                    **details,
                )
                session.add(registration)
                await session.flush()
                ids.append(registration.id)
        return ids

    return await bot.query(write)


async def make_pic(bot: RunningBot, user_id: int, meeting_code: str) -> None:
    await bot.query(lambda s: factories.make_pic(s, meeting_code, user_id))


async def meeting_id(bot: RunningBot, code: str) -> int:
    return (await bot.query(lambda s: meeting_by_code(s, code))).id


async def pdf_of(bot: RunningBot, user) -> tuple[str, pypdf.PdfReader]:
    """The text announcing the list, and the PDF document after it."""
    announcement = await next_with(user, "📄")
    document = await user.next_message()
    assert document.kind == "document", user.transcript()
    assert document.document["file_name"].endswith(".pdf") and document.document["file_name"].startswith(
        "daftar-hadir-shm23-bengkulu-20230726"
    )
    return announcement.plain_text, pypdf.PdfReader(io.BytesIO(bytes_of(bot.standin, document)))


def pages_text(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def in_order(text: str, words: list[str]) -> bool:
    """Whether the words occur in the text in this order."""
    at = 0
    for word in words:
        at = text.find(word, at)
        if at < 0:
            return False
        at += len(word)
    return True


def signature_numbers(text: str) -> list[int]:
    """The numbers beside the signature lines ('7.'), as the page shows them."""
    return [int(n) for n in re.findall(r"(?<![\d.])(\d+)\.(?!\d)", text)]


async def test_a_pic_gets_the_list_of_30_people_checked_in_first_then_empty_rows(bot) -> None:
    # 3 checked in: number 7 first (50 minutes before the start), then 2, then 30; the others by name.
    await seat_people(bot, ROLES, names={12: UNICODE_NAME}, checked_in={2: 30, 7: 50, 30: 5})
    await make_pic(bot, BENGKULU_PIC, BENGKULU)
    pic = bot.standin.user(BENGKULU_PIC)
    await pic.send_text("/daftarhadir")
    said, reader = await pdf_of(bot, pic)
    assert "Bengkulu" in said and "30 peserta berkursi, 3 sudah hadir" in said, pic.transcript()

    pages = pages_text(reader)
    text = "\n".join(pages)
    # 30 one-line rows and at least 5 empty ones fit on two pages, the committee's block included.
    assert len(pages) == 2, text
    assert all(HEADER_WORD in page for page in pages)
    assert "DAFTAR HADIR" in pages[0] and "Stakeholder Meeting Provinsi TPBIS 2023" in pages[0]
    assert "Rabu, 26 Juli 2023 pukul 09.00 WIB" in pages[0] and "Hotel Mercure Bengkulu, Bengkulu" in pages[0]
    # Arrived first, in their order, with their local time; then everyone else alphabetically ("Ādi" among the A's).
    others = [UNICODE_NAME] + [name(n) for n in range(1, 31) if n not in (2, 7, 12, 30)]
    assert in_order(text, [name(7), "Hadir 08.10", name(2), "Hadir 08.30", name(30), "Hadir 08.55", *others])
    # The long institution wraps inside its cell: every word is there, in order, none cut.
    assert in_order(text, LONG_INSTITUTION.split())
    # Numbered: 30 people, then at least 5 empty rows for walk-ins, each number beside its signature line.
    numbers = signature_numbers(text)
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 35, numbers
    # The committee signs: the place and date, and its title (the shipped program names no head: a line to write on).
    assert "Bengkulu, 26 Juli 2023" in pages[-1] and "Ketua Panitia" in pages[-1]
    # Written down, without names.
    entries = await bot.query(
        lambda s: s.scalars(select(AuditEntry.details).where(AuditEntry.action == "attendance_list"))
    )
    assert list(entries) == [{"rows": 30, "checked_in": 3}]


async def test_a_name_outside_latin1_reads_back_as_written(bot) -> None:
    await seat_people(bot, {"rm_desa": 1, "pemustaka": 1}, names={1: UNICODE_NAME, 2: "Łukasz Wróbel"})
    await make_pic(bot, BENGKULU_PIC, BENGKULU)
    pic = bot.standin.user(BENGKULU_PIC)
    await pic.send_text("/daftarhadir")
    _, reader = await pdf_of(bot, pic)
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    # Each name on a line of its own after its number, exactly as typed.
    assert any(line.startswith("1 " + UNICODE_NAME) for line in lines), lines
    assert any(line.startswith("2 Łukasz Wróbel") for line in lines), lines


async def test_an_organizer_picks_the_nearest_meeting_and_gets_300_rows_with_the_heading_on_every_page(bot) -> None:
    async def widen(session) -> None:
        meeting, role = await meeting_and_role(session, BENGKULU, "stakeholder")
        await session.execute(
            update(RoleQuota).where(RoleQuota.meeting_id == meeting.id, RoleQuota.role_id == role.id).values(seats=300)
        )

    await bot.query(widen)
    await seat_people(bot, {"stakeholder": 300})
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/daftarhadir")
    chooser = await next_with(admin, "daftar hadir")
    # Dated meetings only, the nearest first: Bengkulu and Jawa Tengah (26 July) before Jawa Barat (3 August).
    labels = chooser.button_texts
    assert labels[0] == "Bengkulu · 26 Jul 2023" and labels[1].startswith("Jawa Tengah"), labels
    assert len(labels) == 6 and not any("Aceh" in label for label in labels), labels
    await admin.press(chooser, text=labels[0])
    _, reader = await pdf_of(bot, admin)
    pages = pages_text(reader)
    # Rows of 11 mm: 18 under the first page's header, 22 on each further page, so 14 pages hold rows 1-304:
    # the fifth empty row after the 300 people starts page 15, which empty rows fill above the committee's block.
    assert len(pages) == 15, [signature_numbers(page)[-1:] for page in pages]
    assert all(HEADER_WORD in page and "Nama" in page for page in pages)
    numbers = [signature_numbers(page) for page in pages]
    assert [n for page in numbers for n in page] == list(range(1, len(sum(numbers, [])) + 1))
    assert [len(page) for page in numbers[:-1]] == [18] + [22] * 13 and numbers[-1][0] == 305
    assert "Halaman 15 dari 15" in pages[-1]


async def test_a_pic_of_another_province_learns_nothing(bot) -> None:
    await seat_people(bot, {"rm_desa": 1})
    await make_pic(bot, ACEH_PIC, "shm23-aceh")
    pic = bot.standin.user(ACEH_PIC)
    # Their own meeting has no date yet: no list.
    await pic.send_text("/daftarhadir")
    no_date = await pic.next_message()
    assert "belum punya tanggal" in no_date.plain_text
    # A forged button for Bengkulu and one for a meeting that does not exist get the same refusal.
    answers = []
    for forged in (await meeting_id(bot, BENGKULU), 999_999):
        await pic.press_forged(no_date, cb.pack(cb.AttendanceListPick(forged)))
        answers.append((await pic.next_message()).plain_text)
    assert answers[0] == answers[1] and "hanya untuk panitia" in answers[0], answers
    assert not any(m.kind == "document" for m in pic.messages)
    assert not any("Bengkulu" in m.plain_text or name(1) in m.plain_text for m in pic.messages)
    # A participant gets no list either.
    someone = bot.standin.user(7199)
    await someone.send_text("/daftarhadir")
    assert "hanya untuk panitia dan PIC" in (await someone.next_message()).plain_text


async def test_an_english_speaker_gets_the_english_labels(bot) -> None:
    await seat_people(bot, {"rm_desa": 1, "pemustaka": 1}, checked_in={2: 15})
    await make_pic(bot, ENGLISH_PIC, BENGKULU)
    pic = bot.standin.user(ENGLISH_PIC, language_code="en")
    await pic.send_text("/daftarhadir")
    announcement = await next_with(pic, "📄")
    assert "Attendance list of" in announcement.plain_text
    document = await pic.next_message()
    text = "\n".join(pages_text(pypdf.PdfReader(io.BytesIO(bytes_of(bot.standin, document)))))
    for label in ("ATTENDANCE LIST", "Meeting", "Venue", "Name", "Institution", "Position", "Signature"):
        assert label in text, label
    assert "Wednesday, 26 July 2023 at 09:00 WIB" in text and "Checked in 08:45" in text and "Page 1 of 1" in text
    assert "Tanda Tangan" not in text and "Hadir" not in text


async def test_the_committee_named_in_the_program_signs(bot) -> None:
    async def name_committee(session) -> None:
        meeting = await session.scalar(select(Meeting).where(Meeting.code == BENGKULU))
        from models.program import Program

        program = await session.get(Program, meeting.program_id)
        program.committee = {"name": "Dr. Adin Bondar, M.Si.", "title": "Ketua Panitia SHM Provinsi"}
        meeting.online_url = "https://zoom.us/j/123456789"

    await bot.query(name_committee)
    await seat_people(bot, {"rm_desa": 1})
    await make_pic(bot, BENGKULU_PIC, BENGKULU)
    pic = bot.standin.user(BENGKULU_PIC)
    await pic.send_text("/daftarhadir")
    _, reader = await pdf_of(bot, pic)
    text = reader.pages[-1].extract_text()
    assert "Dr. Adin Bondar, M.Si." in text and "Ketua Panitia SHM Provinsi" in text
    assert "Tautan daring" in text and "https://zoom.us/j/123456789" in text


async def test_an_organizer_pages_through_many_dated_meetings_nearest_first(bot) -> None:
    async def date_them_all(session) -> list[str]:
        meetings = list(await session.scalars(select(Meeting).where(Meeting.listed.is_(True)).order_by(Meeting.code)))
        # One a day from the day after the tests' clock on, in code order.
        for n, meeting in enumerate(meetings):
            meeting.starts_at = T0 + timedelta(days=n + 1)
        return [meeting_title(m) for m in meetings]

    titles = await bot.query(date_them_all)
    assert len(titles) == 38
    admin = bot.standin.user(ADMIN)
    await admin.send_text("/daftarhadir")
    chooser = await next_with(admin, "halaman 1/4")
    labels = chooser.button_texts
    assert len(labels) == 12 + 1 and labels[-1] == "Berikutnya »"
    # Nearest first: the meeting one day away, then two days …
    assert [label.split(" · ")[0] for label in labels[:12]] == titles[:12], labels
    await admin.press(chooser, text="Berikutnya »")
    await admin.wait_for(lambda u: "halaman 2/4" in u.message(chooser.message_id).plain_text)
    second = admin.message(chooser.message_id).button_texts
    assert second[-2:] == ["« Sebelumnya", "Berikutnya »"] and second[0].split(" · ")[0] == titles[12]
    # A page beyond the last (a forged or outdated button) shows the last one.
    await admin.press_forged(chooser.message_id, cb.pack(cb.AttendanceListPage(99)))
    await admin.wait_for(lambda u: "halaman 4/4" in u.message(chooser.message_id).plain_text)
    assert len(admin.message(chooser.message_id).button_texts) == 38 - 36 + 1
