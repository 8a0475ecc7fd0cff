"""The text catalogues: every word a user reads, one catalogue per language."""

from __future__ import annotations

import html
import string

from handlers.texts import english, indonesian
from models.conversation import DEFAULT_LANGUAGE

CATALOGUES: dict[str, dict[str, str]] = {"id": indonesian.TEXTS, "en": english.TEXTS}
LANGUAGES = tuple(CATALOGUES)
# Labels and command descriptions are user-facing too but are never parsed as HTML.
LABEL_PREFIX = "btn_"
COMMAND_PREFIX = "cmd_"
# Commands shown in the menus of PICs and organizers only, and of organizers only.
STAFF_COMMAND_PREFIX = "staffcmd_"
ADMIN_COMMAND_PREFIX = "admincmd_"


# Whoever has not chosen a language and whose Telegram speaks none of the catalogues' reads this.
FALLBACK_LANGUAGE = "en"


def language_for(language_code: str | None) -> str:
    """The language of someone who has not chosen one, from Telegram's `language_code` ("en-GB", "id", None)."""
    primary = (language_code or "").split("-")[0].lower()
    return primary if primary in CATALOGUES else FALLBACK_LANGUAGE


class Html(str):
    """A fragment that is already valid Telegram HTML and must not be escaped again."""


def placeholders(template: str) -> set[str]:
    """The names a template expects."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Texts:
    """The catalogue of one language, rendering messages (HTML) and button labels (plain)."""

    def __init__(self, language: str | None) -> None:
        # Someone who never wrote to the bot (None), or a language no longer offered, reads the default.
        self.language = language if language in CATALOGUES else DEFAULT_LANGUAGE
        self._catalogue = CATALOGUES[self.language]

    def __call__(self, key: str, **params: object) -> Html:
        """A message text; every parameter is HTML-escaped unless it is already Html."""
        escaped = {
            name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
            for name, value in params.items()
        }
        return Html(self._catalogue[key].format(**escaped))

    def label(self, key: str, **params: object) -> str:
        """A button label: plain text, nothing escaped."""
        return self.plain(LABEL_PREFIX + key, **params)

    def plain(self, key: str, **params: object) -> str:
        """A text shown outside a Telegram message (a label, a calendar entry): nothing escaped."""
        return self._catalogue[key].format(**params)

    def commands(self) -> list[tuple[str, str]]:
        """The command menu: (command, description) in catalogue order."""
        return self._commands(COMMAND_PREFIX)

    def staff_commands(self, *, admin: bool) -> list[tuple[str, str]]:
        """The commands a PIC (or, with admin, an organizer) has besides everyone's."""
        return self._commands(STAFF_COMMAND_PREFIX) + (self.admin_commands() if admin else [])

    def admin_commands(self) -> list[tuple[str, str]]:
        """The commands only organizers have."""
        return self._commands(ADMIN_COMMAND_PREFIX)

    def _commands(self, prefix: str) -> list[tuple[str, str]]:
        return [(key[len(prefix) :], text) for key, text in self._catalogue.items() if key.startswith(prefix)]
