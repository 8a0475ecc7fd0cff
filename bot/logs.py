"""Logging: one line per event, as text for a terminal or as JSON objects for a log collector.

Structured fields are passed with `extra=` (`FIELDS` lists the ones printed); the message stays a
constant phrase with ids, never a person's details. Exceptions are printed as their type and
where they were raised, without their message: a database error quotes the row's values (a
phone, a name) and a ValueError may quote what someone typed. The bot token is blanked from every
line in case a library prints a URL.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import IO

# The structured fields a line shows when its record has them, in this order.
FIELDS = ("update_id", "kind", "handler", "duration_ms", "outcome", "job", "method")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose lower levels print payloads: PTB's DEBUG prints every request's parameters and every
# update (names, phones, typed text) and its URL (the token); httpx prints URLs at INFO; SQLAlchemy
# prints statements' parameters at INFO. They stay at these levels whatever LOG_LEVEL says.
LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    # A line for every job run and wake-up; its failures are warnings and errors.
    "apscheduler": logging.WARNING,
}
_HIDDEN = "[hidden]"

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def exception_summary(error: BaseException) -> str:
    """The exception's chain as types and stack frames, without any exception's message."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.format_list(traceback.extract_tb(current.__traceback__))
        parts.append("".join(frames) + f"{type(current).__module__}.{type(current).__qualname__} (message withheld)")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nwhile handling it, or caused by it:\n".join(reversed(parts))


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None}


class _Redacting(logging.Formatter):
    """Blanks the secrets (the bot token) from what the formatter made."""

    def __init__(self, fmt: str | None = None, *, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, _HIDDEN)
        return line

    def formatException(self, ei: _ExcInfo) -> str:  # noqa: N802 (logging's name)
        error = ei[1]
        return exception_summary(error) if error is not None else ""


class TextFormatter(_Redacting):
    """`time LEVEL logger: event key=value …`, for a person reading a terminal."""

    def __init__(self, *, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(TEXT_FORMAT, secrets=secrets)

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the exception with its message: this one prints its own.
        cached, record.exc_text = record.exc_text, None
        try:
            line = super().format(record)
        finally:
            record.exc_text = cached
        fields = _fields(record)
        if fields:
            head, newline, rest = line.partition("\n")
            line = head + "".join(f" {k}={v}" for k, v in fields.items()) + newline + rest
        return self.redact(line)


class JsonFormatter(_Redacting):
    """One JSON object per line: time (ISO 8601, UTC), level, event, logger and the structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "event": record.getMessage(),
            "logger": record.name,
            **_fields(record),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def formatter(log_format: str, *, secrets: tuple[str, ...] = ()) -> logging.Formatter:
    """The formatter for LOG_FORMAT ("text" or "json")."""
    return JsonFormatter(secrets=secrets) if log_format == "json" else TextFormatter(secrets=secrets)


def configure_logging(
    level: str | int, log_format: str = "text", *, secrets: tuple[str, ...] = (), stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log line to `stream` (stderr) in the format asked; returns the handler installed on the root logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format, secrets=secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_shm_bot", False)]:
        root.removeHandler(old)
    handler._shm_bot = True  # type: ignore[attr-defined]  # so configuring again replaces it
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in LIBRARY_LEVELS.items():
        library = logging.getLogger(name)
        library.setLevel(max(floor, root.level))
    return handler
