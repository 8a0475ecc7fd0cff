"""The stand-in refuses photos whose size Telegram refuses, read from the PNG or JPEG header."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from telegram import InputFile
from telegram.error import BadRequest

from botapi_standin import BotApiStandin
from botapi_standin.images import image_size, photo_dimensions_ok
from tests.standin.standin_helpers import BotUnderTest


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR chunk: all the stand-in reads (a real image that tall would be megabytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def encoded(width: int, height: int, kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format=kind)
    return out.getvalue()


def test_the_size_is_read_from_real_png_and_jpeg_headers() -> None:
    assert image_size(encoded(800, 1605, "PNG")) == (800, 1605)
    assert image_size(encoded(321, 123, "JPEG")) == (321, 123)
    progressive = io.BytesIO()
    Image.new("RGB", (64, 48)).save(progressive, format="JPEG", progressive=True)
    assert image_size(progressive.getvalue()) == (64, 48)
    assert image_size(png_header(800, 54_885)) == (800, 54_885)
    assert image_size(b"\xff\xd8fakejpeg") is None and image_size(b"GIF89a") is None


def test_telegrams_photo_limits() -> None:
    assert photo_dimensions_ok(800, 9_200) and photo_dimensions_ok(9_000, 1_000)
    assert not photo_dimensions_ok(800, 9_201)  # width + height over 10,000
    assert photo_dimensions_ok(100, 2_000) and not photo_dimensions_ok(100, 2_001)  # a ratio over 20
    assert not photo_dimensions_ok(2_001, 100) and not photo_dimensions_ok(0, 10)


async def test_send_photo_refuses_invalid_dimensions(standin: BotApiStandin, bot: BotUnderTest) -> None:
    user = standin.user(1020)
    with pytest.raises(BadRequest, match="(?i)photo_invalid_dimensions"):
        await bot.bot.send_photo(1020, InputFile(png_header(800, 54_885), filename="rekap.png"))
    with pytest.raises(BadRequest, match="(?i)photo_invalid_dimensions"):
        await bot.bot.send_photo(1020, InputFile(encoded(2_100, 100, "JPEG"), filename="wide.jpg"))
    assert user.messages == []
    assert standin.core.problems == ["sendPhoto -> 400 Bad Request: PHOTO_INVALID_DIMENSIONS"] * 2
    standin.core.errors.clear()
    # As a document the same file goes through; a photo within the limits too.
    await bot.bot.send_document(1020, InputFile(png_header(800, 54_885), filename="rekap.png"))
    await bot.bot.send_photo(1020, InputFile(encoded(800, 1_605, "PNG"), filename="rekap.png"))
    assert [m.kind for m in user.messages] == ["document", "photo"]
    assert standin.core.problems == []
