"""The catalogues: the same texts in every language, and parameters always escaped."""

from __future__ import annotations

import pytest

from handlers.texts import CATALOGUES, Html, Texts, placeholders


@pytest.mark.parametrize("language", [lang for lang in CATALOGUES if lang != "id"])
def test_every_language_has_every_text_with_the_same_parameters(language: str) -> None:
    indonesian, other = CATALOGUES["id"], CATALOGUES[language]
    assert set(indonesian) == set(other)
    assert [k for k in indonesian if placeholders(indonesian[k]) != placeholders(other[k])] == []


def test_parameters_are_escaped_unless_already_html() -> None:
    texts = Texts("id")
    rendered = texts("cancel_done", meeting="Dinas <Perpustakaan> & Arsip")
    assert rendered == "Pendaftaran Anda untuk <b>Dinas &lt;Perpustakaan&gt; &amp; Arsip</b> telah dibatalkan."
    assert texts("cancel_done", meeting=Html("<i>x</i>")).count("<i>x</i>") == 1


def test_labels_stay_plain_and_unknown_languages_fall_back() -> None:
    assert Texts("id").label("cancel_registration", meeting="A & B") == "Batalkan: A & B"
    assert Texts("fr").language == "id"
