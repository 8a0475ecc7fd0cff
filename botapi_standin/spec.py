"""The vendored Bot API spec: which methods exist, their fields, and parameter decoding."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ApiError, bad_request

SPEC_PATH = Path(__file__).with_name("api.min.json")

_INT_RE = re.compile(r"^[+-]?\d+$")
_SCALARS = {"Integer", "String", "Boolean", "Float", "InputFile"}

# Telegram's own wording for some missing required parameters; the rest get "<name> is empty".
_MISSING_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("*", "text"): "message text is empty",
    ("*", "message_id"): "message identifier is not specified",
    ("*", "callback_query_id"): "query is too old and response timeout expired or query ID is invalid",
    ("sendDocument", "document"): "there is no document in the request",
    ("sendPhoto", "photo"): "there is no photo in the request",
    ("sendChatAction", "action"): "wrong parameter action in request",
    ("setWebhook", "url"): "bad webhook: Webhook URL must be non-empty",
    ("setMyCommands", "commands"): 'parameter "commands" is required',
}

# Required fields whose empty value means something: "Pass an empty string to remove webhook integration".
_EMPTY_ALLOWED = frozenset({("setWebhook", "url")})


@dataclass(frozen=True, slots=True)
class Field:
    """One parameter of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool

    @property
    def is_structured(self) -> bool:
        """True when the value is an object or array that travels JSON-encoded in forms."""
        return any(t not in _SCALARS for t in self.types)


@dataclass(frozen=True, slots=True)
class Method:
    """One Bot API method with its fields keyed by name."""

    name: str
    fields: dict[str, Field]
    returns: tuple[str, ...]


@dataclass(slots=True)
class UploadedFile:
    """A file part received in a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes

    def summary(self) -> dict[str, Any]:
        """Return a JSON-friendly description for call records."""
        return {"_file": self.filename, "mime_type": self.content_type, "size": len(self.data)}


class BotApiSpec:
    """Loads api.min.json and answers questions about methods and their parameters."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.methods: dict[str, Method] = {}
        self._by_lower: dict[str, str] = {}
        for name, body in raw["methods"].items():
            fields = {
                f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"])) for f in body.get("fields", [])
            }
            self.methods[name] = Method(name, fields, tuple(body.get("returns", [])))
            self._by_lower[name.lower()] = name
        self.types: dict[str, Any] = raw.get("types", {})

    def resolve(self, method: str) -> Method | None:
        """Find a method by name case-insensitively, as Telegram does."""
        canonical = self._by_lower.get(method.lower())
        return self.methods[canonical] if canonical else None

    def decode_params(
        self, method: Method, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[dict[str, Any], list[str]]:
        """Coerce raw (string or JSON) values to the spec's types; return (params, unknown names)."""
        params: dict[str, Any] = {}
        unknown: list[str] = []
        for name, value in raw.items():
            field = method.fields.get(name)
            if field is None:
                unknown.append(name)
                params[name] = _guess_json(value)
                continue
            params[name] = _coerce(field, value, files)
        # A file part named like a field (PTB's way for sendDocument/sendPhoto) is that field's value.
        for name, upload in files.items():
            if name in method.fields and name not in params:
                params[name] = upload
        return params, unknown

    def missing_required(self, method: Method, params: dict[str, Any]) -> ApiError | None:
        """Return Telegram's refusal for the first missing required field, if any."""
        for field in method.fields.values():
            if not field.required:
                continue
            value = params.get(field.name)
            if value == "" and (method.name, field.name) in _EMPTY_ALLOWED:
                continue
            if value is None or value == "":
                reason = _MISSING_DESCRIPTIONS.get((method.name, field.name)) or _MISSING_DESCRIPTIONS.get(
                    ("*", field.name), f"{field.name} is empty"
                )
                return bad_request(reason)
        return None


@lru_cache(maxsize=1)
def load_spec(path: str | None = None) -> BotApiSpec:
    """Load (once per process) and index the vendored Bot API spec."""
    with open(path or SPEC_PATH, encoding="utf-8") as fh:
        return BotApiSpec(json.load(fh))


def _guess_json(value: Any) -> Any:
    """Decode JSON-looking strings of unknown parameters so records stay readable."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _coerce(field: Field, value: Any, files: dict[str, UploadedFile]) -> Any:
    """Convert one value to what the field's spec types say, the way Telegram reads forms."""
    types = field.types
    if isinstance(value, UploadedFile):
        return value
    if isinstance(value, str) and value.startswith("attach://") and "InputFile" in " ".join(types):
        upload = files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(f"file {value} not found in the request")
        return upload
    if not isinstance(value, str):
        return value  # already typed (JSON body)
    if "Integer" in types and _INT_RE.match(value):
        return int(value)
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if "Boolean" in types:
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
    if "String" in types or "InputFile" in types:
        return value
    if field.is_structured:
        try:
            return json.loads(value)
        except ValueError:
            if field.name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {field.name} JSON object") from None
    raise bad_request(f'field "{field.name}" must be of type {" or ".join(types)}')
