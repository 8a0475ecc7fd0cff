"""Quota alerts to PICs and the organizers' national digest, end to end through the Bot API stand-in.

The clock is a FrozenClock: moving it runs the alert watch and wakes the outbox sender, as the
JobQueue would when the moment comes. A PIC is made by inserting a `PicAssignment` directly.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from botapi_standin import StandinUser
from models.alerts import Alert, AlertKind
from models.outbox import MessageKind, OutboxMessage
from models.program import Meeting
from models.seats import register as register_directly
from tests.e2e.chat import count_with, next_with, none_yet, register
from tests.e2e.conftest import RunningBot, running_bot
from tests.models import factories
from tests.models.factories import make_participant, meeting_and_role

# Bengkulu, wave 1: Rabu, 26 Juli 2023 pukul 09.00 WIB (02:00 UTC).
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
BENGKULU = "shm23-bengkulu"
WINDOW = timedelta(minutes=10)
PIC_ID = 7001


async def make_pic(bot: RunningBot, user_id: int = PIC_ID, meeting_code: str = BENGKULU) -> StandinUser:
    """A Telegram user made PIC of the meeting, as the invite flow would."""
    await bot.query(lambda s: factories.make_pic(s, meeting_code, user_id, bot.clock.now()))
    return bot.standin.user(user_id, first_name="Pak PIC")


async def seat_directly(bot: RunningBot, role_code: str, numbers: range) -> list[int]:
    """Register people numbered `numbers` for a role in Bengkulu without chatting; returns their registration ids."""

    async def add(session) -> list[int]:
        meeting, role = await meeting_and_role(session, BENGKULU, role_code)
        found = []
        for n in numbers:
            person = await make_participant(session, n)
            found.append(
                (
                    await register_directly(
                        session, participant=person, meeting=meeting, role=role, now=bot.clock.now()
                    )
                ).id
            )
        return found

    ids = await bot.query(add)
    for n in numbers:
        bot.standin.user(10_000 + n)  # their chats exist: reminders reach them
    return ids


async def alert_count(bot: RunningBot, kind: AlertKind) -> int:
    async def count(session) -> int:
        meeting = await session.scalar(select(Meeting).where(Meeting.code == BENGKULU))
        return await session.scalar(select(func.count()).where(Alert.meeting_id == meeting.id, Alert.kind == kind))

    return await bot.query(count)


async def test_threshold_full_and_waitlist_fire_once_each_and_arrive_as_one_digest(bot) -> None:
    pic = await make_pic(bot)
    await seat_directly(bot, "tim_sinergi", range(3))
    fourth, fifth, sixth = (bot.standin.user(n) for n in (8001, 8002, 8003))
    for user in (fourth, fifth, sixth):
        await register(user, BENGKULU, role="Tim Sinergi Provinsi")
    assert pic.messages == []  # gathered for the digest window
    bot.clock.advance(WINDOW)
    digest = await next_with(pic, "Pemberitahuan kuota")
    text = digest.plain_text
    assert "Bengkulu" in text and "Rabu, 26 Juli 2023 pukul 09.00 WIB" in text
    # The role passed 80% and filled within the window: one line says how it stands when the digest goes.
    assert "Tim Sinergi Provinsi penuh (5/5)" in text and "sudah terisi" not in text
    assert "Daftar tunggu Tim Sinergi Provinsi bertambah 1 orang (Dra. Siti Rahma, M.Hum.); kini 1 menunggu" in text
    # Another person waits: a new digest says only that.
    await register(bot.standin.user(8004), BENGKULU, role="Tim Sinergi Provinsi")
    bot.clock.advance(WINDOW)
    later = await next_with(pic, "Pemberitahuan kuota")
    assert "bertambah 1 orang" in later.plain_text and "kini 2 menunggu" in later.plain_text
    assert "penuh" not in later.plain_text and "sudah terisi" not in later.plain_text
    assert count_with(pic, "Pemberitahuan kuota") == 2
    assert await alert_count(bot, AlertKind.FULL) == 1 and await alert_count(bot, AlertKind.THRESHOLD) == 1
    # Participants hear nothing of the alerts.
    assert not any("Pemberitahuan kuota" in m.plain_text for m in fourth.messages + sixth.messages)


async def test_a_cancelled_seat_is_reported_with_who_got_it(bot) -> None:
    pic = await make_pic(bot)
    seated = bot.standin.user(8101)
    await register(seated, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await seat_directly(bot, "pemustaka", range(1, 2))  # Peserta 1 waits
    await seated.send_text("/batal")
    await seated.press(await next_with(seated, "Batalkan pendaftaran"), text="Ya, batalkan")
    await next_with(seated, "telah dibatalkan")
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "Budi Santoso membatalkan kursi Pemustaka yang terdampak TPBIS" in digest
    assert "kursi diberikan kepada Peserta 1 dari daftar tunggu" in digest
    assert (
        "Pemustaka yang terdampak TPBIS penuh (1/1)" in digest
        and "Daftar tunggu Pemustaka yang terdampak TPBIS bertambah 1 orang (Peserta 1)" in digest
    )
    assert await alert_count(bot, AlertKind.FULL) == 1  # the seat passed straight on: not full "again"


async def test_tidak_hadir_offers_the_seat_and_a_lapsed_hold_is_reported(bot) -> None:
    seated = bot.standin.user(8201)
    await register(seated, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await seat_directly(bot, "pemustaka", range(2, 3))  # Peserta 2 waits
    pic = await make_pic(bot)
    bot.clock.set(START - timedelta(days=3))
    question = await next_with(seated, "Apakah Anda akan hadir")
    await seated.press(question, text="Tidak hadir")
    await seated.wait_for(lambda u: "Yakin tidak dapat hadir" in u.messages[-1].plain_text)
    await seated.press(seated.messages[-1], text="Ya, saya tidak hadir")
    await next_with(seated, "dilepas")
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert (
        "Budi Santoso menjawab Tidak hadir (Pemustaka yang terdampak TPBIS); kursi ditawarkan kepada Peserta 2"
        in digest
    )
    assert "Pendaftaran tertinggal" in digest  # 3 days before, the meeting lags too
    # Nobody answers the offer for a day: the hold lapses, and nobody else is waiting.
    bot.clock.set(START - timedelta(days=2))
    await next_with(bot.standin.user(10_002), "sudah habis")
    bot.clock.advance(WINDOW)
    lapsed = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert (
        "Tawaran kursi Pemustaka yang terdampak TPBIS untuk Peserta 2 habis waktunya; tidak ada yang menunggu, kursi kosong (0/1)"
        in lapsed
    )
    assert "Pendaftaran tertinggal" not in lapsed  # lagging fired once


async def test_at_night_alerts_wait_for_the_morning_but_the_day_before_alert_does_not(bot) -> None:
    pic = await make_pic(bot)
    night = datetime(2023, 7, 5, 16, 0, tzinfo=UTC)  # 23:00 WIB, three weeks ahead
    bot.clock.set(night)
    silent = bot.standin.user(8301)
    await register(silent, BENGKULU, role="Pemustaka", name="Budi Santoso")

    async def pending_digest(session):
        return await session.scalar(
            select(OutboxMessage.due_at).where(
                OutboxMessage.kind == MessageKind.PIC_ALERTS, OutboxMessage.status == "pending"
            )
        )

    # Held until the quiet hours end: 07:00 WIB the next morning.
    assert await bot.eventually(pending_digest, lambda due: due is not None) == datetime(2023, 7, 6, 0, 0, tzinfo=UTC)
    bot.clock.advance(timedelta(hours=7, minutes=59))  # 06:59 WIB
    await none_yet(pic, "Pemberitahuan kuota")
    bot.clock.advance(timedelta(minutes=1))  # 07:00 WIB
    morning = await next_with(pic, "Pemberitahuan kuota")
    assert "Pemustaka yang terdampak TPBIS penuh (1/1)" in morning.plain_text
    # The day before the meeting at 23:00 WIB, the participant has not confirmed: the PIC hears at once.
    bot.clock.set(datetime(2023, 7, 25, 16, 0, tzinfo=UTC))
    urgent = await next_with(pic, "Pertemuan 10 jam lagi")
    assert "1 peserta belum menjawab Hadir / Tidak hadir: Budi Santoso" in urgent.plain_text
    assert count_with(pic, "Pemberitahuan kuota") == 2


async def test_a_participant_who_blocks_the_bot_is_reported_unreachable(bot) -> None:
    pic = await make_pic(bot)
    user = bot.standin.user(8401)
    await register(user, BENGKULU, role="Stakeholder Provinsi", name="Budi Santoso")
    await user.block()
    await bot.eventually(lambda s: alert_count_in(s, AlertKind.UNREACHABLE), lambda n: n == 1)
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "1 peserta memblokir bot dan tidak dapat dihubungi: Budi Santoso" in digest


async def alert_count_in(session, kind: AlertKind) -> int:
    return await session.scalar(select(func.count()).where(Alert.kind == kind))


async def test_lagging_fires_once_on_the_configured_day(bot) -> None:
    pic = await make_pic(bot)
    await seat_directly(bot, "stakeholder", range(3))
    bot.clock.set(START - timedelta(days=14, minutes=1))
    await asyncio.sleep(0.5)  # the watch checks within milliseconds of the clock moving
    assert await alert_count(bot, AlertKind.LAGGING) == 0
    bot.clock.set(START - timedelta(days=14))  # Wednesday 12 July, 09:00 WIB
    await bot.eventually(lambda s: alert_count_in(s, AlertKind.LAGGING), lambda n: n == 2)  # Bengkulu, Jawa Tengah
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "Pendaftaran tertinggal, 14 hari lagi" in digest
    assert "Stakeholder Provinsi 3/18" in digest and "Perwakilan Desa (Role Model) 0/1" in digest
    bot.clock.set(START - timedelta(days=13))
    await seat_directly(bot, "pemustaka", range(10, 11))
    bot.clock.advance(WINDOW)
    later = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "Pemustaka yang terdampak TPBIS penuh" in later and "tertinggal" not in later
    assert await alert_count(bot, AlertKind.LAGGING) == 1


async def test_organizers_get_a_daily_national_digest_with_meetings_at_risk_first(standin, db_url) -> None:
    admin = standin.user(6001, first_name="Panitia")
    # Saturday 1 July, 10:00 WIB: the first digest is tomorrow's.
    async with running_bot(standin, db_url, admin_ids=frozenset({6001})) as bot:
        clock = bot.clock
        clock.set(datetime(2023, 7, 2, 1, 0, tzinfo=UTC))  # Sunday, 08:00 WIB
        first = (await next_with(admin, "Ringkasan nasional")).plain_text
        assert "2 Juli 2023" in first and "Tidak ada pertemuan yang berisiko" in first
        assert "Total 38 pertemuan: 0/1140 kursi terisi" in first
        await seat_directly(bot, "stakeholder", range(12))
        clock.set(datetime(2023, 7, 13, 0, 0, tzinfo=UTC))  # 07:00 WIB: not yet
        await none_yet(admin, "Ringkasan nasional")
        clock.set(datetime(2023, 7, 13, 1, 0, tzinfo=UTC))  # 08:00 WIB
        second = (await next_with(admin, "Ringkasan nasional")).plain_text
        assert "13 Juli 2023" in second and "Berisiko (2)" in second
        risky, others = second.split("Lainnya")
        # Bengkulu and Jawa Tengah meet in 13 days; Bengkulu's stakeholders are 12/18, its single seats empty.
        assert "Bengkulu, 26 Jul 2023: Tim Sinergi Provinsi 0/5" in risky and "Jawa Tengah" in risky
        assert "Stakeholder Provinsi" not in risky.split("Jawa Tengah")[0]
        assert "Aceh" in others and "Bengkulu" not in others
        # Later that day nothing more; the next morning the next one.
        clock.advance(timedelta(hours=6))
        await none_yet(admin, "Ringkasan nasional")
        clock.set(datetime(2023, 7, 14, 1, 0, tzinfo=UTC))
        third = (await next_with(admin, "Ringkasan nasional")).plain_text
        assert "14 Juli 2023" in third
    assert count_with(admin, "Ringkasan nasional") == 3


async def test_a_digest_states_the_meeting_as_it_is_when_sent_not_when_its_alerts_were_recorded(bot) -> None:
    pic = await make_pic(bot)
    await seat_directly(bot, "stakeholder", range(3))
    # 13 days 20 hours before: the lagging check fires with Perwakilan Desa still empty.
    bot.clock.set(START - timedelta(days=13, hours=20))
    await bot.eventually(lambda s: alert_count_in(s, AlertKind.LAGGING), lambda n: n >= 1)
    # Within the digest window the village representative registers: the role is full, no longer behind.
    await seat_directly(bot, "rm_desa", range(20, 21))
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "Perwakilan Desa (Role Model) penuh (1/1)" in digest
    lagging = next(line for line in digest.splitlines() if "tertinggal" in line)
    assert "Perwakilan Desa" not in lagging and "Stakeholder Provinsi 3/18" in lagging
    # 13 days 19 hours 50 minutes are "14 hari lagi", counted from the moment the digest goes.
    assert "14 hari lagi" in lagging, lagging


async def test_an_offer_taken_before_the_digest_goes_is_reported_as_taken(bot) -> None:
    seated = bot.standin.user(8501)
    await register(seated, BENGKULU, role="Pemustaka", name="Budi Santoso")
    await seat_directly(bot, "pemustaka", range(3, 4))  # Peserta 3 waits
    pic = await make_pic(bot)
    bot.clock.set(START - timedelta(days=3))
    await seated.press(await next_with(seated, "Apakah Anda akan hadir"), text="Tidak hadir")
    await seated.wait_for(lambda u: "Yakin tidak dapat hadir" in u.messages[-1].plain_text)
    await seated.press(seated.messages[-1], text="Ya, saya tidak hadir")
    waiting = bot.standin.get_user(10_003)
    await waiting.press(await next_with(waiting, "Ada kursi untuk Anda"), text="Ambil")
    await next_with(waiting, "Kursi Anda terkonfirmasi")
    bot.clock.advance(WINDOW)
    digest = (await next_with(pic, "Pemberitahuan kuota")).plain_text
    assert "kursi ditawarkan kepada Peserta 3, yang sudah mengambilnya (1/1)" in digest, digest
    assert "menunggu jawaban" not in digest


async def test_a_meeting_without_a_pic_alerts_the_organizers_until_one_is_appointed(standin, db_url) -> None:
    admin = standin.user(6001, first_name="Panitia")
    async with running_bot(standin, db_url, admin_ids=frozenset({6001})) as bot:
        await register(bot.standin.user(8601), BENGKULU, role="Pemustaka", name="Budi Santoso")
        await none_yet(admin, "Pemberitahuan kuota")  # gathered for the digest window
        bot.clock.advance(WINDOW)
        digest = (await next_with(admin, "Pemberitahuan kuota")).plain_text
        assert "Bengkulu" in digest and "Pemustaka yang terdampak TPBIS penuh (1/1)" in digest
        assert "belum punya PIC" in digest and "/pic" in digest
        # Once a PIC is appointed, the meeting's alerts are theirs.
        pic = await make_pic(bot)
        await seat_directly(bot, "tim_sinergi", range(5))
        bot.clock.advance(WINDOW)
        theirs = (await next_with(pic, "Pemberitahuan kuota")).plain_text
        assert "Tim Sinergi Provinsi penuh (5/5)" in theirs and "belum punya PIC" not in theirs
        await none_yet(admin, "Tim Sinergi")
    assert count_with(admin, "Pemberitahuan kuota") == 1


async def test_an_unconfirmed_line_sent_after_the_start_is_left_out(bot) -> None:
    pic = await make_pic(bot)
    user = bot.standin.user(8601)
    await register(user, BENGKULU, role="Stakeholder Provinsi", name="Budi Santoso")

    async def digests(session) -> list[tuple[str, str | None]]:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.last_error)
            .where(OutboxMessage.kind == MessageKind.PIC_ALERTS)
            .order_by(OutboxMessage.id)
        )
        return [(status.value, error) for status, error in rows]

    # The day before, Telegram fails the PIC's digest: the outbox tries again later.
    bot.standin.fail_next("sendMessage", status=500, description="Internal Server Error", chat_id=PIC_ID)
    bot.clock.set(START - timedelta(hours=20))
    await bot.eventually(digests, lambda found: [status for status, error in found if error] == ["pending"])
    assert not pic.messages
    # The retry comes after the start: nobody can answer Hadir / Tidak hadir any more, so that line is gone.
    bot.clock.set(START + timedelta(minutes=5))
    await bot.eventually(digests, lambda found: all(status not in ("pending", "sending") for status, _ in found))
    assert not [m for m in pic.messages if "belum menjawab Hadir" in m.plain_text]
