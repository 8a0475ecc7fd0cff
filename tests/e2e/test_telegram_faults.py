"""Telegram answering 429, 5xx or not at all, and people who blocked the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models.participant import get_participant
from tests.e2e.chat import consent_and_choose, outbox_statuses, register
from tests.e2e.conftest import RunningBot, running_bot


@pytest.fixture
async def limited_bot(standin, db_url) -> AsyncIterator[RunningBot]:
    """The bot as deployed: with its flood limiter (`bot.rate_limit.FloodLimiter`)."""
    async with running_bot(standin, db_url, rate_limit=True) as running:
        yield running


async def test_a_429_is_waited_out_and_the_answer_arrives(limited_bot) -> None:
    user = limited_bot.standin.user(8001)
    limited_bot.standin.fail_next("sendMessage", status=429, retry_after=1)
    await user.send_text("/bantuan")
    help_text = await user.next_message()
    assert "/batal" in help_text.plain_text
    refused = [c for c in limited_bot.standin.calls_to("sendMessage") if c.status == 429]
    assert len(refused) == 1
    assert len(user.messages) == 1  # sent once, after the wait; not twice


def _refusals(standin) -> list:
    return [c for c in standin.calls_to("sendMessage") if c.status == 429]


def _answer_to(standin, chat_id: int):
    return next(c for c in standin.calls_to("sendMessage") if c.status == 200 and c.params["chat_id"] == chat_id)


async def test_a_429_for_one_chat_holds_back_that_chat_only(limited_bot) -> None:
    standin = limited_bot.standin
    held, other = standin.user(8011), standin.user(8012)
    standin.fail_next("sendMessage", status=429, retry_after=3, chat_id=held.id)
    await held.send_text("/bantuan")
    await standin.wait_for(lambda s: len(_refusals(s)) == 1)
    await other.send_text("/bantuan")
    # Answered at once, while the refused chat waits out its retry_after.
    assert "/batal" in (await other.next_message()).plain_text
    assert held.messages == []
    assert "/batal" in (await held.next_message()).plain_text
    assert _answer_to(standin, held.id).received_at >= _refusals(standin)[0].received_at + 3
    assert len(held.messages) == 1


async def test_429s_for_two_chats_hold_back_every_chat(limited_bot) -> None:
    standin = limited_bot.standin
    first, second, third = standin.user(8021), standin.user(8022), standin.user(8023)
    for user in (first, second):
        standin.fail_next("sendMessage", status=429, retry_after=2, chat_id=user.id)
        await user.send_text("/bantuan")
    await standin.wait_for(lambda s: len(_refusals(s)) == 2)
    # Two chats refused within a second: the bot-wide limit, so a third chat waits too.
    await third.send_text("/bantuan")
    for user in (first, second, third):
        assert "/batal" in (await user.next_message()).plain_text
    last_refusal = max(c.received_at for c in _refusals(standin))
    assert _answer_to(standin, third.id).received_at >= last_refusal + 2


async def test_a_server_error_gets_an_apology_and_nothing_is_lost(bot) -> None:
    user = bot.standin.user(8002)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    bot.standin.fail_next("sendMessage", status=502, description="Bad Gateway")
    await user.send_text("Budi Santoso")
    assert "terjadi gangguan" in (await user.next_message()).plain_text
    # The name was stored before the reply failed: the next message answers the next step.
    await user.send_text("Dinas Perpustakaan")
    assert "jabatan" in (await user.next_message()).plain_text


async def test_a_timeout_from_telegram_loses_no_step(bot) -> None:
    user = bot.standin.user(8003)
    await consent_and_choose(user, "shm23-aceh", "Stakeholder")
    # Telegram hangs past the client's timeout (5 s) and then delivers the question after all, as it can.
    bot.standin.delay_next("sendMessage", 7)
    await user.send_text("Budi Santoso")
    texts = [(await user.next_message()).plain_text for _ in range(2)]
    assert [any("terjadi gangguan" in t for t in texts), any("Ketik nama instansi" in t for t in texts)] == [
        True,
        True,
    ], user.transcript()
    # The name was stored before the reply timed out: the next answer is taken as the institution.
    await user.send_text("Dinas Perpustakaan")
    assert "jabatan" in (await user.next_message()).plain_text, user.transcript()


async def test_a_promoted_person_who_blocked_the_bot_keeps_the_seat(bot) -> None:
    seated, waiting = bot.standin.user(8101), bot.standin.user(8102)
    await register(seated, role="Pemustaka")
    await register(waiting, role="Pemustaka")
    await waiting.block()
    await seated.send_text("/batal")
    await seated.press(await seated.next_message(), text="Ya, batalkan")
    assert "telah dibatalkan" in (await seated.next_message()).plain_text
    # The notice is not sent (or is refused) and the person is marked unreachable, not retried.
    await bot.eventually(lambda s: outbox_statuses(s, 8102), lambda found: found == ["unreachable"])
    assert [m for m in waiting.messages if "Kabar baik" in m.plain_text] == []
    await waiting.unblock()
    await waiting.send_text("/status")
    assert "kursi terkonfirmasi" in (await waiting.next_message()).plain_text
    participant = await bot.query(lambda s: get_participant(s, 8102))
    assert participant.unreachable_since is None


async def test_a_403_while_sending_marks_the_person_unreachable(bot) -> None:
    seated, waiting = bot.standin.user(8111), bot.standin.user(8112)
    await register(seated, role="Pemustaka")
    await register(waiting, role="Pemustaka")
    # Blocked without Telegram's my_chat_member update having reached the bot yet.
    await waiting.block(notify=False)
    await seated.send_text("/batal")
    await seated.press(await seated.next_message(), text="Ya, batalkan")
    await bot.eventually(lambda s: outbox_statuses(s, 8112), lambda found: found == ["unreachable"])
    participant = await bot.query(lambda s: get_participant(s, 8112))
    assert participant.unreachable_since == bot.clock.now()
    assert "telah dibatalkan" in (await seated.next_message()).plain_text


async def test_someone_who_blocked_the_bot_mid_registration_is_not_a_crash(bot) -> None:
    user = bot.standin.user(8201)
    await user.send_text("/start")
    await user.next_message()
    await user.block()
    await user.unblock()
    await user.send_text("/start")
    assert "lanjutkan" in (await user.next_message()).plain_text
    assert "Apakah Anda setuju" in (await user.next_message()).plain_text


async def test_a_failed_reply_does_not_silence_the_promotion_notice(bot) -> None:
    seated, waiting = bot.standin.user(8301), bot.standin.user(8302)
    await register(seated, role="Pemustaka")
    await register(waiting, role="Pemustaka")
    await seated.send_text("/batal")
    confirm = await seated.next_message()
    bot.standin.fail_next("sendMessage", status=500, description="Internal Server Error")
    await seated.press(confirm, text="Ya, batalkan")
    assert "Kabar baik" in (await waiting.next_message()).plain_text
    assert "terjadi gangguan" in (await seated.next_message()).plain_text
    await seated.send_text("/status")
    assert "belum terdaftar" in (await seated.next_message()).plain_text


async def test_a_failing_database_gets_an_apology_and_an_answered_button(bot) -> None:
    from sqlalchemy import text

    from bot.database import create_engine

    user = bot.standin.user(8401)
    await user.send_text("/start")
    consent = await user.next_message()
    engine = create_engine(bot.settings.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE consent_record RENAME TO consent_record_gone"))
    finally:
        await engine.dispose()
    await user.press(consent, text="Setuju")
    assert "terjadi gangguan" in (await user.next_message()).plain_text
    answers = [a for a in user.callback_answers if a.data == "c:1"]
    assert len(answers) == 1  # the spinner stops; answered once
