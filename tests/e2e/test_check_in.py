"""Check-in on the meeting day, end to end: the personal code's QR, the committee's scan, online "Saya hadir".

The participant's code comes as a photo whose caption carries its t.me link; the committee's phone
camera opens that link, which sends `/start hadir-<token>` from the PIC's own chat.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.settings import DEFAULT_PROGRAM_FILE
from handlers import callback_data as cb
from models.outbox import MessageKind
from models.program import Meeting
from models.program_file import apply_program, parse_program
from models.registration import CheckInWay, Registration
from models.roster import move
from models.seats import register as register_directly
from tests.e2e.chat import bytes_of, next_with, none_yet, outbox_statuses, register
from tests.e2e.conftest import RunningBot
from tests.models.factories import make_participant, make_pic, meeting_and_role

BENGKULU = "shm23-bengkulu"
JAWA_TENGAH = "shm23-jawa-tengah"
# Bengkulu, wave 1: Rabu, 26 Juli 2023 pukul 09.00 WIB (02:00 UTC) until 16.00 WIB.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = START + timedelta(hours=7)
MORNING = START - timedelta(hours=2)  # 07:00 WIB
PIC, OTHER_PIC, STRANGER = 7101, 7102, 7103
LINK = re.compile(r"https://t\.me/shm_test_bot\?start=(hadir-[A-Za-z0-9_-]+)")
SITI = "Dra. Siti Rahma, M.Hum."
PEMUSTAKA = "Pemustaka yang terdampak TPBIS"


def payload_of(message) -> str:
    """The deep-link payload of a check-in code photo, read from its caption as the web chat reads it."""
    assert message.kind == "photo", message
    found = LINK.search(message.plain_text)
    assert found is not None, message.plain_text
    return found.group(1)


async def check_in_record(bot: RunningBot, telegram_user_id: int) -> tuple[object, object, object]:
    async def read(session):
        registration = await session.scalar(
            select(Registration).where(Registration.participant.has(telegram_user_id=telegram_user_id))
        )
        return registration.checked_in_at, registration.checked_in_by, registration.checked_in_via

    return await bot.query(read)


async def staff(bot: RunningBot) -> None:
    async def appoint(session):
        await make_pic(session, BENGKULU, PIC, bot.clock.now())
        await make_pic(session, JAWA_TENGAH, OTHER_PIC, bot.clock.now())

    await bot.query(appoint)
    # Their chats exist: the day before, the PICs get their alert digests.
    bot.standin.user(PIC)
    bot.standin.user(OTHER_PIC)


async def scan(bot: RunningBot, user_id: int, payload: str, words: str) -> str:
    """`user_id` opens the code's link (`/start <payload>`); returns the answer, which has `words`."""
    scanner = bot.standin.user(user_id)
    await scanner.send_text(f"/start {payload}")
    return (await next_with(scanner, words)).plain_text


async def registered_with_code(bot: RunningBot, user_id: int, role: str = "Pemustaka", **answers: str) -> str:
    """A participant registered for Bengkulu; returns the payload of the code that came with the seat."""
    user = bot.standin.user(user_id)
    done = await register(user, BENGKULU, role=role, **answers)
    assert "Pendaftaran berhasil" in done.plain_text
    assert (await user.next_message()).document["file_name"].endswith(".ics")
    photo = await user.next_message()
    assert "Tunjukkan kode ini kepada panitia di pintu masuk" in photo.plain_text
    assert bytes_of(bot.standin, photo).startswith(b"\x89PNG")
    return payload_of(photo)


async def test_the_pic_scans_a_code_on_the_meeting_day_and_a_second_scan_says_when(bot) -> None:
    payload = await registered_with_code(bot, 8601)
    await staff(bot)
    user = bot.standin.user(8601)

    # The day before, the committee's scan is refused: check-in opens on the meeting's day.
    bot.clock.set(START - timedelta(days=1))
    early = await scan(bot, PIC, payload, "baru dibuka")
    assert SITI in early and "Rabu, 26 Juli 2023 pukul 09.00 WIB" in early
    assert (await check_in_record(bot, 8601))[0] is None

    # The morning of the day: the code comes again, the same one.
    bot.clock.set(MORNING)
    morning = await next_with(user, "Hari ini: Bengkulu")
    assert "Tunjukkan kode QR" in morning.plain_text and "Hotel Mercure Bengkulu" in morning.plain_text
    assert payload_of(await user.next_message()) == payload

    bot.clock.set(START - timedelta(minutes=30))
    done = await scan(bot, PIC, payload, "✓")
    assert f"✓ {SITI} · {PEMUSTAKA} · 1/30 hadir" in done
    checked_in_at, by, via = await check_in_record(bot, 8601)
    assert checked_in_at == START - timedelta(minutes=30) and by == PIC and via == CheckInWay.CODE

    bot.clock.advance(timedelta(minutes=5))
    again = await scan(bot, PIC, payload, "sudah check-in")
    assert "Rabu, 26 Juli 2023 pukul 08.30 WIB" in again and "1/30 hadir" in again
    assert (await check_in_record(bot, 8601))[0] == START - timedelta(minutes=30)
    # Checked in, the person has no code left to show on /status.
    await user.send_text("/status")
    await next_with(user, "Pendaftaran Anda")
    await none_yet(user, "Kode check-in")


async def test_nobody_but_the_meetings_staff_checks_anyone_in_and_no_name_leaks(bot) -> None:
    payload = await registered_with_code(bot, 8602)
    await staff(bot)
    bot.clock.set(START)

    other = await scan(bot, OTHER_PIC, payload, "tidak dikenal")
    own = await scan(bot, 8602, payload, "Ini kode check-in peserta")
    stranger = await scan(bot, STRANGER, payload, "Ini kode check-in peserta")
    forged = await scan(bot, PIC, "hadir-AAAAAAAAAAAAAAAAAAAAAA", "tidak dikenal")
    for answer in (other, own, stranger, forged):
        assert "Siti" not in answer and "✓" not in answer, answer
    assert await check_in_record(bot, 8602) == (None, None, None)
    # The meeting's own PIC still can.
    assert "1/30 hadir" in await scan(bot, PIC, payload, "✓")


async def test_a_cancelled_seat_and_a_meeting_long_over_check_no_one_in(bot) -> None:
    cancelled = await registered_with_code(bot, 8603)
    kept = await registered_with_code(bot, 8604, role="Stakeholder Provinsi", name="Budi Santoso")
    absent = await registered_with_code(bot, 8609, role="Stakeholder Provinsi", name="Ani Lestari")
    await staff(bot)
    user = bot.standin.user(8603)
    await user.send_text("/batal")
    await user.press(await next_with(user, "Batalkan pendaftaran"), text="Ya, batalkan")
    await next_with(user, "telah dibatalkan")

    bot.clock.set(START)
    refused = await scan(bot, PIC, cancelled, "sudah dibatalkan")
    assert SITI in refused and "✓" not in refused
    # After the end, within the correction period, a forgotten check-in is recorded as a correction.
    bot.clock.set(END + timedelta(days=2))
    assert "koreksi" in await scan(bot, PIC, kept, "✓ Budi Santoso")
    bot.clock.set(END + timedelta(days=31))
    assert "Ani Lestari" in await scan(bot, PIC, absent, "sudah lama selesai")
    assert (await check_in_record(bot, 8609))[0] is None
    assert (await check_in_record(bot, 8603))[0] is None
    # The morning message of the cancelled seat was never sent.
    assert await bot.query(lambda s: outbox_statuses(s, 8603, (MessageKind.CHECKIN_CODE,))) == ["obsolete"]


async def test_status_shows_the_code_of_each_seat_and_none_while_waiting(bot) -> None:
    payload = await registered_with_code(bot, 8605)
    waiting = bot.standin.user(8606)
    done = await register(waiting, BENGKULU, role="Pemustaka", name="Budi Santoso")
    assert "daftar tunggu" in done.plain_text
    user = bot.standin.user(8605)
    await user.send_text("/status")
    assert "kursi terkonfirmasi" in (await user.next_message()).plain_text
    assert payload_of(await user.next_message()) == payload
    await waiting.send_text("/status")
    assert "daftar tunggu nomor 1" in (await waiting.next_message()).plain_text
    await none_yet(waiting, "Kode check-in")

    # The seat freed weeks ahead goes to the person waiting, whose notice brings a code of their own.
    await user.send_text("/batal")
    await user.press(await next_with(user, "Batalkan pendaftaran"), text="Ya, batalkan")
    promoted = await next_with(waiting, "Kabar baik")
    assert "Pemustaka" in promoted.plain_text
    assert (await waiting.next_message()).document["file_name"].endswith(".ics")
    theirs = payload_of(await waiting.next_message())
    assert theirs != payload
    await staff(bot)
    bot.clock.set(START)
    assert f"✓ Budi Santoso · {PEMUSTAKA} · 1/30 hadir" in await scan(bot, PIC, theirs, "✓")


async def test_an_english_speaker_reads_the_code_and_a_pic_the_count_in_english(bot) -> None:
    async def seat(session):
        meeting, role = await meeting_and_role(session, BENGKULU, "pemustaka")
        person = await make_participant(session, 1)
        await register_directly(session, participant=person, meeting=meeting, role=role, now=bot.clock.now())
        await make_pic(session, BENGKULU, 7201, bot.clock.now())

    await bot.query(seat)
    user = bot.standin.user(10_001, language_code="en-GB")
    pic = bot.standin.user(7201, language_code="en")
    await user.send_text("/status")
    assert "Your registrations" in (await user.next_message()).plain_text
    photo = await user.next_message()
    assert "Show this to the committee at the door." in photo.plain_text
    bot.clock.set(MORNING)
    assert "Show the QR code below" in (await next_with(user, "Today: Bengkulu")).plain_text
    await pic.send_text(f"/start {payload_of(photo)}")
    assert f"✓ Peserta 1 · {PEMUSTAKA} · 1/30 checked in" in (await next_with(pic, "✓")).plain_text


async def online(bot: RunningBot, *, venue: str | None) -> None:
    async def make_online(session):
        await session.execute(
            update(Meeting)
            .where(Meeting.code == BENGKULU)
            .values(online_url="https://zoom.example/j/123?pwd=a&b", venue=venue)
        )

    await bot.query(make_online)


async def test_online_saya_hadir_works_in_the_meetings_hours_once(bot) -> None:
    await online(bot, venue=None)
    user = bot.standin.user(8607)
    done = await register(user, BENGKULU, role="Pemustaka")
    assert "Pendaftaran berhasil" in done.plain_text
    assert "Tempat: daring" in done.plain_text and "https://zoom.example/j/123?pwd=a&b" in done.plain_text
    assert (await user.next_message()).document["file_name"].endswith(".ics")
    await none_yet(user, "Kode check-in")  # online only: no code to show at a door

    bot.clock.set(MORNING)
    reminder = await next_with(user, "2 jam lagi")
    assert "https://zoom.example/j/123?pwd=a&b" in reminder.plain_text
    morning = await next_with(user, "Hari ini: Bengkulu")
    assert "https://zoom.example/j/123?pwd=a&b" in morning.plain_text
    assert morning.button_texts == ["✅ Saya hadir"]
    assert not any(m.kind == "photo" for m in user.messages)

    # An hour before the start the window opens; at 07:00 it is too early, and the answer has a new button.
    await user.press(morning, text="Saya hadir")
    early = await next_with(user, "dibuka")
    assert "Rabu, 26 Juli 2023 pukul 08.00 WIB" in early.plain_text
    assert early.button_texts == ["✅ Saya hadir"]
    assert (await check_in_record(bot, 8607))[0] is None
    bot.clock.set(START)
    await user.press(early, text="Saya hadir")
    assert "Terima kasih" in (await next_with(user, "sudah tercatat")).plain_text
    assert await check_in_record(bot, 8607) == (START, None, CheckInWay.ONLINE)
    # A double tap (crossing the closed keyboard) is acknowledged and does nothing; the other message's
    # button, tapped later, says the person is checked in already, and since when.
    data = cb.pack(cb.OnlineCheckIn(await registration_id(bot, 8607)))
    await user.press_forged(early, data)
    await user.wait_for(lambda u: u.callback_answers[-1].text == "Sudah diterima.")
    await user.press_forged(morning, data)
    again = await next_with(user, "sudah tercatat hadir")
    assert "Rabu, 26 Juli 2023 pukul 09.00 WIB" in again.plain_text
    # A forged id (none, or someone else's) is a stale button.
    await user.press_forged(morning, "oh:999999")
    await user.wait_for(lambda u: any(a.text == "Tombol ini sudah tidak berlaku." for a in u.callback_answers))
    assert await check_in_record(bot, 8607) == (START, None, CheckInWay.ONLINE)


async def test_online_saya_hadir_after_the_end_and_beside_a_venue(bot) -> None:
    await online(bot, venue="Hotel Mercure Bengkulu")
    payload = await registered_with_code(bot, 8608)
    bot.clock.set(MORNING)
    user = bot.standin.user(8608)
    morning = await next_with(user, "Hari ini: Bengkulu")
    assert "Tunjukkan kode QR" in morning.plain_text and "https://zoom.example" in morning.plain_text
    assert payload_of(await user.next_message()) == payload
    bot.clock.set(END)
    await user.press(morning, text="Saya hadir")
    assert "sudah selesai" in (await next_with(user, "sudah selesai")).plain_text
    assert (await check_in_record(bot, 8608))[0] is None


async def registration_id(bot: RunningBot, telegram_user_id: int) -> int:
    return await bot.query(lambda session: registration_id_in(session, telegram_user_id))


async def test_a_move_onto_a_seat_and_a_moved_date_bring_the_code(bot) -> None:
    seated = await registered_with_code(bot, 8610)
    waiting = bot.standin.user(8611)
    assert "daftar tunggu" in (await register(waiting, BENGKULU, role="Pemustaka", name="Budi Santoso")).plain_text

    async def move_to_a_free_role(session):
        meeting, role = await meeting_and_role(session, BENGKULU, "stakeholder")
        await move(
            session,
            meeting_id=meeting.id,
            registration_id=await registration_id_in(session, 8611),
            role_id=role.id,
            actor_user_id=PIC,
            reason="Salah pilih peran",
            now=bot.clock.now(),
        )

    await bot.query(move_to_a_free_role)
    bot.clock.advance(timedelta(seconds=1))  # wakes the sender, as the roster's commit would
    await next_with(waiting, "mengubah peran Anda")
    assert (await waiting.next_message()).document["file_name"].endswith(".ics")
    moved_code = payload_of(await waiting.next_message())

    source = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8").replace(
        "26 July 2023\n    date: 2023-07-26", "26 July 2023\n    date: 2023-08-02"
    )
    await bot.query(lambda s: apply_program(s, parse_program(source), now=bot.clock.now()))
    bot.clock.advance(timedelta(seconds=1))
    user = bot.standin.user(8610)
    assert "Rabu, 2 Agustus 2023" in (await next_with(user, "Perubahan jadwal")).plain_text
    assert (await user.next_message()).document["file_name"].endswith(".ics")
    assert payload_of(await user.next_message()) == seated  # the same code, for the new date
    await next_with(waiting, "Perubahan jadwal")
    await waiting.next_message()
    assert payload_of(await waiting.next_message()) == moved_code


async def registration_id_in(session, telegram_user_id: int) -> int:
    return await session.scalar(
        select(Registration.id).where(Registration.participant.has(telegram_user_id=telegram_user_id))
    )
