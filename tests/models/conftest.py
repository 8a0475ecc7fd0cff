"""Fixtures shared by the model tests."""

from __future__ import annotations

import pytest

from tests.conftest import with_shipped_program


@pytest.fixture
async def program(db_url: str) -> None:
    """The shipped 2023 program, as loaded at T0, in the test database."""
    await with_shipped_program(db_url)
