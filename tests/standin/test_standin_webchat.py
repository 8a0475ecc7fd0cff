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
