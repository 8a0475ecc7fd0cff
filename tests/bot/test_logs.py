"""Log lines: one per event, JSON or text, with the structured fields and never a person's details or the token."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from bot.logs import LIBRARY_LEVELS, configure_logging, exception_summary
from bot.update_processor import SLOW_DOWN_NOTE, FloodRule, HandledUpdate, PerChatUpdateProcessor
from botapi_standin import BotApiStandin
from handlers.common import recorded
from tests.e2e.chat import next_with, register
from tests.e2e.conftest import TOKEN, running_bot
from tests.models.factories import make_pic

PARTICIPANT = 5101
PIC = 5102
NAME = "Wulandari Kusumaningtyas"
PROFILE_NAME = "Ratnasari"
PHONE_TYPED = "0812-3456-7890"
PHONE_FORMS = (PHONE_TYPED, "081234567890", "+6281234567890", "6281234567890", "0812 3456 7890")


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """The bot's logging as `python -m bot` sets it up, into a buffer; the root logger restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    libraries = {name: logging.getLogger(name).level for name in LIBRARY_LEVELS}
    buffer = io.StringIO()
    handler = configure_logging("DEBUG", "json", secrets=(TOKEN,), stream=buffer)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, old in libraries.items():
            logging.getLogger(name).setLevel(old)


def _boom() -> None:
    raise ValueError(f"phone {PHONE_TYPED} is odd")


def test_json_lines_carry_time_level_event_logger_and_fields(configured: io.StringIO) -> None:
    log = logging.getLogger("tests.logs")
    log.info(
        "update handled", extra={"update_id": 7, "kind": "message", "handler": "h", "duration_ms": 1.5, "outcome": "ok"}
    )
    try:
        _boom()
    except ValueError:
        log.exception("update %s failed", 8)
    lines = configured.getvalue().splitlines()
    assert len(lines) == 2
    handled, failed = (json.loads(line) for line in lines)
    assert handled["level"] == "INFO" and handled["event"] == "update handled" and handled["logger"] == "tests.logs"
    assert datetime.fromisoformat(handled["time"]).utcoffset().total_seconds() == 0
    assert {k: handled[k] for k in ("update_id", "kind", "handler", "duration_ms", "outcome")} == {
        "update_id": 7,
        "kind": "message",
        "handler": "h",
        "duration_ms": 1.5,
        "outcome": "ok",
    }
    assert failed["event"] == "update 8 failed" and failed["level"] == "ERROR"
    # The exception's type and where it was raised, never its message.
    assert "ValueError" in failed["exception"] and "_boom" in failed["exception"]
    assert PHONE_TYPED not in lines[1]


def test_text_lines_show_the_fields_and_blank_the_token() -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    buffer = io.StringIO()
    handler = configure_logging("INFO", "text", secrets=(TOKEN,), stream=buffer)
    try:
        log = logging.getLogger("tests.logs")
        log.info("update handled", extra={"update_id": 9, "kind": "callback_query", "outcome": "skipped-duplicate"})
        log.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        log.debug("not shown at INFO")
        try:
            _boom()
        except ValueError:
            log.exception("update %s failed", 10)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        root.handlers[:] = handlers
    text = buffer.getvalue()
    assert PHONE_TYPED not in text and "builtins.ValueError (message withheld)" in text
    lines = text.splitlines()
    assert lines[2].endswith("ERROR tests.logs: update 10 failed")
    assert lines[0].endswith(
        "INFO tests.logs: update handled update_id=9 kind=callback_query outcome=skipped-duplicate"
    )
    assert TOKEN not in lines[1] and "[hidden]" in lines[1]


def personal_details_in(text: str) -> list[str]:
    """Which of the test participant's details (name, profile name, phone in any form) or the token the text holds."""
    found = [form for form in (*PHONE_FORMS, NAME, PROFILE_NAME, TOKEN) if form in text]
    # The token's secret half alone is a leak too.
    if TOKEN.split(":")[1] in text:
        found.append("token secret")
    return found


async def test_a_registration_an_export_and_an_announcement_log_nothing_personal(
    configured: io.StringIO, caplog: pytest.LogCaptureFixture, db_url: str
) -> None:
    caplog.set_level(logging.DEBUG)
    async with BotApiStandin(bot_username="shm_test_bot") as standin, running_bot(standin, db_url) as bot:
        participant = standin.user(PARTICIPANT, PROFILE_NAME)
        done = await register(participant, name=NAME, phone=PHONE_TYPED)
        assert "Pendaftaran berhasil" in done.plain_text, participant.transcript()
        await bot.query(lambda s: make_pic(s, "shm23-aceh", PIC))
        pic = standin.user(PIC, "Pic")
        await pic.send_text("/ekspor")
        notice = await pic.next_message()
        assert "data pribadi" in notice.plain_text, pic.transcript()
        xlsx, csv = await pic.next_message(), await pic.next_message()
        assert xlsx.document["file_name"].endswith(".xlsx") and csv.document["file_name"].endswith(".csv")
        await pic.send_text("/umumkan")
        await next_with(pic, "Ketik pengumuman")
        await pic.send_text("Rapat pindah ke Aula")
        preview = await next_with(pic, "Rapat pindah ke Aula")
        await pic.press(preview, text="Kirim ke")
        await next_with(pic, "diterima oleh")
        await next_with(participant, "Rapat pindah ke Aula")

    lines = configured.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    handled = [e for e in entries if e["event"] == "update handled"]
    assert {e["kind"] for e in handled} >= {"message", "callback_query"}
    assert all(e["outcome"] == "ok" and isinstance(e["duration_ms"], float) for e in handled), handled
    handlers = {e["handler"] for e in handled}
    assert {"shell.start", "steps.on_text", "staff.on_ekspor", "announcements.on_button"} <= handlers, handlers
    leaks = [(line, personal_details_in(line)) for line in lines if personal_details_in(line)]
    assert leaks == []
    # What reached the root logger, whichever handler prints it: the message and the exception as printed.
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage() + (
            exception_summary(record.exc_info[1]) if record.exc_info and record.exc_info[1] else ""
        )
        assert personal_details_in(text) == [], (record.name, text)


def _message_update(update_id: int, user_id: int, text: str = "/bantuan") -> Update:
    user = User(user_id, PROFILE_NAME, False)
    message = Message(update_id, datetime(2026, 7, 1, tzinfo=UTC), Chat(user_id, "private"), from_user=user, text=text)
    return Update(update_id, message=message)


async def test_each_update_is_one_line_with_its_outcome(caplog: pytest.LogCaptureFixture) -> None:
    """ok with the handler's name, error for a handler that raised, unhandled when no handler took it,
    skipped-flood for a flood's skipped updates (handled by the slow-down note when it went instead)."""
    processor = PerChatUpdateProcessor(4, FloodRule(backlog=0, burst=1, per_second=0.001))
    seen: list[HandledUpdate] = []
    processor.observe = seen.append
    noted: list[int] = []

    async def slow_down_note(update: Update) -> None:
        noted.append(update.update_id)

    processor.slow_down_note = slow_down_note

    async def answer(update: Update, context: object) -> None:
        """Stands in for a handler."""

    async def fail(update: Update, context: object) -> None:
        raise RuntimeError(f"{NAME} typed something odd")

    caplog.set_level(logging.INFO, logger="bot.update_processor")
    async with processor:
        await processor.process_update(_message_update(1, 7), recorded(answer)(_message_update(1, 7), None))
        with pytest.raises(RuntimeError):
            await processor.process_update(_message_update(2, 8), recorded(fail)(_message_update(2, 8), None))
        # Person 9 sends three at once: the others find the first still waiting, and no token left.
        # The first skipped gets the note in its place; the next, so soon after, nothing.
        first = asyncio.create_task(processor.process_update(_message_update(3, 9), asyncio.sleep(0.2)))
        await asyncio.sleep(0)
        await processor.process_update(_message_update(4, 9), asyncio.sleep(0))
        await processor.process_update(_message_update(5, 9), asyncio.sleep(0))
        await first
    outcomes = {(h.update_id, h.kind, h.handler, h.outcome) for h in seen}
    assert outcomes == {
        (1, "message", "tests.bot.test_logs.test_each_update_is_one_line_with_its_outcome.<locals>.answer", "ok"),
        (2, "message", "tests.bot.test_logs.test_each_update_is_one_line_with_its_outcome.<locals>.fail", "error"),
        (3, "message", "none", "unhandled"),
        (4, "message", SLOW_DOWN_NOTE, "skipped-flood"),
        (5, "message", "none", "skipped-flood"),
    }
    assert noted == [4]
    # One line an update, and no other.
    lines = [r for r in caplog.records if r.name == "bot.update_processor"]
    assert [r.getMessage() for r in lines] == ["update handled"] * 5
    assert sorted(r.update_id for r in lines) == [1, 2, 3, 4, 5]  # type: ignore[attr-defined]
    assert all(isinstance(r.duration_ms, float) for r in lines)  # type: ignore[attr-defined]


async def test_an_update_delivered_again_is_logged_as_a_skipped_duplicate(configured: io.StringIO, db_url: str) -> None:
    async with BotApiStandin(bot_username="shm_test_bot") as standin, running_bot(standin, db_url) as bot:
        user = standin.user(PARTICIPANT, PROFILE_NAME)
        await user.send_text("/bantuan")
        await user.next_message()

        def handled() -> list[dict[str, object]]:
            entries = (json.loads(line) for line in configured.getvalue().splitlines())
            return [e for e in entries if e["event"] == "update handled"]

        await bot.eventually(lambda s: asyncio.sleep(0, handled()), lambda entries: len(entries) == 1)
        again = _message_update(int(handled()[0]["update_id"]), PARTICIPANT)  # type: ignore[call-overload]
        again.set_bot(bot.application.bot)
        await bot.application.update_queue.put(again)
        entries = await bot.eventually(lambda s: asyncio.sleep(0, handled()), lambda entries: len(entries) == 2)
    # (Without its command entity the copy reads as plain text: the text step's handler took it.)
    assert entries[1]["outcome"] == "skipped-duplicate" and entries[1]["handler"] == "steps.on_text"
    # One event, one line: nothing else is logged of the copy.
    copy = entries[1]["update_id"]
    logged = [json.loads(line) for line in configured.getvalue().splitlines()]
    about = [e for e in logged if e.get("update_id") == copy or f"update {copy} " in e["event"]]
    assert len(about) == 2, about
