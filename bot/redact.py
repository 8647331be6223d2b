"""PII redaction applied before anything is stored, logged, indexed or sent to a remote LLM.

    >>> redact("mail me at ann@example.com or call +44 20 7946 0958 about order 113542617735902")
    'mail me at [email] or call [phone] about order 113542617735902'

Covers e-mail addresses, payment card numbers (Luhn-checked), IBANs (mod-97 checked),
phone numbers in international and common national formats, and street addresses in
English, German, French, Dutch, Spanish and Italian forms. Identifiers the shop needs to
help — order, tracking, invoice and reference numbers, SKUs and product codes — are
recognised by the word in front of them and left alone, however numeric they look.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ID_WORDS = (
    r"order(?:\s+(?:no\.?|number|nr\.?|id))?|orders|tracking(?:\s+(?:no\.?|number|code))?|invoice(?:\s+(?:no\.?|number))?"
    r"|ref(?:erence)?(?:\s+(?:no\.?|number))?|sku|item|product(?:\s+code)?|model|article|parcel|shipment|case|ticket"
    r"|gift\s+card(?:\s+code)?|voucher(?:\s+code)?|code"
)
# the identifier may contain digit groups separated by spaces or dashes ("order 4401 9920 1188")
_PROTECTED = re.compile(
    rf"(?i)\b(?:{_ID_WORDS})\s*(?:[:#]\s*)?#?((?:[A-Z0-9]+[-/])*[A-Z0-9]*\d[A-Z0-9]*(?:[ -]\d{{2,}})*)"
)
_HASH_ID = re.compile(r"#\d{3,}")

_EMAIL = re.compile(r"(?i)(?<![\w.+-])[a-z0-9][\w.+'-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d{2,5}){1,5}"  # international
    r"|\(?0\d{1,4}\)?[ .-]?\d{2,5}(?:[ .-]?\d{2,5}){1,3}"  # national, trunk prefix 0
    r"|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}"  # North American
    r")(?![\w])"
)
_EN_SUFFIX = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Court|Ct|Boulevard|Blvd|Place|Pl|Square|Sq"
    r"|Terrace|Crescent|Close|Gardens|Loop|Parade|Row|Walk|Hill|Mews"
)
_STREET = re.compile(
    "|".join(
        [
            # 221B Baker Street, 1600 Pennsylvania Avenue NW, 99 Queen's Drive
            rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?:{_EN_SUFFIX})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?",
            # Hauptstraße 5, Bahnhofstr. 12, Lindenweg 7a, Kalverstraat 92, Prinsengracht 263, Marktplatz 3
            r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|straat|laan|gracht|plein|kade|dijk|singel)\s+\d{1,5}[a-z]?\b",
            # 12 rue de Rivoli, 5 avenue des Champs-Élysées, 33 boulevard Saint-Michel
            r"\b\d{1,5}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai)\s+(?:(?:de|du|des|de la|d’|d')\s*)?[A-ZÉÈ][\w’'-]*(?:\s+[A-ZÉÈ][\w’'-]*)*",
            # Calle Mayor 10, Via Roma 15, Piazza Navona 2
            r"\b(?:Calle|C/|Avenida|Av\.|Plaza|Paseo|Via|Viale|Piazza|Corso|Largo)\s+(?:[A-Z][\w'-]*\s+){1,3}\d{1,5}\b",
        ]
    )
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


def _iban_ok(text: str) -> bool:
    s = text.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _is_card(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group(0))
    return 13 <= len(digits) <= 19 and _luhn_ok(digits)


def _is_phone(m: re.Match[str]) -> bool:
    return 7 <= len(re.sub(r"\D", "", m.group(0))) <= 15


def _sub(
    pattern: re.Pattern[str],
    label: str,
    text: str,
    protected: list[tuple[int, int]],
    accept: Callable[[re.Match[str]], bool] | None = None,
) -> str:
    out, last = [], 0
    for m in pattern.finditer(text):
        s, e = m.span()
        if any(s < pe and ps < e for ps, pe in protected) or (accept and not accept(m)):
            continue
        out.append(text[last:s])
        out.append(label)
        last = e
    out.append(text[last:])
    return "".join(out)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in _PROTECTED.finditer(text) if m.group(1)]
    return spans + [m.span() for m in _HASH_ID.finditer(text)]


def redact(text: str) -> str:
    """Replace personal data with [email], [card], [iban], [phone] and [address]."""
    text = _sub(_EMAIL, "[email]", text, [])
    # each pass recomputes protected spans: earlier replacements shift offsets
    text = _sub(_IBAN, "[iban]", text, _protected_spans(text), lambda m: _iban_ok(m.group(0)))
    text = _sub(_CARD, "[card]", text, _protected_spans(text), _is_card)
    text = _sub(_STREET, "[address]", text, [])
    return _sub(_PHONE, "[phone]", text, _protected_spans(text), _is_phone)
