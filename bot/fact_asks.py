"""What a shopper's question asks of a product: the kinds of fact (price, stock, colour,
size, weight, material, condition…), and the colour or size it names.

    asks("how much does the 2 m one weigh?")   # ['weight']
    asked_size("do you have it in XL?")        # 'xl'
"""

from __future__ import annotations

import re

from bot.slots import COLOURS

COLOUR_SYNONYMS = {
    "grey": ("gray", "charcoal", "silver"),
    "gray": ("grey", "charcoal", "silver"),
    "navy": ("dark blue", "midnight"),
    "blue": ("navy", "royal", "sky", "teal"),
    "red": ("burgundy", "maroon", "crimson", "wine"),
    "green": ("olive", "khaki", "sage", "forest"),
    "beige": ("sand", "tan", "cream", "stone", "natural"),
    "brown": ("tan", "chocolate", "coffee"),
    "white": ("ivory", "cream", "off-white"),
    "purple": ("violet", "lilac", "plum"),
    "pink": ("rose", "blush"),
}
_ASKS = {
    "price": r"\b(price|cost|costs|how much|expensive|cheap|pay|on sale|discount)\b",
    "stock": r"\b(in stock|available|availability|sold out|out of stock|have any left|back in stock)\b",
    "colour": r"\b(colou?rs?|come in|comes in|shades?|available in)\b",
    "size": r"\b(sizes?|sizing|fits?|length|lengths|waist)\b",
    "weight": r"\b(weigh|weighs|heavy|weight|light(?:weight)?)\b",
    "dimensions": r"\b(dimensions?|how big|how large|measure(?:ments)?|tall|wide|width|height|long|deep|depth)\b",
    "material": r"\b(made of|made from|material|fabric|cotton|leather|wool|polyester|plastic|metal)\b",
    "care": r"\b(wash|washing|washable|clean|care|iron|dry clean|dishwasher)\b",
    "brand": r"\b(brand|who makes|manufacturer|made by)\b",
    "condition": r"\b(new|brand new|used|refurbished|refurb|second[- ]hand|pre-?owned|condition)\b",
    "contents": r"\b(what'?s in|what is in|included|includes?|contains?|comes? with|consists? of|in the (?:box|set|bundle|pack))\b",
}


# attribute keys that hold each kind of fact
def asks(question: str) -> list[str]:
    """The kinds of product fact a question asks for, in the order of _ASKS."""
    q = question.lower()
    kinds = [k for k, pat in _ASKS.items() if re.search(pat, q)]
    if "size" in kinds and "colour" in kinds and not re.search(r"\bcolou?rs?\b", q):
        kinds.remove("colour")  # "what sizes does it come in?"
    price_words = re.search(r"\b(price|cost|costs|expensive|cheap|pay|on sale|discount)\b", q)
    if "price" in kinds and not price_words and {"weight", "dimensions"} & set(kinds):
        kinds.remove("price")  # "how much does it weigh?"
    return kinds


def asked_colour(question: str) -> str | None:
    """The colour a question names ("in navy?"), or None."""
    q = question.lower()
    return next(
        (c for c in sorted(COLOURS, key=len, reverse=True) if re.search(rf"\b{c}\b", q)), None
    )


SIZE_WORDS = {
    "xxs": "xxs",
    "xs": "xs",
    "extra small": "xs",
    "s": "s",
    "small": "s",
    "m": "m",
    "medium": "m",
    "l": "l",
    "large": "l",
    "xl": "xl",
    "extra large": "xl",
    "xxl": "xxl",
    "2xl": "xxl",
    "xxxl": "xxxl",
    "3xl": "xxxl",
}
_ASKED_SIZE = re.compile(
    r"(?i)\bsize\s+([a-z0-9.]+)"
    r"|\b(?:in|an?|the)\s+(xxs|xs|xxl|xxxl|[23]xl|xl|extra large|extra small|small|medium|large"
    r"|[sml]|\d{1,2}(?:\.5)?(?![\d.,]))\b(?!\s*(?:kg|g|cm|mm|m|l|ml|lbs?|oz|in|inch|%|gb|tb|pack|pc|x\b))"
)


def asked_size(question: str) -> str | None:
    """The size a question names ("in XL", "size 28", "a medium"), or None."""
    m = _ASKED_SIZE.search(question)
    if not m:
        return None
    got = (m.group(1) or m.group(2) or "").lower()
    if len(got) == 1 and got in "sml" and not re.search(r"(?i)\bsize\b|\bin [sml]\b", question):
        return None  # "a m…" is noise unless it is plainly a size
    return got
