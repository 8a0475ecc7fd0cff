"""The deep-link registry: one claimant per prefix, payloads routed by prefix, the rest to the plain /start."""

from __future__ import annotations

import pytest
from telegram import Update

from handlers.common import Turn
from handlers.shell import DeepLinks, start_link


async def invite(update: Update, turn: Turn, payload: str) -> None:
    """A claimant of the tests."""


async def check_in(update: Update, turn: Turn, payload: str) -> None:
    """Another claimant of the tests."""


async def plain(update: Update, turn: Turn, payload: str) -> None:
    """The plain /start of the tests."""


@pytest.fixture
def links() -> DeepLinks:
    links = DeepLinks()
    links.claim("pic-", invite)
    links.claim("ci_", check_in)
    links.claim_plain(plain)
    return links


@pytest.mark.parametrize("prefix", ["pic-", "pic", "pic-x", "p"])
def test_a_prefix_that_is_taken_or_overlaps_one_is_refused(links: DeepLinks, prefix: str) -> None:
    with pytest.raises(ValueError, match="overlaps"):
        links.claim(prefix, check_in)


@pytest.mark.parametrize("prefix", ["", "pic:", "ü_", "a b", "x" * 64])
def test_a_prefix_no_valid_payload_could_start_with_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="valid payload"):
        DeepLinks().claim(prefix, invite)


def test_the_plain_start_is_claimed_once(links: DeepLinks) -> None:
    with pytest.raises(ValueError, match="twice"):
        links.claim_plain(invite)


def test_a_bot_without_a_plain_start_is_refused() -> None:
    links = DeepLinks()
    links.claim("pic-", invite)
    with pytest.raises(ValueError, match="plain /start"):
        links.check()
    with pytest.raises(ValueError, match="plain /start"):
        links.route("")


@pytest.mark.parametrize(
    ("payload", "opener"),
    [
        ("pic-Abc_12-x", invite),
        ("ci_" + "9" * 61, check_in),
        ("pic-", invite),
    ],
)
def test_a_payload_goes_to_the_claimant_of_its_prefix(links: DeepLinks, payload: str, opener: object) -> None:
    assert links.route(payload) is opener


@pytest.mark.parametrize(
    "payload",
    [
        "",  # a plain /start
        "shm23-aceh",  # a meeting code: nobody's prefix
        "PIC-abc",  # prefixes are matched as written
        "xpic-abc",
        "pic-" + "a" * 61,  # longer than Telegram's 64 characters
        "pic-a b",  # typed by hand, not from a link
        "pic-ü",
        "ci_<b>",
    ],
)
def test_a_payload_nobody_claims_or_telegram_would_not_send_goes_to_the_plain_start(
    links: DeepLinks, payload: str
) -> None:
    assert links.route(payload) is plain


def test_the_bot_claims_invites_and_registration_the_rest() -> None:
    from handlers import pic_management, registration
    from handlers.shell import DEEP_LINKS
    from models.staff import INVITE_PREFIX

    DEEP_LINKS.check()
    assert DEEP_LINKS.route(INVITE_PREFIX + "x" * 32) is pic_management.open_invite
    assert DEEP_LINKS.route("shm23-aceh") is registration.start
    assert DEEP_LINKS.route("") is registration.start


def test_a_link_is_made_only_for_a_payload_telegram_accepts() -> None:
    assert start_link("shm_bot", "pic-Ab_9") == "https://t.me/shm_bot?start=pic-Ab_9"
    for payload in ("", "a" * 65, "a b", "a&b=c"):
        with pytest.raises(ValueError):
            start_link("shm_bot", payload)
