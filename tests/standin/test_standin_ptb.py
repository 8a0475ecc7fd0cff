"""The stand-in driven through python-telegram-bot's real HTTP path."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import MessageHandler, filters

from botapi_standin import BotApiStandin
from tests.standin.standin_helpers import BotUnderTest, build_app, eventually

# PTB 22 warns when RetryAfter.retry_after is an int (it becomes a timedelta in v23).
RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_echo_round_trip(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1001, first_name="Siti")
    update = await user.send_text("halo bot")
    assert update["message"]["text"] == "halo bot"
    reply = await user.next_message()
    assert reply.text == "halo bot"
    assert reply.plain_text == "halo bot"
    assert user.last_message is reply
    assert standin.calls_to("getMe"), "PTB's initialize() calls getMe"
    assert standin.calls_to("sendMessage")[0].params["chat_id"] == 1001
    assert bot.handler_errors == []
    assert standin.core.problems == []


async def test_command_entity_and_button_press_edit(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1002)
    update = await user.send_text("/menu@shm_test_bot now")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 18}]
    menu = await user.next_message()
    assert menu.plain_text == "Pilih:"
    assert menu.entities == [{"type": "bold", "offset": 0, "length": 5}]
    assert menu.button_texts == ["Ya, daftar", "Tidak", "Situs"]

    with pytest.raises(AssertionError, match="(?i)Ya, daftar \\(yes\\)"):
        await user.press(menu, text="Nope")
    with pytest.raises(AssertionError, match="(?i)no callback_data"):
        await user.press(menu, text="Situs")

    press = await user.press(menu, text="daftar")  # unique substring
    assert press["callback_query"]["data"] == "yes"
    assert press["callback_query"]["message"]["message_id"] == menu.message_id
    answer = await user.wait_callback_answer()
    assert answer.text == "Dipilih: yes" and answer.data == "yes" and not answer.show_alert
    await user.wait_for(lambda u: u.message(menu.message_id).edited == 1)
    assert menu.plain_text == "Pilihan: yes"
    assert menu.reply_markup is None, "editMessageText without reply_markup drops the keyboard"
    assert len(standin.calls_to("answerCallbackQuery")) == 1

    # The same query cannot be answered twice, and a forged query still reaches the bot.
    query_id = press["callback_query"]["id"]
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.bot.answer_callback_query(query_id)
    await user.press_forged(menu, "admin:delete_all")
    forged = await user.wait_callback_answer()
    assert forged.data == "admin:delete_all"
    assert bot.handler_errors == []


async def test_edit_refusals(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1003)
    sent = await bot.bot.send_message(1003, "satu")
    with pytest.raises(BadRequest, match="(?i)message is not modified: specified new message content"):
        await bot.bot.edit_message_text("satu", chat_id=1003, message_id=sent.message_id)
    edited = await bot.bot.edit_message_text("dua", chat_id=1003, message_id=sent.message_id)
    assert edited.text == "dua" and edited.edit_date is not None
    assert user.message(sent.message_id).plain_text == "dua"
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.bot.edit_message_text("x", chat_id=1003, message_id=999)
    assert await bot.bot.delete_message(1003, sent.message_id) is True
    assert user.messages[0].deleted and user.last_message is None
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.bot.delete_message(1003, sent.message_id)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.bot.send_message(424242, "siapa?")


async def test_validation_refusals_via_ptb(standin: BotApiStandin, bot: BotUnderTest) -> None:
    standin.user(1004)
    send = bot.bot.send_message
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await send(1004, "x" * 4097)
    await send(1004, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await send(1004, "😀" * 2049)  # 2049 characters but 4098 UTF-16 units
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await send(1004, "<b> </b>", parse_mode="HTML")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=data)]])

    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await send(1004, "k", reply_markup=keyboard("x" * 65))
    await send(1004, "k", reply_markup=keyboard("x" * 64))
    await send(1004, "k", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await send(1004, "k", reply_markup=keyboard("é" * 33))  # 33 characters, 66 bytes

    for bad in ("<b>unclosed", "a < b", "Dinas & Arsip", "<div>x</div>", "<b>x</i>"):
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await send(1004, bad, parse_mode="HTML")
    ok = await send(1004, "Dinas &amp; Arsip <i>1 &lt; 2</i> &#x1F600;", parse_mode="HTML")
    assert ok.text == "Dinas & Arsip 1 < 2 😀"
    assert ok.entities[0].type == "italic"
    await send(1004, "Dinas & Arsip a < b")  # no parse_mode: no HTML check

    with pytest.raises(BadRequest, match="(?i)Character '.' is reserved"):
        await send(1004, "Selesai.", parse_mode="MarkdownV2")
    md = await send(1004, "*Selesai*\\.", parse_mode="MarkdownV2")
    assert md.text == "Selesai." and md.entities[0].type == "bold"
    assert len(standin.errors) == 11
    assert standin.errors[0].description == "Bad Request: message is too long"


@RETRY_AFTER_DEPRECATION
async def test_retry_after_reaches_ptb(standin: BotApiStandin, bot: BotUnderTest) -> None:
    standin.user(1005)
    standin.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.bot.send_message(1005, "a")
    assert caught.value.retry_after in (3, dtm.timedelta(seconds=3))
    assert standin.errors[-1].status == 429
    assert standin.errors[-1].description == "Too Many Requests: retry after 3"
    await bot.bot.send_message(1005, "b")  # only the next call fails

    standin.fail_next("sendMessage", status=403)
    with pytest.raises(Forbidden):
        await bot.bot.send_message(1005, "c")


async def test_blocked_user(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1006)
    update = await user.block()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    await eventually(lambda: bool(bot.member_updates))
    member = bot.member_updates[0]
    assert member.old_chat_member.status == "member" and member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.bot.send_message(1006, "halo?")
    with pytest.raises(AssertionError, match="(?i)blocked"):
        await user.send_text("hi")
    await user.unblock()
    await bot.bot.send_message(1006, "selamat datang kembali")
    assert user.last_message.text == "selamat datang kembali"


async def test_delay_makes_client_time_out(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1007)
    standin.delay_next("sendMessage", 0.6)
    with pytest.raises(TimedOut):
        await bot.bot.send_message(1007, "lambat", read_timeout=0.2)
    # Like Telegram, the message may still arrive although the client gave up.
    await user.wait_for(lambda u: len(u.messages) == 1)


async def test_files_both_ways(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1008)
    doc = await bot.bot.send_document(
        1008,
        InputFile(b"nama,peran\nSiti,ketua\n", filename="peserta.csv"),
        caption="<b>Daftar</b> peserta",
        parse_mode="HTML",
    )
    assert doc.document.file_name == "peserta.csv" and doc.caption == "Daftar peserta"
    assert user.last_message.document["mime_type"] == "text/csv"
    assert standin.calls_to("sendDocument")[0].params["document"]["size"] == 22
    photo = await bot.bot.send_photo(1008, InputFile(b"\xff\xd8fakejpeg", filename="p.jpg"))
    assert photo.photo[-1].width == 1280
    again = await bot.bot.send_photo(1008, photo.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.bot.send_document(1008, doc.document.file_id, caption="x" * 1025)

    await user.send_document("data.xlsx", content=b"PK\x03\x04rest-of-zip")
    reply = await user.next_message()
    while reply.kind != "text":
        reply = await user.next_message()
    assert reply.text == "got 15 bytes: PK\x03\x04r"


async def test_other_user_messages_parse(standin: BotApiStandin, bot: BotUnderTest) -> None:
    seen: list[str] = []

    async def record(update, context) -> None:
        msg = update.message
        kind = (
            "sticker"
            if msg.sticker
            else "photo"
            if msg.photo
            else "voice"
            if msg.voice
            else "location"
            if msg.location
            else "contact"
            if msg.contact
            else "other"
        )
        seen.append(kind)

    bot.app.add_handler(MessageHandler(~filters.TEXT & ~filters.Document.ALL, record), group=1)
    user = standin.user(1009, first_name="Budi", username="budi")
    await user.send_sticker()
    await user.send_photo(caption="foto")
    await user.send_voice()
    await user.send_location(-6.2, 106.8)
    await user.share_contact("+6281234567890")
    await eventually(lambda: len(seen) >= 5)
    assert seen == ["sticker", "photo", "voice", "location", "contact"]
    assert bot.handler_errors == []
    assert standin.core.problems == []


async def test_commands_and_reply_keyboard(standin: BotApiStandin, bot: BotUnderTest) -> None:
    await bot.bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("menu", "Menu")])
    assert [c.command for c in await bot.bot.get_my_commands()] == ["start", "menu"]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.bot.set_my_commands([BotCommand("Start", "Mulai")])
    user = standin.user(1010)
    markup = ReplyKeyboardMarkup([[KeyboardButton("Kirim nomor", request_contact=True)]], one_time_keyboard=True)
    await bot.bot.send_message(1010, "Bagikan nomor Anda", reply_markup=markup)
    assert user.reply_keyboard is not None
    update = await user.tap_keyboard("Kirim nomor")
    assert update["message"]["contact"]["user_id"] == 1010
    assert user.reply_keyboard is None
    await bot.bot.send_message(1010, "ok", reply_markup=ReplyKeyboardRemove())
    assert standin.unimplemented == []


@RETRY_AFTER_DEPRECATION
async def test_rate_limit() -> None:
    standin = BotApiStandin(rate_limit_per_second=5)
    await standin.start()
    app = build_app(standin)
    try:
        await app.initialize()
        standin.user(1011)
        outcomes = []
        for i in range(8):
            try:
                await app.bot.send_message(1011, f"m{i}")
                outcomes.append("ok")
            except RetryAfter:
                outcomes.append("429")
        assert outcomes == ["ok"] * 5 + ["429"] * 3
        assert standin.rate_limited_count == 3
    finally:
        await app.shutdown()
        await standin.stop()
