"""Unit tests of the text parsers and helpers (no server)."""

from __future__ import annotations

import pytest

from botapi_standin.html_entities import EntityParseError, parse_html, utf16_len
from botapi_standin.markdown_entities import parse_markdown, parse_markdown_v2
from botapi_standin.users import bot_command_entities


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("é & x", 'Character "&" at byte offset 3'),
    ],
)
def test_html_refusals(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError, match=reason.replace("(", r"\(")):
        parse_html(source)


def test_html_entities_and_tags() -> None:
    parsed = parse_html(
        '<b>😀 <i>x</i></b> <a href="https://e.org/?a=1&amp;b=2">l</a> '
        '<pre><code class="language-py">1</code></pre> <tg-spoiler>s</tg-spoiler> &quot;&#33;'
    )
    assert parsed.text == '😀 x l 1 s "!'
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [("bold", 0, 4), ("italic", 3, 1), ("text_link", 5, 1), ("pre", 7, 1), ("spoiler", 9, 1)]
    assert parsed.entities[2]["url"] == "https://e.org/?a=1&b=2"
    assert parsed.entities[3]["language"] == "py"
    assert parse_html("Dinas & Arsip", strict_ampersand=False).text == "Dinas & Arsip"
    assert utf16_len("a😀") == 3


def test_markdown() -> None:
    assert parse_markdown_v2("Harga: 10\\.000 \\(IDR\\)").text == "Harga: 10.000 (IDR)"
    for bad in ("10.000", "a-b", "(x)", "*open"):
        with pytest.raises(EntityParseError):
            parse_markdown_v2(bad)
    assert parse_markdown_v2("`a.b-c`").entities == [{"type": "code", "offset": 0, "length": 5}]
    assert parse_markdown("*b* _i_ [l](http://x)").text == "b i l"
    with pytest.raises(EntityParseError, match="Can't find end of the entity"):
        parse_markdown("*open")


def test_bot_command_entities() -> None:
    assert bot_command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert bot_command_entities("/start@shm_test_bot abc") == [{"type": "bot_command", "offset": 0, "length": 19}]
    assert bot_command_entities("😀 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert bot_command_entities("a/b") == []
    assert bot_command_entities("/start@ab") == []
