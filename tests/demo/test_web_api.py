"""The JSON routes the web chat page uses, driven over HTTP as the page does (no browser)."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from telegram.error import BadRequest

from bot.scheduler import ALERTS_JOB
from botapi_standin import WAIT
from demo.app import Demo
from demo.seed import ADMIN, PIC, PIC_MEETING, USERS
from models.coordination import JobLease
from models.program import Meeting, Program
from models.reminder_plan import ReminderPlan
from models.staff import PicAssignment

SITI = USERS[0].id


async def get(http: aiohttp.ClientSession, path: str) -> Any:
    async with http.get(path) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def post(http: aiohttp.ClientSession, path: str, body: dict[str, Any], status: int = 200) -> Any:
    async with http.post(path, json=body) as response:
        assert response.status == status, await response.text()
        return await response.json()


async def chat_after(http: aiohttp.ClientSession, user_id: int, version: str) -> dict[str, Any]:
    """The chat once it differs from `version`, as the page's long poll reads it."""
    for _ in range(20):
        view = await get(http, f"/_standin/web/chats/{user_id}?since={version}&timeout=5")
        if view["version"] != version:
            return view
    raise AssertionError(f"chat {user_id} did not change from {version}")


async def until(http: aiohttp.ClientSession, user_id: int, check) -> dict[str, Any]:
    """Follow the chat's long poll until `check(view)` holds."""
    view = await get(http, f"/_standin/web/chats/{user_id}")
    while not check(view):
        view = await chat_after(http, user_id, view["version"])
    return view


def last_bot(view: dict[str, Any]) -> dict[str, Any]:
    """The bot's newest message (an empty one before the bot said anything)."""
    said = [item for item in view["items"] if item["side"] == "bot"]
    return said[-1] if said else {"text": "", "inline_keyboard": None}


def jumps_by_slot(clock: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The clock's moves to planned moments, by the slot each brings ("reminder-7d", "attendance", "starts")."""
    return {slot: jump for jump in clock["jumps"] for slot in jump.get("brings", [])}


def button(item: dict[str, Any], words: str) -> str:
    """The callback data of the inline button whose text contains `words`."""
    matches = [b["callback_data"] for row in item["inline_keyboard"] or [] for b in row if words in b["text"]]
    assert len(matches) == 1, (words, item["inline_keyboard"])
    return matches[0]


async def register_over_http(http: aiohttp.ClientSession, user_id: int) -> dict[str, Any]:
    """Siti's registration through the page's routes; returns the chat at the end."""
    actions = f"/_standin/users/{user_id}"
    await post(http, f"{actions}/text", {"text": "/start"})
    view = await until(http, user_id, lambda v: "Setuju" in str(last_bot(v)["inline_keyboard"]))
    await post(
        http, f"{actions}/press", {"message_id": last_bot(view)["message_id"], "data": button(last_bot(view), "Setuju")}
    )
    view = await until(http, user_id, lambda v: "Jawa Barat" in str(last_bot(v)["inline_keyboard"]))
    await post(
        http,
        f"{actions}/press",
        {"message_id": last_bot(view)["message_id"], "data": button(last_bot(view), "Jawa Barat")},
    )
    view = await until(http, user_id, lambda v: "Stakeholder Provinsi" in str(last_bot(v)["inline_keyboard"]))
    await post(
        http,
        f"{actions}/press",
        {"message_id": last_bot(view)["message_id"], "data": button(last_bot(view), "Stakeholder Provinsi")},
    )
    # Each answer once its question is the newest message (the roles message was the bot's before the first).
    for question, answer in (
        ("nama lengkap", "Siti Rahma"),
        ("instansi", "Dinas Perpustakaan Kota Bandung"),
        ("jabatan", "Pustakawan"),
    ):
        await until(
            http,
            user_id,
            lambda v, question=question: v["items"][-1]["side"] == "bot" and question in last_bot(v)["text"],
        )
        await post(http, f"{actions}/text", {"text": answer})
    view = await until(http, user_id, lambda v: v["reply_keyboard"] is not None)
    share = view["reply_keyboard"]["keyboard"][0][0]
    assert share["request_contact"] is True
    await post(http, f"{actions}/tap", {"text": share["text"]})
    view = await until(
        http, user_id, lambda v: last_bot(v)["inline_keyboard"] and "Kirim" in str(last_bot(v)["inline_keyboard"])
    )
    contact = [item for item in view["items"] if "contact" in item]
    assert contact and contact[0]["contact"]["user_id"] == user_id, "the share button sends the user's own number"
    await post(
        http, f"{actions}/press", {"message_id": last_bot(view)["message_id"], "data": button(last_bot(view), "Kirim")}
    )
    return await until(http, user_id, lambda v: any("document" in item for item in v["items"]))


async def test_the_page_and_its_assets_are_served(http: aiohttp.ClientSession) -> None:
    async with http.get("/") as response:
        assert response.status == 200
        assert "chat.js" in await response.text()
    for asset, kind in (("chat.js", "javascript"), ("chat.css", "text/css")):
        async with http.get(f"/_standin/web/static/{asset}") as response:
            assert response.status == 200 and kind in response.content_type


async def test_the_switcher_lists_participants_a_pic_and_an_admin_who_are_staff(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    session = await get(http, "/_standin/web/session")
    assert [user["id"] for user in session["users"]] == [user.id for user in USERS]
    assert [user["note"] for user in session["users"]] == [user.note for user in USERS]
    assert all(set(user["note"]) == {"id", "en"} for user in session["users"]), "the switcher follows the language"
    assert session["bot"]["username"] == "shm_demo_bot" and session["problems"] == []
    assert ADMIN.id in demo.application.bot_data["services"].settings.admin_ids
    async with demo.sessions() as db:
        assignment = await db.scalar(select(PicAssignment).where(PicAssignment.telegram_user_id == PIC.id))
        meeting = await db.get(Meeting, assignment.meeting_id)
    assert meeting.code == PIC_MEETING and assignment.revoked_at is None


async def test_each_chat_shows_its_own_command_menu(http: aiohttp.ClientSession) -> None:
    admin = await get(http, f"/_standin/web/chats/{ADMIN.id}")
    pic = await get(http, f"/_standin/web/chats/{PIC.id}")
    participant = await get(http, f"/_standin/web/chats/{SITI}")
    english = await get(http, f"/_standin/web/chats/{USERS[2].id}")
    assert "start" in {c["command"] for c in participant["commands"]}
    assert {c["command"] for c in admin["commands"]} > {c["command"] for c in participant["commands"]}, (
        "the organizer's menu adds the staff commands"
    )
    assert {"rekap", "peserta"} <= {c["command"] for c in pic["commands"]} < {c["command"] for c in admin["commands"]}
    assert english["commands"] != participant["commands"], "the English menu is in English"


async def test_the_demo_program_is_open_days_ahead_in_three_zones(demo: Demo) -> None:
    now = demo.clock.now()
    async with demo.sessions() as db:
        meetings = list(await db.scalars(select(Meeting).order_by(Meeting.code)))
    dated = [m for m in meetings if m.starts_at is not None]
    assert {m.province.zone_abbreviation for m in dated} == {"WIB", "WITA", "WIT"}
    assert all(timedelta(days=7) < m.starts_at - now < timedelta(days=13) for m in dated)
    assert all(m.is_open_for_registration(now) for m in meetings)


async def test_a_registration_through_the_routes_ends_with_a_downloadable_calendar_file(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    view = await register_over_http(http, SITI)
    document = next(item["document"] for item in view["items"] if "document" in item)
    async with http.get(document["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="{document["file_name"]}"'
        assert (await response.read()).startswith(b"BEGIN:VCALENDAR")
    assert view["reply_keyboard"] is None, "the share-number keyboard is gone after the number was shared"
    seated = next(item for item in view["items"] if "/status" in item.get("text", "") and item["side"] == "bot")
    commands = [
        seated["text"][e["offset"] : e["offset"] + e["length"]]
        for e in seated["entities"]
        if e["type"] == "bot_command"
    ]
    assert commands == ["/status", "/batal"], "the page makes the /commands in the bot's text tappable"
    assert demo.standin.core.problems == []


async def test_fast_forward_brings_the_reminder_and_the_attendance_question(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    await register_over_http(http, SITI)
    jumps = jumps_by_slot(await get(http, "/_demo/clock"))
    moved = await post(http, "/_demo/clock", {"to": jumps["reminder-7d"]["to"]})
    assert datetime.fromisoformat(moved["now"]) >= datetime.fromisoformat(jumps["reminder-7d"]["to"])
    view = await until(http, SITI, lambda v: "Pengingat" in last_bot(v)["text"])
    assert "7 hari lagi" in last_bot(view)["text"] and "Harris Festival Citylink" in last_bot(view)["text"]
    assert last_bot(view)["date"] >= int(datetime.fromisoformat(jumps["reminder-7d"]["to"]).timestamp()), (
        "messages are dated by the bot's clock"
    )
    await post(http, "/_demo/clock", {"to": jumps["attendance"]["to"]})
    view = await until(http, SITI, lambda v: "Konfirmasi kehadiran" in last_bot(v)["text"])
    assert "Hadir" in str(last_bot(view)["inline_keyboard"])
    assert demo.standin.core.problems == []


async def test_the_jumps_follow_the_programs_reminder_plan(demo: Demo, http: aiohttp.ClientSession) -> None:
    async with demo.sessions() as db, db.begin():
        meeting = await db.scalar(select(Meeting).where(Meeting.code == PIC_MEETING))
        program = await db.get(Program, meeting.program_id)
        program.reminder_plan = ReminderPlan(reminders=(timedelta(days=5), timedelta(hours=3))).to_json()
    clock = await get(http, "/_demo/clock")
    jumps = jumps_by_slot(clock)
    assert "reminder-5d" in jumps and "reminder-7d" not in jumps
    assert datetime.fromisoformat(jumps["reminder-5d"]["to"]) == meeting.starts_at - timedelta(days=5)
    assert jumps["reminder-5d"]["before"] == "5d" and jumps["reminder-5d"]["city"] == "Bandung"
    # 3 hours before a 09:00 start is before waking hours: the reminder, and so the jump, moves to 07:00.
    three = datetime.fromisoformat(jumps["reminder-3h"]["to"])
    assert three.astimezone(meeting.zone).hour == 7 and jumps["reminder-3h"]["before"] == "2h"
    assert jumps["starts"]["before"] is None
    assert [jump["step"] for jump in clock["jumps"] if "step" in jump] == ["1h", "1d"]
    # The meeting day: its first waking moment (check-in codes), then its end (certificates, evaluation).
    assert jumps["day"]["to"] == jumps["reminder-3h"]["to"]
    assert datetime.fromisoformat(jumps["ends"]["to"]) == meeting.ends_at and jumps["ends"]["ends"] is True
    assert not jumps["starts"]["ends"]
    # Under way, the meeting still offers its end.
    await post(http, "/_demo/clock", {"to": jumps["starts"]["to"]})
    under_way = jumps_by_slot(await get(http, "/_demo/clock"))
    assert under_way["ends"]["to"] == jumps["ends"]["to"] and under_way["ends"]["available"]


async def first_alert_check(demo: Demo) -> None:
    """Wait until the alert check has run once (in any instance: its lease records the run)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        async with demo.application.bot_data["services"].sessions() as session:
            lease = await session.get(JobLease, ALERTS_JOB)
        if lease is not None and lease.ran_at is not None:
            return
        assert asyncio.get_running_loop().time() < deadline, "the alert check did not run"
        await asyncio.sleep(0.05)


async def test_fast_forward_brings_the_pic_an_alert_digest(demo: Demo, http: aiohttp.ClientSession) -> None:
    """Issue 5: the PIC alerts arrive in minutes. The PIC's meeting is 8 days ahead with nobody registered, so
    lagging from the first check; a day later the digest window and any quiet hours are over."""
    before = await get(http, f"/_standin/web/chats/{PIC.id}")
    assert not any("Pemberitahuan kuota" in item.get("text", "") for item in before["items"])
    # The first check (at start, once it holds the job's lease) finds the meeting lagging; moved before
    # it, the clock would date the alert a day later, and its digest with it.
    await first_alert_check(demo)
    await post(http, "/_demo/clock", {"seconds": 24 * 3600})
    view = await until(http, PIC.id, lambda v: "Pemberitahuan kuota" in last_bot(v)["text"])
    assert "Pendaftaran tertinggal" in last_bot(view)["text"]
    assert (await get(http, "/_standin/web/session"))["problems"] == []


async def test_the_clock_moves_by_steps_and_never_back(demo: Demo, http: aiohttp.ClientSession) -> None:
    start = demo.clock.now()
    moved = await post(http, "/_demo/clock", {"seconds": 3600})
    assert moved["offset_seconds"] == 3600
    assert demo.clock.now() - start >= timedelta(hours=1)
    refused = await post(http, "/_demo/clock", {"to": start.isoformat()}, status=400)
    assert "forward" in refused["description"]
    passed = [jump for jump in moved["jumps"] if "to" in jump]
    await post(http, "/_demo/clock", {"to": passed[-1]["to"]})
    after = await get(http, "/_demo/clock")
    assert not any(jump.get("to") == passed[-1]["to"] for jump in after["jumps"]), (
        "once a meeting started, the moves aim at the next one"
    )


async def test_what_telegram_would_refuse_shows_in_the_chat_and_the_problem_list(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    await post(http, f"/_standin/users/{SITI}/text", {"text": "/bantuan"})
    view = await until(http, SITI, lambda v: any(item["side"] == "bot" for item in v["items"]))
    with pytest.raises(BadRequest):
        await demo.application.bot.send_message(SITI, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest):
        await demo.application.bot.send_message(SITI, "x" * 4097)
    view = await until(http, SITI, lambda v: len(v["problems"]) == 2)
    errors = [item for item in view["items"] if item["side"] == "error"]
    assert [error["method"] for error in errors] == ["sendMessage", "sendMessage"]
    assert all(error["status"] == 400 for error in errors)
    assert "too long" in errors[1]["description"]
    session = await get(http, "/_standin/web/session")
    assert session["problems"] == view["problems"]


async def test_photos_are_served_for_the_page(demo: Demo, http: aiohttp.ClientSession) -> None:
    await demo.application.bot.send_photo(SITI, photo=CHART, caption="<b>Rekap</b> nasional", parse_mode="HTML")
    view = await until(http, SITI, lambda v: any("photo" in item for item in v["items"]))
    item = next(item for item in view["items"] if "photo" in item)
    assert item["text"] == "Rekap nasional" and item["entities"][0]["type"] == "bold"
    async with http.get(item["photo"]["url"]) as response:
        assert response.status == 200 and await response.read() == CHART
        assert response.headers["Content-Disposition"].startswith("inline")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour, so that the page shows a picture one can see."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


CHART = png(240, 120, (51, 144, 236))


async def test_the_organizers_chart_and_the_pics_excel_export_reach_the_page(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    """Issue 4's files in the demo: /rekap_nasional's chart shows, /ekspor's Excel file downloads."""
    await post(http, f"/_standin/users/{ADMIN.id}/text", {"text": "/rekap_nasional"})
    view = await until(http, ADMIN.id, lambda v: any("photo" in item for item in v["items"]))
    photo = next(item["photo"] for item in view["items"] if "photo" in item)
    async with http.get(photo["url"]) as response:
        assert response.status == 200 and (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")

    await post(http, f"/_standin/users/{PIC.id}/text", {"text": "/ekspor"})
    view = await until(http, PIC.id, lambda v: sum("document" in item for item in v["items"]) >= 2)
    names = [item["document"]["file_name"] for item in view["items"] if "document" in item]
    assert any(name.endswith(".xlsx") for name in names) and any(name.endswith(".csv") for name in names)
    xlsx = next(
        item["document"]
        for item in view["items"]
        if "document" in item and item["document"]["file_name"].endswith(".xlsx")
    )
    async with http.get(xlsx["url"]) as response:
        # An xlsx file is a zip archive.
        assert response.status == 200 and (await response.read()).startswith(b"PK\x03\x04")
    assert (await get(http, "/_standin/web/session"))["problems"] == []


async def test_after_the_end_the_checked_in_participant_gets_a_certificate_that_downloads(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    """Issue 13's demo: the meeting day's code, Rina's scan, the "ends" jump, then Siti's e-sertifikat."""
    await register_over_http(http, SITI)
    jumps = jumps_by_slot(await get(http, "/_demo/clock"))
    await post(http, "/_demo/clock", {"to": jumps["day"]["to"]})
    # The morning message, then its QR photo (the seat's confirmation brought one too).
    view = await until(http, SITI, lambda v: any("Hari ini" in item.get("text", "") for item in v["items"]))
    view = await until(http, SITI, lambda v: sum("photo" in item for item in v["items"]) == 2)
    code = [item for item in view["items"] if "photo" in item][-1]
    payload = code["text"].split("?start=")[1].split()[0]
    assert payload.startswith("hadir-")
    async with http.get(code["photo"]["url"]) as response:
        assert (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")
    await post(http, f"/_standin/users/{PIC.id}/text", {"text": f"/start {payload}"})
    view = await until(http, PIC.id, lambda v: "✓ Siti Rahma" in last_bot(v)["text"])

    def certificate(view: dict[str, Any]) -> dict[str, Any] | None:
        return next(
            (
                item["document"]
                for item in view["items"]
                if item.get("document", {}).get("file_name", "").startswith("sertifikat-")
            ),
            None,
        )

    assert certificate(await get(http, f"/_standin/web/chats/{SITI}")) is None, "no certificate before the end"
    await post(http, "/_demo/clock", {"to": jumps["ends"]["to"]})
    view = await until(http, SITI, lambda v: certificate(v) is not None)
    document = certificate(view)
    assert document["file_name"].endswith(".pdf") and document["mime_type"] == "application/pdf"
    async with http.get(document["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="{document["file_name"]}"'
        data = await response.read()
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Siti Rahma" in text and document["file_name"].removeprefix("sertifikat-").removesuffix(".pdf") in text
    assert (await get(http, "/_standin/web/session"))["problems"] == []
