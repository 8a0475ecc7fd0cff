"""Validation of reply_markup objects the way Telegram refuses bad keyboards."""

from __future__ import annotations

from typing import Any

from .errors import bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
KEYBOARD_REQUESTS = (
    "request_users",
    "request_chat",
    "request_managed_bot",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)
MAX_CALLBACK_DATA_BYTES = 64


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Check a decoded reply_markup; return it unchanged or raise ApiError like Telegram."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_rows(markup["inline_keyboard"], "inline_keyboard", _validate_inline_button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _validate_rows(markup["keyboard"], "keyboard", _validate_keyboard_button)
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _validate_rows(rows: Any, field: str, check_button: Any) -> None:
    """Check an array of arrays of buttons."""
    if not isinstance(rows, list):
        raise bad_request(f'field "{field}" of the keyboard must be an Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(f'field "{field}" of the keyboard must be an Array of Arrays')
        for button in row:
            check_button(button)


def _validate_inline_button(button: Any) -> None:
    """An inline button needs text and exactly one action; callback_data is 1..64 bytes."""
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
        raise bad_request("BUTTON_URL_INVALID")


def _validate_keyboard_button(button: Any) -> None:
    """A reply-keyboard button is a string or {text, at most one request_* field}."""
    if isinstance(button, str):
        if not button:
            raise bad_request("BUTTON_TEXT_INVALID")
        return
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    requests = [name for name in KEYBOARD_REQUESTS if button.get(name) not in (None, False)]
    if len(requests) > 1:
        raise bad_request(f"can't parse keyboard button: only one of {', '.join(requests)} may be used")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Flatten an inline keyboard into its buttons (empty for other markups)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def keyboard_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Flatten a reply keyboard into KeyboardButton dicts (strings become {"text": ...})."""
    if not markup or "keyboard" not in markup:
        return []
    return [b if isinstance(b, dict) else {"text": b} for row in markup["keyboard"] for b in row]
