"""Pure extractors and the sentiment score: tables of hand-checked cases."""

from __future__ import annotations

import pytest

from bot.sentiment import sentiment
from bot.slots import budget, colour, is_no, is_yes, order_id, size, wants_cheaper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is o10023?", "o10023"),
        ("order number 10023 please", "o10023"),
        ("order #10411", "o10411"),
        ("ORDER O10005", "o10005"),
        ("my size is 10", None),
        ("I have 3 orders", None),
    ],
)
def test_order_id(text: str, expected: str | None) -> None:
    assert order_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rain trousers under £100", 100.0),
        ("less than 49.99", 49.99),
        ("£80 max", 80.0),
        ("up to €60", 60.0),
        ("a 65 L pack", None),
        ("size 42", None),
    ],
)
def test_budget(text: str, expected: float | None) -> None:
    assert budget(text) == expected


def test_colour_size_and_yes_no() -> None:
    assert colour("does it come in Moss Green?") == "moss green"
    assert colour("do you have it in blue") == "blue"
    assert colour("is it waterproof") is None
    assert size("have you got size M?") == "M"
    assert size("EU 42 please") == "EU 42"
    assert size("I am a bit tall") is None
    assert is_yes("yes please") and is_yes("OK go ahead") and not is_yes("no thanks")
    assert is_no("no, keep it") and is_no("nope")
    assert wants_cheaper("and the cheaper one?") and not wants_cheaper("is it warm?")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("this is the worst service ever, I'm furious", -1.0, -0.6),
        ("the zip is broken", -0.6, -0.2),
        ("not bad at all", 0.0, 1.0),
        ("thanks, that's great!", 0.5, 1.0),
        ("where is my order", -0.05, 0.05),
        ("I am not happy", -1.0, -0.3),
        ("WHERE IS MY PARCEL I WANT IT NOW", -1.0, -0.2),
    ],
)
def test_sentiment(text: str, low: float, high: float) -> None:
    assert low <= sentiment(text) <= high
