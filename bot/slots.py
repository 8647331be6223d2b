"""Pure extractors for the things shoppers mention: order ids, budgets, colours, sizes, yes/no."""

from __future__ import annotations

import re
from collections.abc import Callable

_ORDER = re.compile(r"(?i)\b(o\d{4,6})\b|(?i:order)\s*(?:no\.?|number|#)?\s*#?(\d{4,6})\b")
_BUDGET = re.compile(
    r"(?i)(?:under|below|less than|max(?:imum)?|up to|no more than|cheaper than|within)\s*(?:£|€|\$)?\s*(\d+(?:[.,]\d{1,2})?)"
    r"|(?:£|€|\$)\s*(\d+(?:[.,]\d{1,2})?)\s*(?:or less|max|tops)"
)
COLOURS = (
    "black",
    "white",
    "grey",
    "gray",
    "navy",
    "blue",
    "red",
    "green",
    "olive",
    "khaki",
    "brown",
    "beige",
    "yellow",
    "orange",
    "purple",
    "pink",
    "teal",
    "burgundy",
    "charcoal",
    "sand",
    "moss green",
    "forest green",
)
_SIZE = re.compile(
    r"(?i)\b(?:size\s+)?(XXS|XS|S|M|L|XL|XXL|3XL)\b(?=\s|$|[?.!,])|\b(?:EU|UK|US)\s?\d{1,2}(?:\.5)?\b"
)
_YES = re.compile(
    r"(?i)^\s*(yes|yeah|yep|yup|sure|ok(?:ay)?|please do|go ahead|do it|confirm(?:ed)?|correct|y)\b"
)
_NO = re.compile(r"(?i)^\s*(no|nope|nah|don'?t|do not|cancel that|never ?mind|stop|n)\b")
_CHEAPER = re.compile(r"(?i)\b(cheaper|cheapest|less expensive|lower price|more affordable)\b")


def order_id(text: str) -> str | None:
    m = _ORDER.search(text)
    if not m:
        return None
    return (m.group(1) or f"o{m.group(2)}").lower()


def budget(text: str) -> float | None:
    m = _BUDGET.search(text)
    if not m:
        return None
    return float((m.group(1) or m.group(2)).replace(",", "."))


def colour(text: str) -> str | None:
    low = text.lower()
    for c in sorted(COLOURS, key=len, reverse=True):
        if re.search(rf"\b{c}\b", low):
            return c
    return None


def size(text: str) -> str | None:
    m = _SIZE.search(text)
    if not m:
        return None
    # a lone capital "S"/"M"/"L" only counts with the word size in front ("I'm L" is rare; "a M" is noise)
    if m.group(1) and len(m.group(1)) == 1 and not re.search(r"(?i)\bsize\s+\w$", text[: m.end()]):
        return None
    return m.group(0).split()[-1].upper() if m.group(1) else m.group(0).upper()


def is_yes(text: str) -> bool:
    return bool(_YES.match(text)) and not _NO.match(text)


def is_no(text: str) -> bool:
    return bool(_NO.match(text))


def wants_cheaper(text: str) -> bool:
    return bool(_CHEAPER.search(text))


def _short_with(text: str, *slots: Callable[[str], object]) -> bool:
    """At most four words (of 3+ letters), one of which fills one of these slots."""
    words = re.findall(r"[a-zA-Z]{3,}", text)
    return len(words) <= 4 and any(f(text) is not None for f in slots)


def asks_for_variant(text: str) -> bool:
    """A short message that only names a colour or size ("what about navy?", "in UK 9?"): about
    a variant of the product being discussed, whatever else its few words resemble."""
    return _short_with(text, colour, size)


_ABOUT_IT = re.compile(
    r"(?i)^\W*(?:(?:and|so|but|also|ok|okay|hi|hello)\W+)?"
    r"(?:is|are|does|do|did|will|would|can|could|has|have|was|were|should)\s+"
    r"(?:it|this|these|they|those|that|them|this one|that one)\b"
    r"|^\W*(?:what|which|how|where|who)\b[^?.!]{0,40}?\b(?:does|do|is|are|can|will|would|did)\s+"
    r"(?:it|this|these|they|those|this one)\b"
)


def asks_about_it(text: str) -> bool:
    """A question whose subject is "it", "this" or "these" ("are these nickel free?", "what
    bulb does it take?"): on a product page, a question about that product."""
    return bool(_ABOUT_IT.match(text))


def refines_search(text: str) -> bool:
    """A short message that only adds a budget, colour or size ("under £130 please", "in blue?")."""
    if re.search(r"(?i)\b(it|they|them|this|that|these|those|one)\b", text):
        return False  # "does it come in blue?" asks about the product in focus
    return _short_with(text, budget, colour, size)
