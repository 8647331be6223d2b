"""PII redaction on a varied test set (tests/data/pii_cases.jsonl, made by make_pii_cases.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.redact import redact

CASES = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[1] / "data" / "pii_cases.jsonl").open()
]


def test_the_set_is_big_and_varied() -> None:
    assert len(CASES) >= 200
    assert sum(len(c["pii"]) for c in CASES) >= 300
    assert sum(bool(c["keep"]) for c in CASES) >= 60


_LABEL = re.compile(r"\[(?:email|card|iban|phone|address)\]")


def test_recall_and_no_harm_to_shop_identifiers() -> None:
    """Each PII value is gone with no piece of it left; the shop's identifiers stay verbatim."""
    found = total = 0
    missed, harmed = [], []
    for c in CASES:
        out = _LABEL.sub("[PII]", redact(c["text"]))
        for value in c["pii"]:
            total += 1
            rest = c["text"].replace(value, " ")
            if "[PII]" in out and value not in out and not _leftover(value, out, rest):
                found += 1
            else:
                missed.append((value, out))
        harmed += [(k, out) for k in c["keep"] if k not in out]
    assert found / total >= 0.99, missed[:10]
    assert not harmed, harmed[:10]


def _leftover(value: str, out: str, rest: str) -> bool:
    """True when a piece of the value (a digit group of 3+ or a word of 4+ letters) survives.

    Pieces that also occur elsewhere in the message (`rest`) prove nothing and are ignored.
    """
    pieces = re.findall(r"\d{3,}|[^\W\d_]{4,}", value)
    return any(p in out and p not in rest for p in pieces)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my mail is ann.lee+shop@example.co.uk thanks", "my mail is [email] thanks"),
        ("card 4111 1111 1111 1111 please", "card [card] please"),
        ("call me on +44 20 7946 0958", "call me on [phone]"),
        ("ship to 221b Baker Street, London", "ship to [address]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [iban]"),
        ("order o10023 for 2 jackets size 42", "order o10023 for 2 jackets size 42"),
        ("about order 113542617735902", "about order 113542617735902"),
        ("what is your return policy?", "what is your return policy?"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_non_luhn_long_number_is_not_a_card() -> None:
    assert "[card]" not in redact("my loyalty number 1234 5678 9012 3456")
