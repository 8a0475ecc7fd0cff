"""What the stand-in grew for the web chat: refusals kept in their chat, reply-keyboard taps, a movable date."""

from __future__ import annotations

import json

import aiohttp

from botapi_standin import BotApiStandin
from botapi_standin.webchat import chat_view

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


async def send(standin: BotApiStandin, **params: object) -> int:
    status, _ = await standin.core.handle(TOKEN, "sendMessage", dict(params))
    return status


async def test_refusals_the_bot_caused_show_in_their_chat_and_injected_faults_do_not(standin: BotApiStandin) -> None:
    user = standin.user(3001, "Ani", note="peserta")
    assert await send(standin, chat_id=3001, text="<b>tidak ditutup", parse_mode="HTML") == 400
    standin.fail_next("sendMessage", status=502)
    assert await send(standin, chat_id=3001, text="gagal di jalan") == 502
    assert await send(standin, chat_id=3001, text="x" * 4097) == 400
    assert "! refused sendMessage: 400 Bad Request: can't parse entities" in user.transcript()
    assert "502" not in user.transcript()
    view = chat_view(standin, user)
    errors = [item for item in view["items"] if item["side"] == "error"]
    assert [error["status"] for error in errors] == [400, 400]
    assert view["problems"] == standin.core.problems and len(view["problems"]) == 2
    assert view["user"]["note"] == "peserta"


async def test_a_tap_on_the_share_button_sends_the_users_own_contact(standin: BotApiStandin) -> None:
    standin.user(3002, "Budi")
    keyboard = {"keyboard": [[{"text": "Bagikan nomor saya", "request_contact": True}]], "one_time_keyboard": True}
    assert await send(standin, chat_id=3002, text="Nomor HP?", reply_markup=json.dumps(keyboard)) == 200
    tap = f"{standin.control_url}/users/3002/tap"
    async with aiohttp.ClientSession() as http:
        async with http.post(tap, json={"text": "Bagikan nomor saya"}) as response:
            contact = (await response.json())["result"]["message"]["contact"]
        assert contact["user_id"] == 3002 and contact["phone_number"].startswith("+628")
        assert chat_view(standin, standin.user(3002))["reply_keyboard"] is None
        async with http.post(tap, json={"text": "Bagikan nomor saya"}) as response:
            assert response.status == 400 and "no reply-keyboard button" in (await response.json())["description"]


async def test_message_dates_follow_the_clock_the_stand_in_is_given() -> None:
    async with BotApiStandin(clock=lambda: 1_900_000_000.5) as standin:
        user = standin.user(3003, "Citra")
        assert await send(standin, chat_id=3003, text="halo") == 200
        await user.send_text("halo juga")
        assert [item["date"] for item in chat_view(standin, user)["items"]] == [1_900_000_000] * 2


async def test_a_document_sent_through_the_control_api_reaches_the_bot_as_telegram_delivers_it(
    standin: BotApiStandin, bot
) -> None:
    """The page's file picker: a multipart upload becomes a message with a Document the bot can getFile."""
    user = standin.user(3004, "Dewi")
    form = aiohttp.FormData()
    form.add_field("document", b"program: {code: x}\n", filename="program.yaml", content_type="application/x-yaml")
    form.add_field("caption", "lihat https://example.org/a.")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{standin.control_url}/users/3004/document", data=form) as response:
            assert response.status == 200, await response.text()
            message = (await response.json())["result"]["message"]
        async with http.post(f"{standin.control_url}/users/3004/document", json={"file_name": "x"}) as response:
            assert response.status == 400 and "multipart" in (await response.json())["description"]
    document = message["document"]
    assert document["file_name"] == "program.yaml" and document["mime_type"] == "application/x-yaml"
    assert document["file_size"] == 19 and document["file_id"] and document["file_unique_id"]
    assert message["caption_entities"] == [{"type": "url", "offset": 6, "length": 21}]
    await user.wait_for(lambda u: u.last_message is not None)
    assert user.last_message.text == "got 19 bytes: progr"
    view = chat_view(standin, user)
    sent = next(item for item in view["items"] if item["side"] == "user")
    assert sent["document"]["url"] == f"/_standin/web/files/{document['file_id']}"
    assert sent["text"] == "lihat https://example.org/a."


async def test_a_file_over_the_bots_download_limit_is_refused_by_get_file(standin: BotApiStandin) -> None:
    user = standin.user(3005, "Eko")
    update = await user.send_document("big.yaml", content=b"x" * (20 * 1024 * 1024 + 1))
    status, payload = await standin.core.handle(TOKEN, "getFile", {"file_id": update["message"]["document"]["file_id"]})
    assert status == 400 and payload["description"] == "Bad Request: file is too big"


async def test_web_addresses_are_marked_in_the_users_and_the_bots_plain_text(standin: BotApiStandin) -> None:
    user = standin.user(3006, "Fitri")
    sent = await user.send_text("/start lalu buka https://perpusnas.go.id/tpbis?x=1, atau www.example.org.")
    assert [(e["type"], e["offset"], e["length"]) for e in sent["message"]["entities"]] == [
        ("bot_command", 0, 6),
        ("url", 17, 33),
        ("url", 57, 15),
    ]
    assert (
        await send(
            standin,
            chat_id=3006,
            text="Lihat <b>https://t.me/shm_test_bot?start=a</b> /status <code>https://x.org /a</code>",
            parse_mode="HTML",
        )
        == 200
    )
    said = next(item for item in chat_view(standin, user)["items"] if item["side"] == "bot")
    marked = [(e["type"], said["text"][e["offset"] : e["offset"] + e["length"]]) for e in said["entities"]]
    assert marked == [
        ("bold", "https://t.me/shm_test_bot?start=a"),
        ("code", "https://x.org /a"),
        ("url", "https://t.me/shm_test_bot?start=a"),
        ("bot_command", "/status"),
    ]
