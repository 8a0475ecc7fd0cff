"""What a program file says about the meeting day and after: the committee, the certificate, the evaluation.

The daftar hadir (signed attendance list) is signed by the committee; the e-sertifikat is signed by
its signer (the committee's head unless the file names another) and says what its text says; the
evaluation is a few statements rated 1-5 and an optional comment. Every field has a default in
Bahasa Indonesia, so a program file that says nothing still gets a list, certificates and no survey.
Stored on the program as JSON (`to_json` / `from_json`), as the reminder plan is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The deep-link payloads the meeting day opens (t.me/<bot>?start=<prefix><token>): a person's own
# check-in code, the projector's rotating meeting code, and a certificate's verification. A meeting
# code may not begin with one of them (see program_file), or its registration link would open them.
CHECKIN_PREFIX = "hadir-"
PROJECTOR_PREFIX = "absen-"
CERTIFICATE_PREFIX = "sert-"
MEETING_DAY_PREFIXES = (CHECKIN_PREFIX, PROJECTOR_PREFIX, CERTIFICATE_PREFIX)

DEFAULT_COMMITTEE_TITLE = "Ketua Panitia"
DEFAULT_CERTIFICATE_TITLE = "SERTIFIKAT"
DEFAULT_CERTIFICATE_TEXT = "diberikan kepada"
DEFAULT_CERTIFICATE_ROLE_TEXT = "atas partisipasinya sebagai {role} dalam"
# Rating answers: 1 (disagree strongly) to 5 (agree strongly).
SCORES = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 10
# Fewer answers than this for a meeting show counts only: an average of two or three people can be
# traced back to each of them.
MIN_ANSWERS_SHOWN = 5


@dataclass(frozen=True)
class Committee:
    """Who signs a meeting's daftar hadir: the committee's head, by name and title."""

    name: str | None = None
    title: str = DEFAULT_COMMITTEE_TITLE

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Committee:
        if not data:
            return cls()
        return cls(name=data.get("name"), title=data.get("title") or DEFAULT_COMMITTEE_TITLE)


@dataclass(frozen=True)
class CertificateSettings:
    """The e-sertifikat's wording and signer, and whether it waits for the evaluation.

    `signer_name` / `signer_title` default to the committee's. `after_evaluation` holds a person's
    certificate until they have answered the evaluation (when the program has one).
    """

    title: str = DEFAULT_CERTIFICATE_TITLE
    text: str = DEFAULT_CERTIFICATE_TEXT
    role_text: str = DEFAULT_CERTIFICATE_ROLE_TEXT
    signer_name: str | None = None
    signer_title: str | None = None
    after_evaluation: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "role_text": self.role_text,
            "signer_name": self.signer_name,
            "signer_title": self.signer_title,
            "after_evaluation": self.after_evaluation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CertificateSettings:
        if not data:
            return cls()
        defaults = cls()
        return cls(
            title=data.get("title") or defaults.title,
            text=data.get("text") or defaults.text,
            role_text=data.get("role_text") or defaults.role_text,
            signer_name=data.get("signer_name"),
            signer_title=data.get("signer_title"),
            after_evaluation=bool(data.get("after_evaluation", False)),
        )

    def signer(self, committee: Committee) -> tuple[str | None, str]:
        """The certificate's signer as (name, title): its own, else the committee's head."""
        return (self.signer_name or committee.name, self.signer_title or committee.title)


@dataclass(frozen=True)
class Question:
    """One evaluation statement, rated 1-5; `text_en` is shown to English speakers when given."""

    code: str
    text: str
    text_en: str | None = None

    def text_for(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text


@dataclass(frozen=True)
class EvaluationForm:
    """A program's evaluation: statements rated 1-5, then an optional free-text comment.

    An empty form (no questions) means the program asks for no evaluation.
    """

    questions: tuple[Question, ...] = ()
    comment: bool = True
    comment_prompt: str | None = None
    comment_prompt_en: str | None = None

    def __bool__(self) -> bool:
        return bool(self.questions)

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": [{"code": q.code, "text": q.text, "text_en": q.text_en} for q in self.questions],
            "comment": self.comment,
            "comment_prompt": self.comment_prompt,
            "comment_prompt_en": self.comment_prompt_en,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EvaluationForm:
        if not data:
            return cls()
        return cls(
            questions=tuple(Question(q["code"], q["text"], q.get("text_en")) for q in data.get("questions", ())),
            comment=bool(data.get("comment", True)),
            comment_prompt=data.get("comment_prompt"),
            comment_prompt_en=data.get("comment_prompt_en"),
        )


@dataclass(frozen=True)
class MeetingDay:
    """The three settings together, as a program holds them."""

    committee: Committee = field(default_factory=Committee)
    certificate: CertificateSettings = field(default_factory=CertificateSettings)
    evaluation: EvaluationForm = field(default_factory=EvaluationForm)
