"""The meeting day end to end: the projector's code and who it checks in, the PIC's check-in list, the recap, the
alert an hour after the start."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from botapi_standin import BotMessage
from handlers import callback_data as cb
from handlers.qr_code import qr_png
from handlers.self_check_in import PROJECTOR_SCALE
from models.audit import AuditEntry
from models.meeting_day_settings import PROJECTOR_PREFIX
from models.program import Role, meeting_by_code
from models.registration import Registration
from models.roster import add
from tests.e2e.chat import bytes_of, count_with, next_with, none_yet
from tests.e2e.conftest import RunningBot, running_bot
from tests.models.factories import make_pic, seat, seats

BENGKULU = "shm23-bengkulu"
# Bengkulu, wave 1: Rabu, 26 Juli 2023 09.00-16.00 WIB (02:00-09:00 UTC); self check-in from 08.00 WIB.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 7001


async def setup(bot: RunningBot) -> dict[str, int]:
    """Bengkulu's PIC; Peserta 1-3 seated (stakeholder), Peserta 4 seated and 5 waiting (the village's one seat),
    Peserta 6 cancelled, and Budi added by hand without Telegram."""

    async def write(session):
        from models.seats import cancel

        await make_pic(session, BENGKULU, PIC)
        people = await seats(session, BENGKULU, "stakeholder", [1, 2, 3])
        village = await seats(session, BENGKULU, "rm_desa", [4, 5])
        cancelled = await seat(session, BENGKULU, "stakeholder", 6)
        await cancel(session, cancelled.id, now=bot.clock.now())
        meeting = await meeting_by_code(session, BENGKULU)
        pemustaka = await session.scalar(select(Role.id).where(Role.code == "pemustaka"))
        budi = await add(
            session,
            meeting=meeting,
            role_id=pemustaka,
            full_name="Budi Santoso",
            institution="Desa Sukamaju",
            position="Kepala Desa",
            phone_e164="+6281311112222",
            actor_user_id=PIC,
            reason="formulir kertas",
            now=bot.clock.now(),
        )
        return {"p1": people[0].id, "p4": village[0].id, "p5": village[1].id, "budi": budi.id, "meeting": meeting.id}

    ids = await bot.query(write)
    bot.standin.user(PIC)
    for n in range(1, 8):
        bot.standin.user(10_000 + n)
    return ids


async def projector_link(bot: RunningBot) -> str:
    """The PIC's /checkin: the text with Perbarui, then the QR photo whose caption links the code it shows."""
    pic = bot.standin.user(PIC)
    await pic.send_text("/checkin")
    return (await shown_code(bot))[1]


async def shown_code(bot: RunningBot) -> tuple[BotMessage, str]:
    """The projector's text (with Perbarui) and the link its QR photo holds."""
    pic = bot.standin.user(PIC)
    text = await next_with(pic, "Kode absen")
    assert text.button_texts == ["🔄 Perbarui"], pic.transcript()
    # An alert digest the clock's move made due may come in between.
    photo = await next_with(pic, "Pindai untuk absen")
    assert photo.kind == "photo", pic.transcript()
    links = [e["url"] for e in photo.entities if e["type"] == "text_link"]
    assert len(links) == 1 and links[0].startswith(f"https://t.me/shm_test_bot?start={PROJECTOR_PREFIX}"), links
    # The photo is the QR code of exactly that link.
    assert bytes_of(bot.standin, photo) == qr_png(links[0], scale=PROJECTOR_SCALE)
    payload = links[0].split("?start=")[1]
    assert len(payload) <= 64
    return text, links[0]


async def scan(bot: RunningBot, n: int, link: str, words: str) -> str:
    """Peserta n opens the link as the phone's camera would (`/start <payload>`); the answer with `words`."""
    user = bot.standin.user(10_000 + n)
    await user.send_text("/start " + link.split("?start=")[1])
    return (await next_with(user, words)).plain_text


async def checked_in(bot: RunningBot) -> list[tuple[str, str | None, int | None]]:
    async def read(session):
        rows = await session.execute(
            select(Registration.full_name, Registration.checked_in_via, Registration.checked_in_by)
            .where(Registration.checked_in_at.is_not(None))
            .order_by(Registration.full_name)
        )
        return [(name, via.value if via else None, by) for name, via, by in rows]

    return await bot.query(read)


async def test_a_seated_participant_scanning_the_projector_code_is_checked_in_and_others_are_told_why_not(bot) -> None:
    await setup(bot)
    bot.clock.set(START + timedelta(minutes=5))
    link = await projector_link(bot)

    answer = await scan(bot, 1, link, "tercatat")
    assert "Peserta 1" in answer and "Bengkulu" in answer and "09.05 WIB" in answer, answer
    assert "sudah tercatat hadir" in await scan(bot, 1, link, "tercatat")
    assert "daftar tunggu" in await scan(bot, 5, link, "tidak dapat")
    assert "dibatalkan" in await scan(bot, 6, link, "tidak dapat")
    assert "tidak terdaftar" in await scan(bot, 7, link, "tidak dapat")
    # A code typed with one letter changed is no code of the bot's.
    payload = link.split("?start=")[1]
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert "tidak dikenali" in await scan(bot, 2, "x?start=" + forged, "Kode absen")
    assert await checked_in(bot) == [("Peserta 1", "projector", None)]


async def test_the_code_changes_every_ten_minutes_and_the_previous_one_still_works(bot) -> None:
    await setup(bot)
    bot.clock.set(START)
    pic = bot.standin.user(PIC)
    await pic.send_text("/checkin")
    text, first = await shown_code(bot)
    # Within the same ten minutes Perbarui shows the same code; after them, a new one.
    bot.clock.set(START + timedelta(minutes=9))
    await pic.press(text, text="Perbarui")
    text, same = await shown_code(bot)
    assert same == first
    bot.clock.set(START + timedelta(minutes=12))
    await pic.press(text, text="Perbarui")
    _, second = await shown_code(bot)
    assert second != first
    assert "tercatat" in await scan(bot, 1, first, "tercatat")
    # Twenty minutes on, the first code has expired; the current one works.
    bot.clock.set(START + timedelta(minutes=21))
    assert "kedaluwarsa" in await scan(bot, 2, first, "kedaluwarsa")
    assert "tercatat" in await scan(bot, 2, second, "tercatat")
    assert [name for name, *_ in await checked_in(bot)] == ["Peserta 1", "Peserta 2"]


async def test_outside_the_window_there_is_no_code_and_a_late_scan_is_refused(bot) -> None:
    await setup(bot)
    pic = bot.standin.user(PIC)
    bot.clock.set(START - timedelta(hours=2))
    await pic.send_text("/checkin")
    early = await next_with(pic, "belum dibuka")
    assert "08.00 WIB" in early.plain_text, early.plain_text
    await none_yet(pic, "Pindai untuk absen", wait=0.3)
    bot.clock.set(END - timedelta(minutes=2))
    link = await projector_link(bot)
    bot.clock.set(END + timedelta(minutes=3))
    assert "sudah ditutup" in await scan(bot, 1, link, "ditutup")
    await pic.send_text("/checkin")
    assert "/catathadir" in (await next_with(pic, "sudah ditutup")).plain_text
    assert await checked_in(bot) == []


async def test_the_pic_checks_people_in_from_the_list_with_one_tap_and_the_recap_counts_them(bot) -> None:
    await setup(bot)
    pic = bot.standin.user(PIC)
    # Before the meeting's day the list is not open.
    await pic.send_text("/catathadir")
    assert "Tidak ada pertemuan Anda" in (await pic.next_message()).plain_text
    bot.clock.set(START + timedelta(minutes=30))
    await pic.send_text("/catathadir")
    page = await next_with(pic, "Catat hadir")
    assert "0/5 hadir" in page.plain_text, page.plain_text
    assert "Budi Santoso" in page.plain_text and "Peserta 5" not in page.plain_text  # waiting: no seat

    # A double tap: one check-in, whichever tap the bot sees first.
    await pic.press(page, text="Budi Santoso")
    await pic.press(page, text="Budi Santoso")
    first, second = (await pic.wait_callback_answer()).text, (await pic.wait_callback_answer()).text
    answers = [a.text for a in pic.callback_answers]
    assert any(a and a.startswith("✓ Budi Santoso") and "1/30 hadir" in a for a in answers), answers
    assert first != second
    await pic.wait_for(lambda u: "1/5 hadir" in u.message(page.message_id).plain_text)
    shown = pic.message(page.message_id)
    assert "✓ Budi Santoso" in shown.plain_text and "hadir 09.30 WIB" in shown.plain_text, shown.plain_text
    # Pressed again later: says when, changes nothing.
    await pic.press(page, text="Budi Santoso")
    assert "sudah tercatat hadir pukul 09.30 WIB" in (await pic.wait_callback_answer()).text
    assert await checked_in(bot) == [("Budi Santoso", "roster", PIC)]
    audits = await bot.query(lambda s: s.scalars(select(AuditEntry.details).where(AuditEntry.action == "checked_in")))
    assert list(audits) == [{"via": "roster", "correction": False}]

    await pic.send_text("/rekap")
    recap = await next_with(pic, "Rekap")
    assert "1 dari 5 peserta berkursi tercatat hadir, 4 belum" in recap.plain_text, recap.plain_text
    await pic.send_text("/peserta")
    roster = await next_with(pic, "Peserta Bengkulu")
    assert "Kepala Desa · 0813-1111-2222 · Dapat kursi, Belum dicatat PIC, hadir 09.30" in roster.plain_text, (
        roster.plain_text
    )
    await pic.send_text("/ekspor")
    await next_with(pic, "data pribadi")
    exported_csv = await pic.next_message()
    while not (exported_csv.document or {}).get("file_name", "").endswith(".csv"):
        exported_csv = await pic.next_message()
    exported = bytes_of(bot.standin, exported_csv).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert rows[0][-1] == "Hadir"
    hadir = {row[1]: row[-1] for row in rows[1:]}
    assert hadir["Budi Santoso"] == "2023-07-26 09:30 WIB" and hadir["Peserta 2"] == "", hadir

    # After the end it is a correction, and still allowed.
    bot.clock.set(END + timedelta(days=2))
    await pic.send_text("/catathadir")
    later = await next_with(pic, "Catat hadir")
    assert "koreksi" in later.plain_text
    await pic.press(later, text="Peserta 3")
    assert (await pic.wait_callback_answer()).text.startswith("✓ Peserta 3")
    audits = await bot.query(lambda s: s.scalars(select(AuditEntry.details).where(AuditEntry.action == "checked_in")))
    assert list(audits)[-1] == {"via": "roster", "correction": True}


async def test_someone_not_staff_pressing_a_check_in_button_is_refused(bot) -> None:
    ids = await setup(bot)
    bot.clock.set(START)
    participant = bot.standin.user(10_002)
    await participant.send_text("/catathadir")
    assert "hanya untuk panitia" in (await next_with(participant, "hanya untuk panitia")).plain_text
    await participant.send_text("/checkin")
    assert "hanya untuk panitia" in (await next_with(participant, "hanya untuk panitia")).plain_text
    anchor = participant.messages[-1]
    await participant.press_forged(anchor, cb.pack(cb.CheckInTap(ids["budi"], 0)))
    assert "hanya untuk panitia" in (await participant.wait_callback_answer()).text
    assert await checked_in(bot) == []


async def test_the_pics_learn_who_is_not_checked_in_an_hour_after_the_start_once(bot) -> None:
    await setup(bot)
    pic = bot.standin.user(PIC)
    bot.clock.set(START + timedelta(minutes=10))
    link = await projector_link(bot)
    assert "tercatat" in await scan(bot, 1, link, "tercatat")
    bot.clock.set(START + timedelta(minutes=59))
    await none_yet(pic, "Belum hadir", wait=0.3)
    bot.clock.set(START + timedelta(hours=1))
    alert = (await next_with(pic, "Belum hadir")).plain_text
    assert "4 dari 5 peserta berkursi" in alert, alert
    for name in ("Peserta 2", "Peserta 3", "Peserta 4", "Budi Santoso"):
        assert name in alert, alert
    assert "Peserta 1" not in alert and "Peserta 5" not in alert and "Peserta 6" not in alert, alert
    bot.clock.set(START + timedelta(hours=2))
    await none_yet(pic, "Belum hadir", wait=0.5)
    assert count_with(pic, "Belum hadir") == 1


async def test_a_long_not_checked_in_list_is_split_over_messages(bot) -> None:
    """Thirty seated people with 200-character names: every one is named, in messages Telegram takes."""

    async def many(session):
        await make_pic(session, BENGKULU, PIC)
        registrations = await seats(session, BENGKULU, "stakeholder", range(1, 19))
        registrations += await seats(session, BENGKULU, "tim_sinergi", range(19, 24))
        for n, registration in enumerate(registrations, 1):
            registration.full_name = f"Peserta {n:02d} " + "Namapanjang " * 15
            registration.institution = "Dinas Perpustakaan dan Kearsipan " * 5
        return len(registrations)

    count = await bot.query(many)
    for n in range(1, count + 1):
        bot.standin.user(10_000 + n)  # the seated people's chats: the morning brings their check-in codes
    pic = bot.standin.user(PIC)
    bot.clock.set(START + timedelta(hours=1))
    parts = [await next_with(pic, "Belum hadir")]
    while "Catat yang datang" not in parts[-1].plain_text:
        parts.append(await pic.next_message())
    assert len(parts) >= 2
    text = "\n".join(m.plain_text for m in parts)
    assert all(f"Peserta {n:02d} " in text for n in range(1, count + 1)), text[-500:]


async def test_an_organizer_with_two_meetings_today_chooses_which_code_to_show(standin, db_url) -> None:
    """Bengkulu and Jawa Tengah both meet on 26 July 2023: the organizer picks one, and gets its code."""
    async with running_bot(standin, db_url, admin_ids=frozenset({6001})) as bot:
        admin = bot.standin.user(6001)
        bot.clock.set(START)
        await admin.send_text("/checkin")
        choice = await next_with(admin, "beberapa pertemuan")
        assert sorted(choice.button_texts) == ["Bengkulu", "Jawa Tengah (Semarang)"], choice.button_texts
        await admin.press(choice, text="Bengkulu")
        text = await next_with(admin, "Kode absen")
        assert "Bengkulu" in text.plain_text
        photo = await next_with(admin, "Pindai untuk absen")
        assert photo.kind == "photo" and "Bengkulu" in photo.plain_text


async def test_the_check_in_list_pages_and_a_tap_keeps_its_page(bot) -> None:
    async def many(session):
        await make_pic(session, BENGKULU, PIC)
        await seats(session, BENGKULU, "stakeholder", range(1, 13))

    await bot.query(many)
    for n in range(1, 13):
        bot.standin.user(10_000 + n)  # the seated people's chats: the morning brings their check-in codes
    pic = bot.standin.user(PIC)
    bot.clock.set(START)
    await pic.send_text("/catathadir")
    page = await next_with(pic, "Catat hadir")
    assert "halaman 1/2" in page.plain_text and len(page.button_texts) == 11, page.button_texts
    await pic.press(page, text="Berikutnya »")
    await pic.wait_for(lambda u: "halaman 2/2" in u.message(page.message_id).plain_text)
    shown = pic.message(page.message_id)
    # By name within the role: "Peserta 10" comes before "Peserta 2".
    assert [t for t in shown.button_texts if "Peserta" in t] == ["11. Peserta 8", "12. Peserta 9"], shown.button_texts
    await pic.press(page, text="12. Peserta 9")
    await pic.wait_for(lambda u: "1/12 hadir" in u.message(page.message_id).plain_text)
    shown = pic.message(page.message_id)
    assert "halaman 2/2" in shown.plain_text and "✓ 12. Peserta 9 · 09.00 WIB" in shown.button_texts


async def test_an_english_speaker_scanning_reads_english(bot) -> None:
    await setup(bot)
    bot.clock.set(START)
    link = await projector_link(bot)
    english = bot.standin.user(10_008, language_code="en")
    await english.send_text("/start " + link.split("?start=")[1])
    assert "You are not registered for" in (await next_with(english, "registered")).plain_text
