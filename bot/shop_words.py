"""The words of a shop's text as shopmate compares them: lower case, units glued to their
numbers ("2 metres" -> "2m"), hyphenated words joined ("v-neck" -> "vneck"), plurals made
singular, stop words known, and what a message rules out ("not the air").

    words("The 2 metre V-neck straps")   # ['the', '2m', 'vneck', 'straps']
    stem("straps")                        # 'strap'
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
STOP = set(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "with",
        "in",
        "on",
        "to",
        "by",
        "at",
        "from",
        "is",
        "it",
        "its",
        "this",
        "that",
        "my",
        "our",
        "your",
        "you",
        "i",
        "me",
        "we",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "will",
        "be",
        "are",
        "was",
        "how",
        "much",
        "what",
        "which",
        "when",
        "where",
        "who",
        "any",
        "some",
        "have",
        "has",
        "there",
        "price",
        "cost",
        "costs",
        "size",
        "sizes",
        "colour",
        "color",
        "one",
        "ones",
        "version",
        "please",
        "about",
        "tell",
        "much",
        "many",
        "get",
        "got",
        "need",
        "want",
        "buy",
    ]
)
_UNITS = {
    "metres": "m",
    "metre": "m",
    "meters": "m",
    "meter": "m",
    "feet": "ft",
    "foot": "ft",
    "inches": "in",
    "inch": "in",
    "litres": "l",
    "litre": "l",
    "liters": "l",
    "liter": "l",
    "centimetres": "cm",
    "centimeters": "cm",
    "millimetres": "mm",
    "kilograms": "kg",
    "grams": "g",
    "ounces": "oz",
    "ounce": "oz",
    "pounds": "lb",
    "lbs": "lb",
}


def norm(text: str) -> str:
    """Lower case, units glued to their numbers ("2 m", "2 metres" -> "2m", 8' -> 8ft)."""
    t = text.lower().replace("\u2019", "'")
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", "", t)  # v-neck / t-shirt -> vneck / tshirt
    t = re.sub(r"(\d)\s*(?:''|\"|”)", r"\1in", t)
    t = re.sub(r"(\d)\s*'", r"\1ft", t)
    t = re.sub(
        r"(\d(?:[.,]\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b",
        lambda m: m.group(1) + _UNITS[m.group(2)],
        t,
    )
    t = re.sub(r"(\d(?:[.,]\d+)?)\s+(m|cm|mm|ft|in|l|ml|kg|g|oz|lb|gb|tb|w|v)\b", r"\1\2", t)
    return t


def words(text: str) -> list[str]:
    return _WORD.findall(norm(text))


def stem(w: str) -> str:
    """Plural to singular, lightly: hats -> hat, accessories -> accessory, boxes -> box,
    necklaces -> necklace, covers -> cover (glass and dress stay)."""
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if re.search(r"(?:s|x|z|ch|sh)es$", w) and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


_NOT = re.compile(
    r"(?i)(?:\bnot\s+(?:the|a|an|my)\s+|[(,]\s*not\s+(?:the\s+|a\s+|an\s+)?"
    r"|\b(?:except|other than|apart from|rather than|instead of)\s+(?:the\s+|a\s+|an\s+|my\s+)?)"
    r"([a-z0-9][\w\- ]{0,30}?)\s*(?=[),.;!?]|$|\s+(?:but|please|one)\b)"
)


def without_negated(text: str) -> tuple[str, set[str]]:
    """The message without what it rules out, and the words ruled out: "the macbook (not
    the air)" -> ("the macbook ()", {"air"})."""
    ruled: set[str] = set()
    for m in _NOT.finditer(text):
        ruled |= {w for w in words(m.group(1)) if w not in STOP}
    return _NOT.sub(" ", text), ruled
