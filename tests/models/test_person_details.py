"""Phone numbers: typed any way people write them, stored as E.164, shown as people write them."""

from __future__ import annotations

import pytest

from models.person_details import normalise_phone, phone_as_written


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+6281234567890", "0812-3456-7890"),
        ("+628123456789", "0812-3456-789"),
        ("+6285212345678", "0852-1234-5678"),
        # Someone abroad keeps the international form, or the 0 would dial a number at home.
        ("+12025550142", "+1 202-555-0142"),
        # Not a number at all (written by hand into the database): shown as it is rather than failing a roster.
        ("tidak ada", "tidak ada"),
    ],
)
def test_a_stored_number_is_shown_as_people_write_it(stored: str, shown: str) -> None:
    assert phone_as_written(stored) == shown


@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890"])
def test_what_is_shown_reads_back_as_the_same_number(typed: str) -> None:
    stored = normalise_phone(typed)
    assert stored == "+6281234567890"
    assert normalise_phone(phone_as_written(stored)) == stored
