"""Pure parts of the bot: PII redaction."""

from __future__ import annotations

import pytest

from bot.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my mail is ann.lee+shop@example.co.uk thanks", "my mail is [email] thanks"),
        ("card 4111 1111 1111 1111 please", "card [card] please"),
        ("call me on +44 20 7946 0958", "call me on [phone]"),
        ("ship to 221b Baker Street, London", "ship to [address], London"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [iban]"),
        ("order o10023 for 2 jackets size 42", "order o10023 for 2 jackets size 42"),
        ("what is your return policy?", "what is your return policy?"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_non_luhn_long_number_is_not_a_card() -> None:
    # tracking numbers are long digit runs too; only Luhn-valid ones are treated as cards
    assert "[card]" not in redact("tracking 1234 5678 9012 3456")
