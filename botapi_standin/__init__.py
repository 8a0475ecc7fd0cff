"""botapi_standin: a loopback stand-in for the Telegram Bot API, for tests and demos."""

from .core import StandinCore
from .errors import ApiError
from .standin import BotApiStandin
from .state import WAIT, BotMessage, CallbackAnswer, CallRecord, WarningRecord
from .users import StandinUser
from .webhook import WebhookAttempt, WebhookPacing

__all__ = [
    "ApiError",
    "BotApiStandin",
    "BotMessage",
    "CallbackAnswer",
    "CallRecord",
    "StandinCore",
    "StandinUser",
    "WAIT",
    "WarningRecord",
    "WebhookAttempt",
    "WebhookPacing",
]
