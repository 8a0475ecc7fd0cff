"""Registration through the Bot API stand-in, as participants would do it in Telegram."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.database import create_engine, session_factory
from models.participant import ConsentRecord, Participant
from models.registration import Registration
from tests.e2e.chat import ANSWERS, consent_and_choose, next_with, register, type_details


async def _rows(bot, model):
    engine = create_engine(bot.settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(model)))
    finally:
        await engine.dispose()


async def test_a_newcomer_registers_from_the_meeting_list(bot) -> None:
    user = bot.standin.user(2001, "Siti")
    await user.send_text("/start")
    consent = await user.next_message()
    for words in ("Tujuan", "Data yang disimpan", "365 hari", "UU No. 27 Tahun 2022", "/hapusdata"):
        assert words in consent.plain_text
    await user.press(consent, text="Setuju")
    meetings = await user.next_message()
    assert "halaman 1/5" in meetings.plain_text
    assert meetings.button_texts[0] == "Gel. 1 · Bengkulu · 26 Jul 2023"
    await user.press(meetings, text="Berikutnya")
    await user.wait_for(lambda u: "halaman 2/5" in u.message(meetings.message_id).plain_text)
    await user.press(meetings, text="Sebelumnya")
    await user.wait_for(lambda u: "halaman 1/5" in u.message(meetings.message_id).plain_text)
    await user.press(meetings, text="Bengkulu")
    roles = await user.next_message()
    assert "Rabu, 26 Juli 2023 pukul 09.00 WIB" in roles.plain_text
    assert "Stakeholder Provinsi · sisa 18/18" in roles.button_texts
    assert "Pemustaka yang terdampak TPBIS · sisa 1/1" in roles.button_texts
    await user.press(roles, text="Stakeholder Provinsi")
    assert "nama lengkap" in (await user.next_message()).plain_text
    await type_details(user)
    summary = await user.next_message()
    # What people typed comes back exactly, escaped for Telegram's HTML.
    assert ANSWERS["institution"] in summary.plain_text
    assert "&lt;Kab. Bengkulu&gt;" in summary.text and "&amp;" in summary.text
    assert ANSWERS["position"] in summary.plain_text and "0812-3456-7890" in summary.plain_text
    await user.press(summary, text="Kirim")
    done = await user.next_message()
    assert "Pendaftaran berhasil" in done.plain_text
    assert "Rabu, 26 Juli 2023 pukul 09.00 WIB" in done.plain_text
    assert "Hotel Mercure Bengkulu, Bengkulu" in done.plain_text
    # The keyboards of answered questions are gone, so they cannot be pressed again.
    assert not user.message(summary.message_id).button_texts and not user.message(roles.message_id).button_texts
    [participant] = await _rows(bot, Participant)
    assert (participant.full_name, participant.phone_e164) == (ANSWERS["name"], "+6281234567890")
    [consent_record] = await _rows(bot, ConsentRecord)
    assert consent_record.given and consent_record.telegram_user_id == 2001


async def test_seats_count_down_fill_wait_and_pass_on(bot) -> None:
    people = [bot.standin.user(3000 + n, f"User{n}") for n in range(4)]
    seated, second, third, watcher = people
    done = await register(seated, role="Tim Sinergi")
    assert "Pendaftaran berhasil" in done.plain_text
    # Another person watches the seats count down.
    await watcher.send_text("/start shm23-aceh")
    await watcher.press(await watcher.next_message(), text="Setuju")
    roles = await watcher.next_message()
    assert "Tim Sinergi Provinsi · sisa 4/5" in roles.button_texts
    assert "Pemustaka yang terdampak TPBIS · sisa 1/1" in roles.button_texts
    # The single Pemustaka seat: one seated, then the waiting list in order.
    assert "Pendaftaran berhasil" in (await register(second, role="Pemustaka")).plain_text
    await third.send_text("/start shm23-aceh")
    await third.press(await third.next_message(), text="Setuju")
    roles = await third.next_message()
    assert "Pemustaka yang terdampak TPBIS · penuh (daftar tunggu)" in roles.button_texts
    await third.press(roles, text="Pemustaka")
    assert "sudah penuh" in (await third.next_message()).plain_text
    assert "nama lengkap" in (await third.next_message()).plain_text
    await type_details(third)
    summary = await third.next_message()
    assert "masuk daftar tunggu" in summary.plain_text
    await third.press(summary, text="Kirim")
    waiting = await third.next_message()
    assert "daftar tunggu" in waiting.plain_text and "nomor 1" in waiting.plain_text
    # The seated person cancels; the first person waiting is seated and told at once.
    await second.send_text("/batal")
    confirm = await second.next_message()
    assert "Batalkan pendaftaran Anda untuk" in confirm.plain_text
    await second.press(confirm, text="Ya, batalkan")
    assert "telah dibatalkan" in (await second.next_message()).plain_text
    promoted = await third.next_message()
    assert "Kabar baik" in promoted.plain_text and "Pemustaka" in promoted.plain_text
    await third.send_text("/status")
    assert "kursi terkonfirmasi" in (await third.next_message()).plain_text
    await second.send_text("/status")
    assert "belum terdaftar" in (await second.next_message()).plain_text


async def test_start_when_registered_shows_the_registration(bot) -> None:
    user = bot.standin.user(4001)
    await register(user)
    await user.send_text("/start")
    shown = await user.next_message()
    assert "Aceh" in shown.plain_text and "kursi terkonfirmasi" in shown.plain_text
    offer = await user.next_message()
    await user.send_text("/start shm23-aceh")
    assert "sudah terdaftar" in (await user.next_message()).plain_text
    assert "Aceh" in (await user.next_message()).plain_text
    # Another meeting: consent was given once and is not asked again.
    await user.press(offer, text="Daftar pertemuan lain")
    assert "Pilih pertemuan" in (await user.next_message()).plain_text
    assert len(await _rows(bot, Registration)) == 1


async def test_changing_a_detail_from_the_summary(bot) -> None:
    user = bot.standin.user(4101)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    await type_details(user)
    summary = await user.next_message()
    await user.press(summary, text="Ubah")
    await user.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await user.press(summary, text="Nama")
    ask = await user.next_message()
    assert "Saat ini: " + ANSWERS["name"] in ask.plain_text
    await user.send_text("Budi Santoso")
    summary = await user.next_message()
    assert "Budi Santoso" in summary.plain_text and ANSWERS["institution"] in summary.plain_text
    await user.press(summary, text="Ubah")
    await user.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await user.press(summary, text="Peran")
    roles = await user.next_message()
    await user.press(roles, text="Tim Sinergi")
    summary = await user.next_message()
    assert "Tim Sinergi Provinsi" in summary.plain_text and "Budi Santoso" in summary.plain_text
    await user.press(summary, text="Kirim")
    assert "Pendaftaran berhasil" in (await user.next_message()).plain_text


async def test_a_double_tap_on_kirim_registers_once(bot) -> None:
    user = bot.standin.user(4201)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    await type_details(user)
    summary = await user.next_message()
    kirim = summary.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await asyncio.gather(user.press(summary, text="Kirim"), user.press(summary, text="Kirim"))
    assert "Pendaftaran berhasil" in (await user.next_message()).plain_text
    await user.wait_for(lambda u: len([a for a in u.callback_answers if a.data == kirim]) == 2)
    assert "Sudah diterima" in " ".join(a.text or "" for a in user.callback_answers if a.data == kirim)
    await asyncio.sleep(0.2)
    assert [m.plain_text for m in user.messages].count(user.messages[-1].plain_text) == 1
    assert len(await _rows(bot, Registration)) == 1


async def test_fifty_people_race_for_eighteen_stakeholder_seats(bot) -> None:
    people = [bot.standin.user(5000 + n, f"P{n}") for n in range(50)]
    finals = await asyncio.gather(
        *(register(p, role="Stakeholder", phone=f"0812{5000 + n:07d}") for n, p in enumerate(people))
    )
    seated = sum("Pendaftaran berhasil" in f.plain_text for f in finals)
    waiting = sorted(int(f.plain_text.split("nomor ")[1].split()[0]) for f in finals if "daftar tunggu" in f.plain_text)
    assert seated == 18 and waiting == list(range(1, 33))
    rows = await _rows(bot, Registration)
    assert len(rows) == 50 and len({r.participant_id for r in rows}) == 50


async def test_cancel_leaves_the_conversation_and_forgets_the_draft(bot) -> None:
    user = bot.standin.user(4301)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    await type_details(user)
    summary = await user.next_message()
    await user.send_text("/cancel")
    assert "Pendaftaran dihentikan" in (await user.next_message()).plain_text
    # Kirim on the abandoned summary registers nothing and says nothing was sent.
    await user.press(summary, text="Kirim")
    answer = await user.wait_callback_answer()
    while not answer.data.startswith("sk"):
        answer = await user.wait_callback_answer()
    assert answer.text == "Tombol ini sudah tidak berlaku."
    assert await _rows(bot, Registration) == []
    await user.send_text("/cancel")
    assert "Tidak ada pendaftaran" in (await user.next_message()).plain_text
    await user.send_text("/start")
    assert "Pilih pertemuan" in (await user.next_message()).plain_text


async def test_refusing_consent_keeps_nothing(bot) -> None:
    user = bot.standin.user(4401)
    await user.send_text("/start")
    await user.press(await user.next_message(), text="Tidak")
    assert "tidak ada data Anda yang kami simpan" in (await user.next_message()).plain_text
    await user.send_text("Budi")
    assert "/start" in (await user.next_message()).plain_text
    assert await _rows(bot, Participant) == []


async def test_english_on_request(bot) -> None:
    user = bot.standin.user(4501)
    await user.send_text("/bahasa")
    await user.press(await user.next_message(), text="English")
    assert "Language set to English" in (await user.next_message()).plain_text
    await user.send_text("/start shm23-kalimantan-selatan")
    await user.press(await user.next_message(), text="I agree")
    roles = await user.next_message()
    assert "Tuesday, 8 August 2023 at 09:00 WITA" in roles.plain_text
    assert "Stakeholder Provinsi · 18/18 left" in roles.button_texts


async def test_people_see_and_erase_their_data(bot) -> None:
    owner, waiting = bot.standin.user(4601), bot.standin.user(4602)
    await register(owner, role="Pemustaka")
    await register(waiting, role="Pemustaka")
    await owner.send_text("/datasaya")
    mine = await owner.next_message()
    assert ANSWERS["institution"] in mine.plain_text and "0812-3456-7890" in mine.plain_text
    await owner.send_text("/hapusdata")
    await owner.press(await next_with(owner, "Hapus semua data"), text="Ya, hapus")
    assert "telah dihapus" in (await owner.next_message()).plain_text
    assert "Kabar baik" in (await waiting.next_message()).plain_text
    participants = await _rows(bot, Participant)
    assert [p.telegram_user_id for p in participants] == [4602]
    consents = [c for c in await _rows(bot, ConsentRecord) if c.telegram_user_id == 4601]
    assert [c.given for c in sorted(consents, key=lambda c: c.id)] == [True, False]


async def test_the_daily_retention_job_erases_expired_details(bot) -> None:
    from datetime import timedelta

    from bot.scheduler import RETENTION_JOB

    user = bot.standin.user(4701)
    await register(user, meeting_code="shm23-bengkulu")
    [job] = bot.application.job_queue.get_jobs_by_name(RETENTION_JOB)
    await job.run(bot.application)
    assert len(await _rows(bot, Participant)) == 1
    bot.clock.advance(timedelta(days=366 + 30))
    # The daily trigger a year later by the bot's clock, a moment later in real time: run as a wake,
    # since the trigger itself skips a job any instance ran less than a day ago (real time).
    [runner] = [r for r in bot.application.bot_data["scheduler"].runners if r.job.name == RETENTION_JOB]
    assert await runner.run()
    assert await _rows(bot, Participant) == []


async def test_a_long_status_is_split_into_messages_telegram_accepts(bot) -> None:
    from models.program import Meeting, Role
    from models.seats import register as claim
    from tests.models.factories import make_participant

    user = bot.standin.user(10_001)  # make_participant(s, 1) is Telegram user 10 001
    await user.send_text("/bantuan")
    await user.next_message()
    engine = create_engine(bot.settings.database_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            person = await make_participant(s, 1)
            role = await s.scalar(select(Role).where(Role.code == "stakeholder"))
            meetings = list(await s.scalars(select(Meeting)))
            for meeting in meetings:
                if meeting.is_open_for_registration(bot.clock.now()):
                    await claim(s, participant=person, meeting=meeting, role=role, now=bot.clock.now())
    finally:
        await engine.dispose()
    await user.send_text("/status")
    # All 38 seats, over as many messages as Telegram's length limit needs (a fixed pause missed the last ones).
    await user.wait_for(lambda u: sum(m.plain_text.count("kursi terkonfirmasi") for m in u.messages[1:]) >= 38)
    status = user.messages[1:]
    assert len(status) >= 2
    assert sum(m.plain_text.count("kursi terkonfirmasi") for m in status) == 38


async def test_summary_batal_back_and_a_new_meeting(bot) -> None:
    user = bot.standin.user(4801)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    await type_details(user)
    summary = await user.next_message()
    # Ubah, then « Kembali: the summary comes back in place, unchanged.
    await user.press(summary, text="Ubah")
    await user.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await user.press(summary, text="Kembali")
    await user.wait_for(lambda u: "Periksa data" in u.message(summary.message_id).plain_text)
    # A different meeting: its roles are asked again, then straight back to the summary.
    await user.press(summary, text="Ubah")
    await user.wait_for(lambda u: "Bagian mana" in u.message(summary.message_id).plain_text)
    await user.press(summary, text="Pertemuan")
    meetings = await user.next_message()
    await user.press(meetings, text="Bali")
    roles = await user.next_message()
    assert "Bali" in roles.plain_text
    await user.press(roles, text="Tim Sinergi")
    summary = await user.next_message()
    assert "Bali" in summary.plain_text and "Tim Sinergi" in summary.plain_text
    assert ANSWERS["name"] in summary.plain_text
    # Batal on the summary forgets the draft and registers nothing.
    await user.press(summary, text="Batal")
    assert "telah dihapus" in (await user.next_message()).plain_text
    await user.send_text("/start")
    assert "Pilih pertemuan" in (await user.next_message()).plain_text
    assert await _rows(bot, Registration) == []


async def test_registration_closing_before_kirim(bot) -> None:
    user = bot.standin.user(4901)
    await consent_and_choose(user, "shm23-bengkulu", "Stakeholder")
    await type_details(user)
    summary = await user.next_message()
    # The meeting starts while the summary is open: registration has closed.
    engine = create_engine(bot.settings.database_url)
    try:
        async with session_factory(engine)() as session:
            from models.program import meeting_by_code

            bengkulu = await meeting_by_code(session, "shm23-bengkulu")
    finally:
        await engine.dispose()
    bot.clock.set(bengkulu.starts_at)
    await user.press(summary, text="Kirim")
    assert "sudah ditutup" in (await user.next_message()).plain_text
    meetings = await user.next_message()
    assert "Pilih pertemuan" in meetings.plain_text
    assert not any("Bengkulu" in label for label in meetings.button_texts)
    assert await _rows(bot, Registration) == []
