"""The stand-in spoken to with a plain HTTP client: update semantics, refusals, encodings, control API."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from botapi_standin import WAIT, BotApiStandin
from tests.standin.standin_helpers import TOKEN, BotUnderTest, eventually


@pytest.fixture
async def http() -> Any:
    """An aiohttp client session."""
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, standin: BotApiStandin, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a JSON-bodied Bot API call; return (status, body)."""
    async with http.post(f"{standin.base_url}{token}/{method}", json=params) as resp:
        return resp.status, await resp.json()


async def test_get_updates_offset_and_redelivery(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    user = standin.user(2001)
    first = await user.send_text("satu")
    second = await user.send_text("dua")
    _, a = await call(http, standin, "getUpdates")
    _, b = await call(http, standin, "getUpdates")
    assert [u["update_id"] for u in a["result"]] == [first["update_id"], second["update_id"]]
    assert a["result"] == b["result"], "unconfirmed updates are delivered again"
    _, c = await call(http, standin, "getUpdates", offset=second["update_id"], limit=1)
    assert c["result"] == [second], "offset confirms everything below it"
    _, d = await call(http, standin, "getUpdates", offset=second["update_id"] + 1)
    assert d["result"] == []
    _, e = await call(http, standin, "getUpdates")
    assert e["result"] == [], "confirmed updates are gone forever"

    for i in range(3):
        await user.send_text(f"n{i}")
    _, f = await call(http, standin, "getUpdates", offset=-1)
    assert [u["message"]["text"] for u in f["result"]] == ["n2"], "negative offset keeps only the last ones"


async def test_long_polling_and_allowed_updates(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    user = standin.user(2002)
    started = time.monotonic()
    _, empty = await call(http, standin, "getUpdates", timeout=1)
    assert empty["result"] == [] and time.monotonic() - started >= 0.9

    async def send_once_polling() -> None:
        await eventually(lambda: len(standin.calls_to("getUpdates")) == 2)
        await user.send_text("akhirnya")

    task = asyncio.create_task(send_once_polling())
    # Far shorter than the poll's own timeout: a long poll returns as soon as an update arrives.
    async with asyncio.timeout(WAIT):
        _, woke = await call(http, standin, "getUpdates", timeout=10 * WAIT)
    await task
    assert woke["result"][0]["message"]["text"] == "akhirnya"

    offset = woke["result"][0]["update_id"] + 1
    _, none = await call(http, standin, "getUpdates", offset=offset, allowed_updates=["callback_query"])
    assert none["result"] == []
    await user.send_text("tidak diminta")  # filtered: message updates are not allowed now
    assert standin.pending_updates == []
    _, reset = await call(http, standin, "getUpdates", allowed_updates=[])
    assert reset["ok"]
    await user.send_text("boleh lagi")
    assert len(standin.pending_updates) == 1


async def test_concurrent_get_updates_conflict(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    first = asyncio.create_task(call(http, standin, "getUpdates", timeout=5))
    await eventually(lambda: len(standin.calls_to("getUpdates")) == 1)
    _, second = await call(http, standin, "getUpdates", timeout=0)
    status, body = await first
    assert second["ok"] is True
    assert status == 409 and body["description"].startswith("Conflict: terminated by other getUpdates")


async def test_webhook_conflict(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    assert (await call(http, standin, "setWebhook", url="https://example.org/hook"))[1]["result"] is True
    status, body = await call(http, standin, "getUpdates")
    assert status == 409
    assert body["description"].startswith("Conflict: can't use getUpdates method while webhook is active")
    _, info = await call(http, standin, "getWebhookInfo")
    assert info["result"]["url"] == "https://example.org/hook"
    await call(http, standin, "deleteWebhook")
    assert (await call(http, standin, "getUpdates"))[0] == 200


async def test_refusals(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    standin.user(2003)
    status, body = await call(http, standin, "sendMesage", chat_id=2003, text="x")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await call(http, standin, "getMe", token="123:short")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await call(http, standin, "SENDMESSAGE", chat_id=2003, text="case-insensitive")
    assert status == 200 and body["result"]["text"] == "case-insensitive"
    status, body = await call(http, standin, "sendMessage", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await call(http, standin, "sendMessage", chat_id=2003)
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await call(http, standin, "answerCallbackQuery", callback_query_id="123")
    assert body["description"] == ("Bad Request: query is too old and response timeout expired or query ID is invalid")
    status, body = await call(
        http,
        standin,
        "sendMessage",
        chat_id=2003,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "no action"}]]},
    )
    assert status == 400 and "Text buttons are unallowed" in body["description"]
    assert [e.status for e in standin.errors] == [404, 401, 400, 400, 400, 400]

    await call(http, standin, "sendMessage", chat_id=2003, text="x", reply_to_msg_id=1)
    assert [w.parameter for w in standin.warnings] == ["reply_to_msg_id"]
    status, body = await call(http, standin, "getChat", chat_id=2003)
    assert body == {"ok": True, "result": True}
    assert [r.method for r in standin.unimplemented] == ["getChat"]
    assert standin.core.problems[-1] == "getChat is not implemented by the stand-in"


async def test_request_encodings(standin: BotApiStandin, http: aiohttp.ClientSession) -> None:
    user = standin.user(2004)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    url = f"{standin.base_url}{TOKEN}"
    async with http.get(f"{url}/sendMessage", params={"chat_id": "2004", "text": "lewat query"}) as resp:
        assert (await resp.json())["result"]["text"] == "lewat query"
    form = {"chat_id": "2004", "text": "lewat form", "reply_markup": json.dumps(markup), "disable_notification": "true"}
    async with http.post(f"{url}/sendMessage", data=form) as resp:
        assert (await resp.json())["result"]["reply_markup"] == markup
    record = standin.calls_to("sendMessage")[-1]
    assert record.params["reply_markup"] == markup and record.params["disable_notification"] is True
    assert record.params["chat_id"] == 2004 and record.status == 200

    data = aiohttp.FormData()
    data.add_field("chat_id", "2004")
    data.add_field("caption", "lewat multipart")
    data.add_field("reply_markup", json.dumps(markup))
    data.add_field("document", b"isi berkas", filename="catatan.txt", content_type="text/plain")
    async with http.post(f"{url}/sendDocument", data=data) as resp:
        result = (await resp.json())["result"]
    assert result["document"]["file_name"] == "catatan.txt" and result["caption"] == "lewat multipart"

    # attach:// references resolve to the named multipart part.
    data = aiohttp.FormData()
    data.add_field("chat_id", "2004")
    data.add_field("document", "attach://berkas")
    data.add_field("berkas", b"lampiran", filename="lampiran.txt", content_type="text/plain")
    async with http.post(f"{url}/sendDocument", data=data) as resp:
        assert (await resp.json())["result"]["document"]["file_size"] == 8

    _, file_info = await call(http, standin, "getFile", file_id=result["document"]["file_id"])
    async with http.get(f"{standin.base_file_url}{TOKEN}/{file_info['result']['file_path']}") as resp:
        assert await resp.read() == b"isi berkas"
    assert [m.kind for m in user.messages] == ["text", "text", "document", "document"]
    assert standin.core.problems == []


async def test_stop_releases_long_poll(http: aiohttp.ClientSession) -> None:
    standin = BotApiStandin()
    await standin.start()
    poll = asyncio.create_task(call(http, standin, "getUpdates", timeout=10 * WAIT))
    await eventually(lambda: len(standin.calls_to("getUpdates")) == 1)
    # Far shorter than the poll's own timeout: stopping releases the poll.
    async with asyncio.timeout(WAIT):
        await standin.stop()
        status, body = await poll
    assert (status, body["result"]) == (200, [])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter int -> timedelta
async def test_control_api(standin: BotApiStandin, bot: BotUnderTest, http: aiohttp.ClientSession) -> None:
    control = standin.control_url

    async def post(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        async with http.post(f"{control}{path}", json=body) as resp:
            return resp.status, await resp.json()

    status, body = await post("/users/3001/text", {"text": "halo lewat kontrol", "first_name": "Ani"})
    assert status == 200 and body["result"]["message"]["from"]["first_name"] == "Ani"
    async with http.get(f"{control}/chats/3001/messages", params={"after": "0", "timeout": "3"}) as resp:
        messages = (await resp.json())["result"]
    assert [m["text"] for m in messages] == ["halo lewat kontrol"]

    await post("/users/3001/text", {"text": "/menu"})
    last_id = messages[-1]["message_id"]
    async with http.get(f"{control}/chats/3001/messages", params={"after": str(last_id), "timeout": "3"}) as resp:
        menu = (await resp.json())["result"][0]
    assert menu["plain_text"] == "Pilih:" and menu["reply_markup"]["inline_keyboard"][0][1]["text"] == "Tidak"

    status, body = await post("/users/3001/press", {"message_id": menu["message_id"], "text": "Tidak"})
    assert status == 200 and body["result"]["callback_query"]["data"] == "no"
    status, body = await post("/users/3001/press", {"message_id": menu["message_id"], "text": "Mungkin"})
    assert status == 400 and "no button matches" in body["description"]
    await standin.user(3001).wait_for(lambda u: u.message(menu["message_id"]).edited == 1)
    async with http.get(f"{control}/chats/3001/messages") as resp:
        current = {m["message_id"]: m for m in (await resp.json())["result"]}
    assert current[menu["message_id"]]["plain_text"] == "Pilihan: no"
    async with http.get(f"{control}/chats/3001/callback_answers") as resp:
        assert (await resp.json())["result"][0]["text"] == "Dipilih: no"

    status, body = await post("/users/3001/contact", {"phone_number": "081234567890"})
    assert body["result"]["message"]["contact"] == {
        "phone_number": "081234567890",
        "first_name": "Ani",
        "user_id": 3001,
    }
    await post("/faults", {"method": "sendMessage", "status": 429, "retry_after": 1, "chat_id": 3999})
    await post("/users/3001/text", {"text": "bukan chat itu"})
    await standin.user(3001).wait_for(lambda u: u.last_message.plain_text == "bukan chat itu")
    assert standin.errors == []  # the fault waits for chat 3999
    assert standin.core.faults.take_failure("sendMessage", 3999).status == 429
    await post("/faults", {"method": "sendMessage", "status": 429, "retry_after": 1})
    await post("/users/3001/text", {"text": "kena limit"})
    await standin.wait_for(lambda s: len(s.errors) > 0)
    async with http.get(f"{control}/errors") as resp:
        report = (await resp.json())["result"]
    assert report["errors"][0]["status"] == 429 and report["warnings"] == []
    async with http.get(f"{control}/chats/3001/transcript") as resp:
        transcript = await resp.text()
    assert "> user #1: halo lewat kontrol" in transcript and "(edited 1x)" in transcript
    async with http.get(f"{control}/chats/9999/messages") as resp:
        assert resp.status == 404
