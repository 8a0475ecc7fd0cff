"""What a roster change leaves people with: a corrected calendar entry, and phones written as people write them."""

from __future__ import annotations

from icalendar import Calendar

from tests.e2e.chat import bytes_of, next_with
from tests.models.factories import make_pic, seat

BENGKULU = "shm23-bengkulu"
PIC = 7301


async def test_a_person_moved_to_another_role_gets_the_corrected_calendar_file(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        moving = await seat(session, BENGKULU, "pemustaka", 1)
        waiting = await seat(session, BENGKULU, "pemustaka", 2)
        return moving.participant.telegram_user_id, moving.id, waiting.participant.telegram_user_id

    moving_id, registration_id, waiting_id = await bot.query(setup)
    moving, waiting, pic = bot.standin.user(moving_id), bot.standin.user(waiting_id), bot.standin.user(PIC)
    await pic.send_text("/pindah")
    await pic.press(await pic.next_message(), text="Peserta 1 — Pemustaka")
    await pic.press(await next_with(pic, "ke peran"), text="Stakeholder Provinsi")
    await next_with(pic, "Ketik alasannya")
    await pic.send_text("Salah pilih peran saat mendaftar")
    await next_with(pic, "kini terdaftar sebagai Stakeholder Provinsi")

    notice = await next_with(moving, "mengubah peran Anda")
    assert "Stakeholder Provinsi" in notice.plain_text
    file = await moving.next_message()
    assert file.kind == "document" and file.document["file_name"] == f"{BENGKULU}.ics", moving.transcript()
    event = Calendar.from_ical(bytes_of(bot.standin, file)).walk("VEVENT")[0]
    # The same entry as the seat's first file (its uid), now with the new role.
    assert str(event["uid"]) == f"shm-bot-{BENGKULU}-{registration_id}@shm-bot"
    assert str(event["description"]) == "Peran: Stakeholder Provinsi"
    assert event.decoded("dtstart").isoformat() == "2023-07-26T09:00:00+07:00"
    # The seat left behind goes to the first person waiting, with a calendar file of their own.
    await next_with(waiting, "Kabar baik")
    given = Calendar.from_ical(bytes_of(bot.standin, await waiting.next_message())).walk("VEVENT")[0]
    assert str(given["description"]) == "Peran: Pemustaka yang terdampak TPBIS"


async def test_the_roster_shows_phones_as_people_write_them(bot) -> None:
    async def setup(session):
        await make_pic(session, BENGKULU, PIC)
        await seat(session, BENGKULU, "pemustaka", 1)
        await seat(session, BENGKULU, "stakeholder", 1_234_567)

    await bot.query(setup)
    pic = bot.standin.user(PIC)
    await pic.send_text("/peserta")
    page = (await next_with(pic, "Peserta 1")).plain_text
    # Stored as +628120000001 and +628121234567.
    assert "0812-0000-001" in page and "0812-1234-567" in page, page
    assert "+62" not in page
