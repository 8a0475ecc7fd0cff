"""Rules for the details a person types in: name, institution, position and phone."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import phonenumbers

from models.free_text import clean_line, has_visible_letters

MAX_TEXT_LENGTH = 120
MIN_TEXT_LENGTH = 2


@dataclass(frozen=True)
class PersonDetails:
    """What a person gives about themselves for one registration (checked by the rules below)."""

    full_name: str
    institution: str
    position: str
    phone_e164: str


# The attribute names of PersonDetails, as the participant, the registration and a draft spell them.
DETAIL_FIELDS = ("full_name", "institution", "position", "phone_e164")


class DetailProblem(enum.StrEnum):
    """Why a typed detail was not accepted; each has a text in the catalogue."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    # Letters only a machine sees (Hangul fillers): the name would show blank in the roster.
    INVISIBLE = "invisible"
    INVALID_PHONE = "invalid_phone"
    NOT_MOBILE = "not_mobile"


class InvalidDetail(ValueError):
    """A typed detail the rules refuse."""

    def __init__(self, problem: DetailProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_text(value: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """A name, institution, position or reason on one line (`clean_line`), or InvalidDetail."""
    cleaned = clean_line(value)
    if not cleaned:
        raise InvalidDetail(DetailProblem.EMPTY)
    if len(cleaned) < MIN_TEXT_LENGTH:
        raise InvalidDetail(DetailProblem.TOO_SHORT)
    if len(cleaned) > max_length:
        raise InvalidDetail(DetailProblem.TOO_LONG)
    if not any(ch.isalpha() for ch in cleaned):
        raise InvalidDetail(DetailProblem.NO_LETTERS)
    if not has_visible_letters(cleaned):
        raise InvalidDetail(DetailProblem.INVISIBLE)
    return cleaned


def normalise_phone(value: str) -> str:
    """An Indonesian mobile number in E.164 (+628…), or InvalidDetail.

    People type 0812-3456-7890, +62 812 3456 7890 or 62812…; Telegram's shared contact comes
    with or without the leading +.
    """
    raw = value.strip()
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits or len(digits) > 17:
        raise InvalidDetail(DetailProblem.INVALID_PHONE)
    if not raw.startswith("+") and digits.startswith("62"):
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidDetail(DetailProblem.INVALID_PHONE) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidDetail(DetailProblem.INVALID_PHONE)
    kind = phonenumbers.number_type(number)
    mobile = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    if number.country_code == 62 and kind not in mobile:
        raise InvalidDetail(DetailProblem.NOT_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_as_written(e164: str) -> str:
    """A stored number as people write it: '0812-3456-7890' for Indonesia's, '+1 202-555-0142' for others."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        # Stored before numbers were checked, or by hand in the database: shown as it is.
        return e164
    local = number.country_code == 62
    style = phonenumbers.PhoneNumberFormat.NATIONAL if local else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
