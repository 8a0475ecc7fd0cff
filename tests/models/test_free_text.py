"""The one cleaning rule for stored free text: separators kept as spaces, emoji whole, invisible names refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.announcement import Announcement, draft_announcement
from models.free_text import clean_line, clean_lines, has_visible_letters
from models.person_details import DetailProblem, InvalidDetail, clean_text
from models.program_file import parse_program
from models.staff import PicAssignment, create_invite, redeem_invite
from tests.models.factories import T0, meeting_and_role

TECHNOLOGIST = "👩\u200d💻"
RAINBOW_FLAG = "🏳️\u200d🌈"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Multi\nline\r\ninstansi", "Multi line instansi"),
        ("Kepala\x00Bidang", "Kepala Bidang"),
        ("Kepala\tBidang\x1f Umum", "Kepala Bidang Umum"),
        ("Dinas\u2028Perpustakaan\u2029Kota", "Dinas Perpustakaan Kota"),
        ("Siti\u200bRahma", "Siti Rahma"),
        # Format characters nobody sees are dropped: a byte-order mark, a soft hyphen, a right-to-left override.
        ("\ufeffSiti Ra\u00adhma\u202e", "Siti Rahma"),
        (f"Programmer {TECHNOLOGIST}", f"Programmer {TECHNOLOGIST}"),
        (f"Relawan {RAINBOW_FLAG} dan {SCOTLAND}", f"Relawan {RAINBOW_FLAG} dan {SCOTLAND}"),
        # A joiner between two Latin letters joins nothing.
        ("Bu\u200ddi", "Budi"),
        # Malayalam and Sinhala spell some letters with a joiner.
        ("ന്\u200dമ", "ന്\u200dമ"),
        ("a\ud800b", "a b"),
    ],
)
def test_one_line_texts_keep_their_separators_as_spaces_and_their_emoji_whole(typed: str, kept: str) -> None:
    assert clean_line(typed) == kept


def test_texts_with_lines_keep_each_line_break_once_and_lose_control_characters() -> None:
    typed = f"Halo\x00semua\r\n\r\nRapat pindah\rke Aula \u2028{TECHNOLOGIST}\t!  \n"
    assert clean_lines(typed) == f"Halo semua\n\nRapat pindah\nke Aula\n{TECHNOLOGIST} !"


@pytest.mark.parametrize("invisible", ["ㅤㅤㅤ", "\u115f\u1160\u115f", "\uffa0\uffa0", "ㅤ ㅤ"])
def test_a_name_of_invisible_letters_is_refused_as_such(invisible: str) -> None:
    assert not has_visible_letters(invisible)
    with pytest.raises(InvalidDetail) as refused:
        clean_text(invisible)
    assert refused.value.problem is DetailProblem.INVISIBLE


def test_a_name_with_visible_letters_is_kept_as_typed() -> None:
    assert clean_text("ㅤSiti") == "ㅤSiti"
    assert clean_text("김민준") == "김민준"
    with pytest.raises(InvalidDetail) as refused:
        clean_text("\u2800\u2800\u2800")  # Braille blanks are no letters at all.
    assert refused.value.problem is DetailProblem.NO_LETTERS


async def test_an_announcement_with_a_nul_is_stored_with_a_space_and_keeps_its_lines(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, _ = await meeting_and_role(s, "shm23-bengkulu", "pemustaka")
        draft = await draft_announcement(
            s,
            meeting_id=meeting.id,
            author_user_id=7001,
            author_chat_id=7001,
            body="Halo\x00semua\r\nSampai jumpa",
            now=T0,
        )
    async with sessions() as s:
        assert await s.scalar(select(Announcement.body).where(Announcement.id == draft.id)) == (
            "Halo semua\nSampai jumpa"
        )


async def test_a_pics_telegram_name_is_cleaned_as_typed_text(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, _ = await meeting_and_role(s, "shm23-bengkulu", "pemustaka")
        invite = await create_invite(s, meeting_id=meeting.id, created_by=7100, now=T0)
        await redeem_invite(s, invite.token, telegram_user_id=7001, chat_id=7001, display_name="Rina\x00Wati", now=T0)
    async with sessions() as s:
        assert await s.scalar(select(PicAssignment.display_name)) == "Rina Wati"


def test_a_program_files_texts_are_cleaned_as_typed_text() -> None:
    source = (
        'program: {code: p, name: "Program\\0Uji"}\n'
        'roles:\n  - {code: stakeholder, name: "Stakeholder\\tProvinsi", seats: 18}\n'
        "meetings:\n"
        '  - {code: m-aceh, province: "11", city: "Banda\\0Aceh", venue: "Hotel\\nHermes", date: menyusul}\n'
    )
    spec = parse_program(source)
    assert spec.name == "Program Uji"
    assert spec.roles[0].name == "Stakeholder Provinsi"
    assert (spec.meetings[0].city, spec.meetings[0].venue) == ("Banda Aceh", "Hotel Hermes")
