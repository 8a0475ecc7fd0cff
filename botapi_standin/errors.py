"""Errors the stand-in answers with, shaped like the Bot API's error responses."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal: becomes {"ok": false, "error_code": status, "description": ...}."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        # Set when the test asked for this refusal (a fault, a user who blocked the bot), as
        # opposed to the bot sending something Telegram refuses.
        self.injected = False

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would send for this error."""
        payload: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


def bad_request(reason: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """Return a 403 error with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return a 429 flood-wait error carrying parameters.retry_after like Telegram."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


# Default descriptions for injected failures, worded like the real ones.
DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
