"""A person's own records: each registration keeps what was given for it, returning people reuse
their details, and a person reads (and corrects) what is kept about them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_application, polling
from bot.clock import FrozenClock
from bot.database import create_engine, session_factory
from handlers import callback_data as cb
from models.audit import AuditEntry
from models.participant import record_consent, upsert_participant
from models.program import Meeting
from models.registration import Registration, availability
from models.seats import register as claim
from tests.e2e.chat import ANSWERS, bytes_of, next_with, register, type_details
from tests.e2e.conftest import RunningBot, running_bot
from tests.models import factories

ADMIN = 7101
JABAR_PIC = 7102
SITI = 7103
JABAR = "shm23-jawa-barat"
ACEH = "shm23-aceh"
FOR_JABAR = {"name": "Dr. Siti Rahma, M.Hum.", "institution": "Dinas Perpustakaan & Kearsipan"}


@pytest.fixture
async def bot(standin, db_url) -> AsyncIterator[RunningBot]:
    """The bot with one organizer."""
    async with running_bot(standin, db_url, admin_ids=frozenset({ADMIN})) as running:
        yield running


async def _details_at(bot: RunningBot, meeting_code: str) -> tuple[str, str, str, str]:
    async def read(session):
        registration = await session.scalar(
            select(Registration)
            .join(Meeting, Meeting.id == Registration.meeting_id)
            .where(Meeting.code == meeting_code)
        )
        return registration.full_name, registration.institution, registration.position, registration.phone_e164

    return await bot.query(read)


async def _forged_answer(user, message, data: str) -> str:
    """Press a button with this data on the message; the notice the press is answered with."""
    before = len(user.callback_answers)
    await user.press_forged(message, data)
    await user.wait_for(lambda u: len(u.callback_answers) > before)
    return user.callback_answers[before].text or ""


async def _to_role(user, meeting_code: str, role: str = "Stakeholder Provinsi"):
    """A second registration by deep link (consent was given): pick the role; returns the next message."""
    await user.send_text(f"/start {meeting_code}")
    await user.press(await next_with(user, "Pilih peran"), text=role)
    return await user.next_message()


async def test_a_second_registration_leaves_the_first_meetings_records_as_they_were(bot) -> None:
    siti = bot.standin.user(SITI, "Siti")
    assert "Pendaftaran berhasil" in (await register(siti, JABAR, **FOR_JABAR)).plain_text
    offer = await _to_role(siti, ACEH)
    assert "Pakai data" in offer.plain_text and "Dinas Perpustakaan & Kearsipan" in offer.plain_text
    await siti.press(offer, text="Isi data baru")
    assert "nama lengkap" in (await siti.next_message()).plain_text
    await type_details(siti, name=FOR_JABAR["name"], institution="Perpustakaan Aceh", position="Pustakawan")
    await siti.press(await next_with(siti, "Periksa data"), text="Kirim")
    assert "Pendaftaran berhasil" in (await siti.next_message()).plain_text

    assert await _details_at(bot, JABAR) == (
        FOR_JABAR["name"],
        FOR_JABAR["institution"],
        ANSWERS["position"],
        "+6281234567890",
    )
    assert (await _details_at(bot, ACEH))[1:3] == ("Perpustakaan Aceh", "Pustakawan")
    # The Jawa Barat PIC's roster and exports show what Siti gave for Jawa Barat.
    await bot.query(lambda s: factories.make_pic(s, JABAR, JABAR_PIC))
    pic = bot.standin.user(JABAR_PIC)
    await pic.send_text("/peserta")
    roster = await next_with(pic, "Dr. Siti Rahma")
    assert "Dinas Perpustakaan & Kearsipan" in roster.plain_text and "Perpustakaan Aceh" not in roster.plain_text
    await pic.send_text("/ekspor")
    await pic.next_message()
    await pic.next_message()  # the Excel file
    rows = list(
        csv.reader(io.StringIO(bytes_of(bot.standin, await pic.next_message()).decode("utf-8-sig")), delimiter=";")
    )
    assert [row[2:4] for row in rows[1:]] == [["Dinas Perpustakaan & Kearsipan", ANSWERS["position"]]]


async def test_a_returning_person_reuses_their_details_in_one_tap_and_sees_where_they_are_registered(bot) -> None:
    siti = bot.standin.user(SITI, "Siti")
    await register(siti, JABAR, **FOR_JABAR)
    await siti.send_text("/start")
    await siti.press(await next_with(siti, "pertemuan lain"), text="Daftar pertemuan lain")
    meetings = await next_with(siti, "Pilih pertemuan")
    assert "✅ menandai" in meetings.plain_text
    marked = [label for label in meetings.button_texts if label.startswith("✅")]
    assert len(marked) == 1 and "Jawa Barat" in marked[0], meetings.button_texts

    offer = await _to_role(siti, ACEH)
    await siti.press(offer, text="Pakai data ini")
    summary = await siti.next_message()
    assert "Periksa data" in summary.plain_text and "Dinas Perpustakaan & Kearsipan" in summary.plain_text
    # The reused details can still be changed before submitting.
    await siti.press(summary, text="Ubah")
    await siti.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await siti.press(siti.message(summary.message_id), text="Jabatan")
    assert "jabatan" in (await siti.next_message()).plain_text
    await siti.send_text("Pustakawan Ahli Madya")
    summary = await next_with(siti, "Periksa data")
    await siti.press(summary, text="Kirim")
    assert "Pendaftaran berhasil" in (await siti.next_message()).plain_text
    assert await _details_at(bot, ACEH) == (
        FOR_JABAR["name"],
        FOR_JABAR["institution"],
        "Pustakawan Ahli Madya",
        "+6281234567890",
    )
    # A stale "use these details" button from the finished registration changes nothing.
    assert "tidak berlaku" in await _forged_answer(siti, offer, cb.pack(cb.ReuseDetails(True)))
    assert (await _details_at(bot, ACEH))[2] == "Pustakawan Ahli Madya"


WINDOW = timedelta(minutes=10)


async def _registration_at(bot: RunningBot, meeting_code: str) -> Registration:
    return await bot.query(
        lambda s: s.scalar(
            select(Registration)
            .join(Meeting, Meeting.id == Registration.meeting_id)
            .where(Meeting.code == meeting_code)
        )
    )


async def test_a_person_corrects_a_detail_without_losing_their_seat_and_the_pic_sees_it(bot) -> None:
    siti = bot.standin.user(SITI, "Siti")
    await register(siti, JABAR, **FOR_JABAR)
    await bot.query(lambda s: factories.make_pic(s, JABAR, JABAR_PIC, bot.clock.now()))
    before = await _registration_at(bot, JABAR)
    bot.clock.advance(timedelta(hours=1))

    await siti.send_text("/ubahdata")
    menu = await next_with(siti, "Bagian mana")
    assert "Jawa Barat" in menu.plain_text and "Dinas Perpustakaan & Kearsipan" in menu.plain_text
    await siti.press(menu, text="Instansi")
    asked = await siti.next_message()
    assert "instansi" in asked.plain_text and "Saat ini: Dinas Perpustakaan & Kearsipan" in asked.plain_text
    # Checked as at registration: refused, and asked again.
    await siti.send_text("x")
    assert "terlalu pendek" in (await siti.next_message()).plain_text
    assert "instansi" in (await siti.next_message()).plain_text
    await siti.send_text("Dinas Perpustakaan & Kearsipan Provinsi Jawa Barat")
    saved = await siti.next_message()
    assert "sudah diperbaiki" in saved.plain_text and "Kearsipan Provinsi Jawa Barat" in saved.plain_text

    after = await _registration_at(bot, JABAR)
    assert after.institution == "Dinas Perpustakaan & Kearsipan Provinsi Jawa Barat"
    assert (after.id, after.status, after.queued_at, after.seated_at) == (
        before.id,
        before.status,
        before.queued_at,
        before.seated_at,
    )
    [entry] = await bot.query(_audit)
    assert (entry.action, entry.actor_user_id, entry.registration_id, entry.details) == (
        "details_corrected",
        SITI,
        after.id,
        {"field": "institution"},
    )
    assert entry.reason is None
    # The PIC reads the corrected line in the roster, and a digest says who corrected their data.
    pic = bot.standin.user(JABAR_PIC)
    await pic.send_text("/peserta")
    assert "Kearsipan Provinsi Jawa Barat" in (await next_with(pic, "Dr. Siti Rahma")).plain_text
    bot.clock.advance(WINDOW)
    digest = await next_with(pic, "memperbaiki datanya")
    assert "1 peserta" in digest.plain_text and "Dr. Siti Rahma, M.Hum." in digest.plain_text
    # The next registration offers the corrected details.
    offer = await _to_role(siti, ACEH)
    assert "Kearsipan Provinsi Jawa Barat" in offer.plain_text


async def _audit(session) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "details_corrected")))


async def test_with_several_registrations_the_person_picks_one_and_stale_buttons_and_cancel_change_nothing(bot) -> None:
    siti = bot.standin.user(SITI, "Siti")
    await register(siti, JABAR, **FOR_JABAR)
    offer = await _to_role(siti, ACEH, role="Pemustaka")
    await siti.press(offer, text="Pakai data ini")
    await siti.press(await next_with(siti, "Periksa data"), text="Kirim")
    await siti.next_message()

    await siti.send_text("/ubahdata")
    pick = await next_with(siti, "Data pendaftaran mana")
    assert "Data pendaftaran mana" in pick.plain_text and len(pick.button_texts) == 2
    await siti.press(pick, text="Aceh")
    menu = await siti.next_message()
    assert "Aceh" in menu.plain_text
    # The pick is answered; pressing it again is stale.
    jabar_id = (await _registration_at(bot, JABAR)).id
    assert "tidak berlaku" in await _forged_answer(siti, pick, cb.pack(cb.FixPick(jabar_id)))
    await siti.press(menu, text="Nomor HP")
    # The number held now, as people in Indonesia write it (kept as +62… underneath).
    assert "Saat ini: 0812-3456-7890" in (await next_with(siti, "nomor HP")).plain_text
    assert siti.reply_keyboard is not None  # the "share my number" button
    await siti.share_contact("+6281311112222")
    saved = await next_with(siti, "sudah diperbaiki")
    assert "0813-1111-2222" in saved.plain_text
    assert siti.reply_keyboard is None  # removed with the number saved
    assert (await _registration_at(bot, ACEH)).phone_e164 == "+6281311112222"
    assert (await _registration_at(bot, JABAR)).phone_e164 == "+6281234567890"
    # A field button of a finished correction, or one naming another registration, is stale.
    assert "tidak berlaku" in await _forged_answer(siti, menu, cb.pack(cb.FixField(jabar_id, "name")))

    # /cancel half-way changes nothing.
    await siti.send_text("/ubahdata")
    await siti.press(await next_with(siti, "Data pendaftaran mana"), text="Jawa Barat")
    await siti.press(await next_with(siti, "Bagian mana"), text="Nama")
    await next_with(siti, "nama lengkap")
    await siti.send_text("/cancel")
    assert "Tidak ada yang diubah" in (await siti.next_message()).plain_text
    await siti.send_text("Budi")
    assert "/start" in (await siti.next_message()).plain_text
    assert (await _registration_at(bot, JABAR)).full_name == FOR_JABAR["name"]
    assert len(await bot.query(_audit)) == 1


async def test_a_correction_survives_a_restart_half_way(standin, db_url) -> None:
    clock = FrozenClock(factories.T0)
    siti = standin.user(SITI, "Siti")
    async with running_bot(standin, db_url, clock=clock) as first:
        await register(siti, JABAR, **FOR_JABAR)
        await siti.send_text("/ubahdata")
        await siti.press(await next_with(siti, "Bagian mana"), text="Jabatan")
        await next_with(siti, "jabatan")
    async with polling(build_application(first.settings, clock=clock), poll_timeout=1):
        await siti.send_text("Pustakawan Ahli Utama")
        assert "sudah diperbaiki" in (await siti.next_message()).plain_text
    assert standin.core.problems == []
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            registration = await session.scalar(select(Registration))
            assert registration.position == "Pustakawan Ahli Utama"
    finally:
        await engine.dispose()


async def test_the_correction_command_is_in_the_menu_and_the_help_in_both_languages(bot) -> None:
    for language in ("id", "en"):
        commands = await bot.application.bot.get_my_commands(language_code=None if language == "id" else language)
        assert "ubahdata" in [c.command for c in commands], language
    user = bot.standin.user(SITI)
    await user.send_text("/bantuan")
    assert "/ubahdata" in (await user.next_message()).plain_text
    await user.send_text("/ubahdata")
    assert "belum memiliki pendaftaran" in (await user.next_message()).plain_text
    await user.send_text("/bahasa")
    await user.press(await user.next_message(), text="English")
    await user.next_message()
    await user.send_text("/bantuan")
    assert "/ubahdata: correct your name" in (await user.next_message()).plain_text


async def test_datasaya_shows_everything_kept_and_sends_it_as_a_json_file(bot) -> None:
    siti = bot.standin.user(SITI, "Siti")
    await register(siti, JABAR, **FOR_JABAR)
    offer = await _to_role(siti, ACEH)
    await siti.press(offer, text="Isi data baru")
    await next_with(siti, "nama lengkap")
    await type_details(siti, name=FOR_JABAR["name"], institution="Perpustakaan Aceh", position="Pustakawan")
    await siti.press(await next_with(siti, "Periksa data"), text="Kirim")
    await next_with(siti, "Pendaftaran berhasil")

    await bot.query(lambda s: factories.make_pic(s, JABAR, SITI))
    await siti.send_text("/datasaya")
    shown = await next_with(siti, "Data yang kami simpan")
    text = shown.plain_text
    for words in (
        f"ID Telegram: {SITI}",
        "Persetujuan: diberikan pada 1 Juli 2023, teks persetujuan versi 2026-11-v1",
        "Pendaftaran: Jawa Barat",
        "Pendaftaran: Aceh",
        "Peran: Stakeholder Provinsi · kursi",
        "Dinas Perpustakaan & Kearsipan",
        "Perpustakaan Aceh",
        "PIC: Jawa Barat (Bandung), sejak 1 Juli 2023",
        "/ubahdata",
    ):
        assert words in text, words
    file = await siti.next_message()
    assert file.kind == "document" and file.document["file_name"] == "data-saya.json"
    kept = json.loads(bytes_of(bot.standin, file))
    assert kept["telegram_user_id"] == SITI
    assert [c["text_version"] for c in kept["consents"]] == ["2026-11-v1"]
    assert [(r["meeting_code"], r["role"], r["status"], r["institution"]) for r in kept["registrations"]] == [
        (JABAR, "Stakeholder Provinsi", "seated", "Dinas Perpustakaan & Kearsipan"),
        (ACEH, "Stakeholder Provinsi", "seated", "Perpustakaan Aceh"),
    ]
    assert kept["latest_details"]["institution"] == "Perpustakaan Aceh"
    assert [a["meeting_code"] for a in kept["pic_assignments"]] == [JABAR]


async def test_datasaya_with_many_registrations_stays_within_telegrams_limit(bot) -> None:
    long = "Dinas Perpustakaan & Kearsipan " + "x" * 89

    async def everywhere(session) -> int:
        person = await upsert_participant(
            session,
            telegram_user_id=SITI,
            chat_id=SITI,
            full_name=long,
            institution=long,
            position=long,
            phone_e164="+6281234567890",
            now=factories.T0,
        )
        await record_consent(session, SITI, given=True, now=factories.T0)
        meetings = list(await session.scalars(select(Meeting)))
        for meeting in meetings:
            role = (await availability(session, meeting.id))[0].role
            await claim(session, participant=person, meeting=meeting, role=role, now=factories.T0)
        return len(meetings)

    count = await bot.query(everywhere)
    assert count == 38
    siti = bot.standin.user(SITI, "Siti")
    await siti.send_text("/datasaya")
    await siti.wait_for(lambda u: any(m.kind == "document" for m in u.messages))
    texts = [m.plain_text for m in siti.messages if m.kind == "text"]
    assert len(texts) > 1 and all(len(t) <= 4096 for t in texts)
    assert sum(t.count("Pendaftaran: ") for t in texts) == 38
    [file] = [m for m in siti.messages if m.kind == "document"]
    assert len(json.loads(bytes_of(bot.standin, file))["registrations"]) == 38
