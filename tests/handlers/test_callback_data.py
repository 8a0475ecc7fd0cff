"""The button-data schema: round trips, the 64-byte limit, and refusal of anything else."""

from __future__ import annotations

from dataclasses import fields

import pytest

from handlers import callback_data as cb

LARGEST = {"int": 10**12 - 1, "bool": True, "str": "x" * 24}


@pytest.mark.parametrize("kind", list(cb.ACTIONS.values()), ids=lambda k: k.__name__)
def test_every_action_round_trips_within_64_bytes(kind: type[cb.Action]) -> None:
    action = kind(**{f.name: LARGEST[str(f.type)] for f in fields(kind)})
    data = cb.pack(action)
    assert len(data.encode()) <= cb.MAX_BYTES
    assert cb.parse(data) == action


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "zz",
        "r",
        "r:1",
        "r:1:2:3",
        "r:a:1",
        "r:-1:1",
        "c:2",
        "m:" + "9" * 13,
        "ef:../x",
        "ef:",
        "l:" + "e" * 25,
        "x" * 65,
        "sk:1:1",
        "m:١٢",
    ],
)
def test_forged_or_malformed_data_parses_to_none(data: str | None) -> None:
    assert cb.parse(data) is None


def test_packing_refuses_what_parse_would_not_read() -> None:
    with pytest.raises(ValueError):
        cb.pack(cb.EditField("a:b"))


def test_matches_accepts_only_its_kinds() -> None:
    predicate = cb.matches(cb.ChooseRole, cb.Submit)
    assert predicate("r:1:2") and predicate("sk:3")
    assert not predicate("m:1") and not predicate("nonsense") and not predicate(None)
