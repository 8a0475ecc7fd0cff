"""The text a pressed message is left with: what it said, then the choice, as valid HTML within Telegram's limit."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from handlers.common import MESSAGE_LIMIT, text_with_choice
from handlers.texts import Texts

TEXTS = Texts("id")


def shown(text: str, entities: list[MessageEntity] | None = None, label: str = "Dinas & <Arsip>") -> Message:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data="r:1:2")]])
    return Message(
        1, datetime(2023, 7, 1, tzinfo=UTC), Chat(5, "private"), text=text, entities=entities, reply_markup=keyboard
    )


def test_the_pressed_label_is_added_escaped_and_the_text_keeps_its_markup() -> None:
    message = shown("Pilih peran di Aceh & sekitarnya", [MessageEntity(MessageEntity.BOLD, 15, 4)])
    assert text_with_choice(message, "r:1:2", TEXTS) == (
        "Pilih peran di <b>Aceh</b> &amp; sekitarnya\n\n<i>→ Dinas &amp; &lt;Arsip&gt;</i>"
    )


def test_a_given_choice_replaces_the_label_and_unknown_data_shows_none() -> None:
    message = shown("Pilih peran")
    assert text_with_choice(message, "r:1:2", TEXTS, "Stakeholder Provinsi") == (
        "Pilih peran\n\n<i>→ Stakeholder Provinsi</i>"
    )
    assert text_with_choice(message, "r:9:9", TEXTS) is None


def test_a_text_that_would_grow_past_the_limit_is_left_as_it_is() -> None:
    assert text_with_choice(shown("x" * (MESSAGE_LIMIT - 60)), "r:1:2", TEXTS) is not None
    assert text_with_choice(shown("x" * (MESSAGE_LIMIT - 5)), "r:1:2", TEXTS) is None
