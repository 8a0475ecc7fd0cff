"""Texts people type, end to end: previews as sent, control characters, line breaks, emoji, invisible names."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import DEFAULT_PROGRAM_FILE
from models.announcement import Announcement
from models.audit import AuditEntry
from models.program import Meeting
from models.registration import Registration
from tests.e2e.chat import ANSWERS, consent_and_choose, next_with, register
from tests.e2e.conftest import running_bot
from tests.models.factories import make_pic, seat

BENGKULU = "shm23-bengkulu"
PIC = 7001
ADMIN = 7100
TECHNOLOGIST = "👩\u200d💻"


async def _preview_of(bot, text: str, recipients: int = 2):
    """The PIC types an announcement; returns the messages of its preview (the last carries Kirim)."""

    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        return [(await seat(session, BENGKULU, "stakeholder", n)).participant.telegram_user_id for n in range(2)]

    ids = await bot.query(setup)
    pic = bot.standin.user(PIC)
    await pic.send_text("/umumkan")
    await next_with(pic, "Ketik pengumuman")
    await pic.send_text(text)
    await next_with(pic, f"diterima {recipients} peserta")
    preview = [await pic.next_message()]
    while not preview[-1].button_texts:
        preview.append(await pic.next_message())
    return pic, preview, [bot.standin.user(i) for i in ids]


async def test_a_long_announcement_of_entities_is_previewed_exactly_as_participants_receive_it(bot) -> None:
    # 3,400 characters to read, 6,800 once escaped: it fits one message, and the preview shows it all.
    pic, preview, users = await _preview_of(bot, "Q&A " * 850)
    assert len(preview) == 1, pic.transcript()
    shown, entities = preview[0].plain_text, preview[0].entities
    assert shown.count("Q&A") == 850
    await pic.press(preview[0], text="Kirim ke 2 peserta")
    await next_with(pic, "diterima oleh")
    for user in users:
        received = await next_with(user, "Q&A")
        assert (received.plain_text, received.entities) == (shown, entities)


async def test_a_nul_in_an_announcement_is_a_space_and_its_lines_stay(bot) -> None:
    pic, preview, users = await _preview_of(bot, "Halo\x00semua\r\nRapat di Aula 👩\u200d💻")
    assert "Halo semua\nRapat di Aula 👩\u200d💻" in preview[-1].plain_text, pic.transcript()
    await pic.press(preview[-1], text="Kirim ke 2 peserta")
    await next_with(pic, "diterima oleh")
    assert "Halo semua\nRapat di Aula 👩\u200d💻" in (await next_with(users[0], "Halo")).plain_text
    body = await bot.query(lambda s: s.scalar(select(Announcement.body)))
    assert body == "Halo semua\nRapat di Aula 👩\u200d💻"


async def test_typed_details_keep_their_separators_and_emoji(bot) -> None:
    user = bot.standin.user(6101)
    done = await register(
        user,
        name=f"Siti\x00Rahma {TECHNOLOGIST}",
        institution="Multi\nline\r\ninstansi",
        position="Kepala\x00Bidang",
    )
    assert "Pendaftaran berhasil" in done.plain_text, user.transcript()
    registration = await bot.query(lambda s: s.scalar(select(Registration)))
    assert (registration.full_name, registration.institution, registration.position) == (
        f"Siti Rahma {TECHNOLOGIST}",
        "Multi line instansi",
        "Kepala Bidang",
    )


async def test_an_invisible_name_institution_or_position_is_refused_and_asked_again(bot) -> None:
    user = bot.standin.user(6102)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    for blank, asked in (("ㅤㅤㅤ", "nama lengkap"), ("\uffa0\uffa0", "nama lengkap")):
        await user.send_text(blank)
        assert "tidak berisi huruf yang terlihat" in (await user.next_message()).plain_text, user.transcript()
        assert asked in (await user.next_message()).plain_text
    await user.send_text(ANSWERS["name"])
    assert "instansi" in (await user.next_message()).plain_text
    await user.send_text("ㅤㅤㅤ")
    assert "tidak berisi huruf yang terlihat" in (await user.next_message()).plain_text
    assert "instansi" in (await user.next_message()).plain_text
    await user.send_text(ANSWERS["institution"])
    assert "jabatan" in (await user.next_message()).plain_text
    await user.send_text("ㅤ ㅤ")
    assert "tidak berisi huruf yang terlihat" in (await user.next_message()).plain_text
    assert "jabatan" in (await user.next_message()).plain_text
    assert await bot.query(lambda s: s.scalar(select(Registration.id))) is None


async def test_what_staff_type_and_corrections_go_through_the_same_rule(bot) -> None:
    await bot.query(lambda s: make_pic(s, BENGKULU, PIC))
    pic = bot.standin.user(PIC)
    await pic.send_text("/tambah")
    await next_with(pic, "empat baris")
    await pic.send_text("Budi\x00Santoso\nBappeda\tKota Bengkulu\nㅤㅤㅤ\n0813-1111-2222")
    assert "Baris 3" in (await pic.next_message()).plain_text
    assert "tidak berisi huruf yang terlihat" in (await pic.next_message()).plain_text
    await pic.send_text("Budi\x00Santoso\nBappeda\tKota Bengkulu\nKepala\x00Bidang\n0813-1111-2222")
    roles = await next_with(pic, "Budi Santoso")
    await pic.press(roles, text="Pemustaka")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Formulir\x00kertas\r\ndari desa")
    await next_with(pic, "Budi Santoso ditambahkan")

    siti = bot.standin.user(6103)
    await register(siti, BENGKULU)
    await siti.send_text("/ubahdata")
    await siti.press(await next_with(siti, "Bagian mana"), text="Jabatan")
    await next_with(siti, "jabatan")
    await siti.send_text("Kepala\x00Seksi")
    await next_with(siti, "sudah diperbaiki")

    async def read(session):
        rows = await session.execute(select(Registration.full_name, Registration.institution, Registration.position))
        reason = await session.scalar(select(AuditEntry.reason).where(AuditEntry.reason.is_not(None)))
        return sorted(tuple(row) for row in rows), reason

    people, reason = await bot.query(read)
    assert people == [
        ("Budi Santoso", "Bappeda Kota Bengkulu", "Kepala Bidang"),
        (ANSWERS["name"], ANSWERS["institution"], "Kepala Seksi"),
    ]
    assert reason == "Formulir kertas dari desa"


async def test_forged_button_data_with_a_nul_is_a_stale_button_not_a_database_error(bot) -> None:
    user = bot.standin.user(6104)
    await user.send_text("/status")
    shown = await next_with(user, "belum terdaftar")
    for data in ("sp:\x00", "x\x00y", "rk:mv:1\x00"):
        await user.press_forged(shown, data)
        assert (await user.wait_callback_answer()).text == "Tombol ini sudah tidak berlaku.", user.transcript()
    await user.send_text("/status")
    assert "belum terdaftar" in (await user.next_message()).plain_text
    assert not any("kesalahan" in m.plain_text.lower() for m in user.messages), user.transcript()


async def test_a_program_files_name_and_texts_are_cleaned_like_typed_text(standin, db_url) -> None:
    shipped = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        admin = standin.user(ADMIN)
        await admin.send_document("prog\x00ram.yaml", shipped.replace('province: "17"', 'province: "99"', 1).encode())
        refused = await next_with(admin, "tidak dimuat")
        assert "prog ram.yaml:" in refused.plain_text, admin.transcript()
        renamed = shipped.replace("city: Bengkulu", 'city: "Kota\\0Bengkulu"', 1)
        assert renamed != shipped
        await admin.send_document("program.yaml", renamed.encode())
        await next_with(admin, "dimuat")
        city = await running.query(lambda s: s.scalar(select(Meeting.city).where(Meeting.code == BENGKULU)))
        assert city == "Kota Bengkulu"


async def test_an_invisible_name_is_refused_in_english_for_an_english_speaker(bot) -> None:
    user = bot.standin.user(6105, language_code="en")
    await user.send_text("/start shm23-aceh")
    await user.press(await next_with(user, "Do you agree"), text="I agree")
    await user.press(await user.next_message(), text="Stakeholder")
    await next_with(user, "full name")
    await user.send_text("ㅤㅤㅤ")
    assert "no letters that can be seen" in (await user.next_message()).plain_text, user.transcript()
    assert "full name" in (await user.next_message()).plain_text
