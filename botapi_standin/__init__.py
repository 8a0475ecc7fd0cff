"""botapi_standin: a loopback stand-in for the Telegram Bot API, for tests and demos."""

from .core import StandinCore
from .errors import ApiError
from .standin import BotApiStandin
from .state import WAIT, BotMessage, CallbackAnswer, CallRecord, WarningRecord
from .users import StandinUser

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
]
