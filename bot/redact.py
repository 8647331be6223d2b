"""PII redaction applied before anything is stored, logged, indexed or sent to a remote LLM.

>>> redact("mail me at ann@example.com or call +44 20 7946 0958")
'mail me at [email] or call [phone]'
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d ()./-]{7,}\d\b")
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?\s+(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Court|Ct|Boulevard|Blvd|Place|Pl|Square|Sq)\b\.?"
)


def _luhn_ok(digits: str) -> bool:
    total, alt = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if alt:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        alt = not alt
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else m.group(0)


def redact(text: str) -> str:
    """Replace e-mail addresses, card numbers, IBANs, phone numbers and street addresses."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    text = _IBAN.sub("[iban]", text)
    text = _PHONE.sub("[phone]", text)
    return _STREET.sub("[address]", text)
