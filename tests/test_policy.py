"""The routing policy is a pure function: a table of signal cases."""

from __future__ import annotations

import pytest

from bot.answerer import _join, _units
from bot.policy import RouteSignals, route


def sig(
    q: float, p: float, h: float = 0.1, g: float = 0.1, product: float = 0.5, past: float = 0.3
) -> RouteSignals:
    scores = {"question": q, "product_search": p, "human_agent": h, "greeting": g}
    return RouteSignals(scores, product_score=product, past_question_score=past)


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        (sig(0.2, 0.9), "product_search"),  # reads like a request, the catalog has it
        (sig(0.2, 0.9, product=0.1), "question"),  # nothing like it in the catalog
        (sig(0.3, 0.4, past=0.95), "question"),  # shoppers asked exactly this before
        (sig(0.9, 0.3), "question"),
        (sig(0.2, 0.2, h=0.8), "human_agent"),
        (sig(0.2, 0.2, h=0.5), "question"),  # a vague "someone" is not a handoff request
        (sig(0.2, 0.2, g=0.95), "greeting"),
        (sig(0.1, 0.1, g=0.3), "question"),  # off-topic: the answerer decides (and hands off)
    ],
)
def test_route(signals: RouteSignals, expected: str) -> None:
    assert route(signals) == expected


def test_units_keep_list_items_apart() -> None:
    body = "We accept:\n\n- Visa and Mastercard\n- PayPal\n\n| Size | Chest |\n|---|---|\n| M | 100 |\n\nNo cash. Sorry."
    assert _units(body) == [
        ("We accept:", False),
        ("Visa and Mastercard", True),
        ("PayPal", True),
        ("Size · Chest", True),
        ("M · 100", True),
        ("No cash.", False),
        ("Sorry.", False),
    ]
    assert _join(
        [("Intro.", False), ("a", True), ("b", True), ("End.", False), ("More.", False)]
    ) == ("Intro.\n- a\n- b\nEnd. More.")
