"""Stored files: uploads from the bot, files users send, file_id bookkeeping for getFile."""

from __future__ import annotations

import itertools
import mimetypes
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .errors import bad_request
from .spec import UploadedFile

_PREFIX = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
}


@dataclass(slots=True)
class StoredFile:
    """One file known to the stand-in (data is None for files "sent" by URL or faked)."""

    file_id: str
    file_unique_id: str
    kind: str
    file_name: str | None
    mime_type: str | None
    data: bytes | None
    file_size: int
    file_path: str


class FileStore:
    """Allocates file_ids and remembers file contents so getFile and downloads work."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._paths: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def get(self, file_id: str) -> StoredFile | None:
        """Look a file up by file_id."""
        return self._files.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Look a file up by the file_path getFile handed out."""
        return self._paths.get(file_path)

    def add(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: int | None = None,
    ) -> StoredFile:
        """Store a new file and give it fresh ids."""
        n = next(self._counter)
        file_id = f"{_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{n:06d}{secrets.token_urlsafe(12)}"
        ext = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else "bin"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AgAD{n:06d}{secrets.token_hex(3)}",
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
            data=data,
            file_size=size if size is not None else len(data or b""),
            file_path=f"{kind}s/file_{n}.{ext}",
        )
        self._files[file_id] = stored
        self._paths[stored.file_path] = stored
        return stored

    def alias(self, stored: StoredFile) -> str:
        """Register a second file_id (e.g. a smaller photo size) for the same content."""
        alias_id = f"{stored.file_id[:-4]}{secrets.token_hex(2)}"
        self._files[alias_id] = stored
        return alias_id

    def from_input(self, value: Any, kind: str) -> StoredFile:
        """Resolve a sendDocument/sendPhoto input: an upload, a known file_id, or an HTTP URL."""
        if isinstance(value, UploadedFile):
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            return self.add(kind, value.data, value.filename, mime)
        if isinstance(value, str):
            known = self._files.get(value)
            if known is not None:
                return known
            parsed = urlparse(value)
            if parsed.scheme in ("http", "https") and parsed.netloc:
                name = parsed.path.rpartition("/")[2] or "file"
                return self.add(kind, None, name, mimetypes.guess_type(name)[0], size=1024)
        raise bad_request("wrong file identifier/HTTP URL specified")

    @staticmethod
    def document(stored: StoredFile) -> dict[str, Any]:
        """Render a Document object."""
        doc: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        return doc

    def photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        """Render the PhotoSize array Telegram returns (a thumbnail and the full size)."""
        thumb_id = self.alias(stored)
        return [
            {
                "file_id": thumb_id,
                "file_unique_id": stored.file_unique_id + "t",
                "file_size": max(1, stored.file_size // 10),
                "width": 90,
                "height": 68,
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
                "width": 1280,
                "height": 960,
            },
        ]
