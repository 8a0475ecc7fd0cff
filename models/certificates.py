"""E-sertifikat: the certificate each person checked in at a meeting receives once it has ended.

A certificate is issued once per registration, with a number unique across the bot and a random
verification token; its QR opens t.me/<bot>?start=sert-<token>, and whoever opens it is told whether
the certificate is genuine and for whom (name and meeting only). Erasing a person's data erases
their certificate with the registration, and its verification then finds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.registration import Registration


class Certificate(Base):
    """One issued certificate: its number, its verification token and when it was issued."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    # Printed on the certificate, e.g. "SHM-31-2023-0017": the meeting's and the certificate's own sequence.
    number: Mapped[str] = mapped_column(String(64), unique=True)
    verify_token: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime]

    registration: Mapped[Registration] = relationship(lazy="joined", innerjoin=True)
