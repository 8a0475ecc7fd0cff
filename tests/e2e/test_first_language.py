"""Until someone chooses a language, the bot speaks their Telegram's: Indonesian for `id`, English otherwise."""

from __future__ import annotations

import json

import pytest

from botapi_standin import BotApiStandin
from models.program import meeting_by_code
from models.staff import create_invite
from tests.e2e.chat import next_with
from tests.e2e.conftest import running_bot
from tests.models.factories import T0

DEFAULT_SCOPE = json.dumps({"type": "default"}, sort_keys=True)


def menu_for(standin: BotApiStandin, language_code: str | None) -> list[str]:
    """The descriptions of the command menu Telegram shows someone with this language: their language's, else the default."""
    commands = standin.core.commands
    chosen = commands.get((DEFAULT_SCOPE, language_code or "")) or commands.get((DEFAULT_SCOPE, ""), [])
    return [c["description"] for c in chosen]


@pytest.mark.parametrize("language_code", ["en", "en-GB", "de", None])
async def test_someone_whose_telegram_is_not_indonesian_is_welcomed_in_english(bot, language_code) -> None:
    user = bot.standin.user(7201, language_code=language_code)
    await user.send_text("/start")
    consent = await user.next_message()
    assert "Welcome to" in consent.plain_text and "Do you agree" in consent.plain_text, user.transcript()
    assert consent.plain_text.endswith("🌐 Change language: /language · Ganti bahasa: /bahasa")
    assert "✅ I agree" in consent.button_texts
    # The command menu they see speaks the same language.
    assert "Register for a meeting" in menu_for(bot.standin, language_code)
    await user.press(consent, text="I agree")
    meetings = await user.next_message()
    assert "Choose the meeting" in meetings.plain_text and "Change language" not in meetings.plain_text


async def test_an_indonesian_telegram_is_welcomed_in_indonesian_and_can_switch(bot) -> None:
    user = bot.standin.user(7202, language_code="id")
    await user.send_text("/start")
    consent = await user.next_message()
    assert "Selamat datang" in consent.plain_text
    assert consent.plain_text.endswith("🌐 Ganti bahasa: /bahasa · Change language: /language")
    assert "Daftar ke pertemuan" in menu_for(bot.standin, "id")
    await user.send_text("/language")
    choice = await next_with(user, "Choose a language")
    await user.press(choice, text="English")
    await next_with(user, "Language set to English")
    await next_with(user, "carry on")
    assert "Welcome to" in (await user.next_message()).plain_text


async def test_every_first_message_follows_telegrams_language(bot) -> None:
    # Help before anything else.
    helped = bot.standin.user(7203, language_code="en-US")
    await helped.send_text("/bantuan")
    answer = await helped.next_message()
    assert "/language" in answer.plain_text and "Change language" in answer.plain_text, helped.transcript()
    # A sticker, an unknown command, a meeting link nobody knows.
    sticker = bot.standin.user(7204, language_code="fr")
    await sticker.send_sticker()
    assert "Type /start" in (await sticker.next_message()).plain_text, sticker.transcript()
    unknown = bot.standin.user(7205, language_code=None)
    await unknown.send_text("/foo")
    assert "Unknown command" in (await unknown.next_message()).plain_text
    link = bot.standin.user(7206, language_code="en")
    await link.send_text("/start bukan-kode")
    assert "not known" in (await link.next_message()).plain_text
    # A command in a group, where nobody's choice is kept.
    member = bot.standin.group(-100_777, "PIC Jawa Barat", member_id=7207, language_code="en")
    await member.send_text("/start@shm_test_bot")
    assert "private chat" in (await member.next_message()).plain_text
    # Someone who chose Indonesian keeps it, whatever their Telegram says.
    chooser = bot.standin.user(7208, language_code="en")
    await chooser.send_text("/bahasa")
    await chooser.press(await next_with(chooser, "Choose a language"), text="Bahasa Indonesia")
    await next_with(chooser, "Bahasa diatur")
    await chooser.send_text("/start")
    consent = await chooser.next_message()
    assert "Selamat datang" in consent.plain_text and "Change language" not in consent.plain_text


async def test_the_apology_for_a_failure_follows_telegrams_language(bot, monkeypatch) -> None:
    async def broken(turn) -> None:
        raise RuntimeError("a bug in a handler")

    # /bantuan asks the step in progress again after the help: here that fails, before any answer went out.
    monkeypatch.setattr("handlers.help.resume", broken)
    user = bot.standin.user(7209, language_code="en-AU")
    await user.send_text("/bantuan")
    assert (await user.next_message()).plain_text == "Sorry, something went wrong. Please try again shortly."


async def test_a_pic_invite_opened_first_is_answered_in_telegrams_language(bot) -> None:
    async def invite(session) -> str:
        aceh = await meeting_by_code(session, "shm23-aceh")
        return (await create_invite(session, meeting_id=aceh.id, created_by=7299, now=T0)).token

    token = await bot.query(invite)
    organizer = bot.standin.user(7299)  # who made the invite, and is told when it is used
    pic = bot.standin.user(7210, language_code="en")
    await pic.send_text(f"/start {token}")
    welcome = await pic.next_message()
    assert "You are now a PIC of Aceh" in welcome.plain_text, pic.transcript()
    assert welcome.plain_text.endswith("Ganti bahasa: /bahasa")
    # Their own command menu is in English too.
    menu = bot.standin.core.commands[(json.dumps({"type": "chat", "chat_id": 7210}, sort_keys=True), "")]
    assert "Quota summary of the meeting" in [c["description"] for c in menu]
    await organizer.next_message()


async def test_an_organizers_menu_follows_their_telegrams_language_once_they_write(standin, db_url) -> None:
    chat_scope = (json.dumps({"type": "chat", "chat_id": 7211}, sort_keys=True), "")
    organizer = standin.user(7211, language_code="en-GB")
    async with running_bot(standin, db_url, admin_ids=frozenset({7211})):
        # Set at start, before the bot knew their language.
        await organizer.wait_for(lambda u: chat_scope in standin.core.commands)
        await organizer.send_text("/bantuan")
        await organizer.next_message()
        await organizer.wait_for(
            lambda u: (
                "National summary of all provinces" in [c["description"] for c in standin.core.commands[chat_scope]]
            )
        )
