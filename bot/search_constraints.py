"""What an explicit product search asks for, as a filter over products (pure functions).

    c = constraints_of("do you sell hats for kids in navy?", vocabulary)
    c.keep(product)   # category/type word, audience, colour (with synonyms), size

Words of the shop's own category paths and product types ("hats", "hoodies") narrow the
search to products whose category or title has them; "for kids", "men's", "ladies"
to products for that audience (when the shop labels any); a colour to products that come
in it (its common synonyms too: grey/charcoal, navy/dark blue); a size to products sold in
it. The price ceiling is the budget slot (bot/slots.py). "What goes with X" is recognised
by `goes_with`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.fact_asks import COLOUR_SYNONYMS, asks
from bot.shop_words import STOP, words
from bot.shop_words import stem as _stem
from bot.slots import COLOURS
from shop.repository import ProductRecord

AUDIENCES = {
    "kids": (
        "kid",
        "kids",
        "child",
        "children",
        "childrens",
        "boy",
        "boys",
        "girl",
        "girls",
        "baby",
        "toddler",
        "junior",
        "youth",
    ),
    "women": ("woman", "women", "womens", "ladies", "lady", "female"),
    "men": ("man", "men", "mens", "gents", "male"),
}
_AUDIENCE_OF = {w: a for a, ws in AUDIENCES.items() for w in ws}
_GOES_WITH = re.compile(
    r"(?i)\b(?:go(?:es)? (?:well )?with|goes together with|match(?:es)? (?:with )?|pair(?:s)? with"
    r"|to go with|complete the look|accessor(?:y|ies) for|what else (?:do i|should i|would i|to)"
    r"|anything else for|compatible with|works? with)\b"
)
_SIZE = re.compile(r"(?i)\bsize\s+([0-9]{1,2}(?:\.5)?|x{0,3}[sml]|xx?l|one size)\b")
_SALE = re.compile(r"(?i)\b(on sale|in the sale|discounted|reduced|on offer|deals?|markdowns?)\b")
_SHOPPING = re.compile(
    r"(?i)\b(do you (?:sell|have|stock|carry|do|make)|have you got|got any|show me|looking for"
    r"|look(?:ing)? at|i need|i want|i'?m after|searching for|find me|anything (?:in|for|under|with)"
    r"|any \w+ (?:in|for|under|with)|which \w+ (?:are|is) (?:on sale|in stock|available)"
    r"|what \w+ do you (?:have|sell))\b"
)
_PRICE_LIMIT = re.compile(r"(?i)\b(under|below|less than|cheaper than|up to|max(?:imum)?)\b")
_QUESTION = re.compile(r"(?i)(how|what|when|why|where|can|is|are|does|do|will|should)\b")
GENERIC = set(
    [
        "product",
        "products",
        "item",
        "items",
        "thing",
        "things",
        "something",
        "stuff",
        "anything",
        "sell",
        "selling",
        "sold",
        "have",
        "show",
        "looking",
        "look",
        "find",
        "buy",
        "shop",
        "store",
        "need",
        "want",
        "like",
        "good",
        "best",
        "nice",
        "new",
        "cheap",
        "gift",
        "gifts",
        "under",
        "over",
        "below",
        "less",
        "more",
        "than",
        "for",
    ]
)


@dataclass(frozen=True)
class Vocabulary:
    """The shop's own words: category path segments and product-type words of titles."""

    kinds: frozenset[str]  # stemmed words naming kinds of product
    audiences: frozenset[str]  # audiences the shop labels at all

    @classmethod
    def of(cls, products: Iterable[ProductRecord]) -> Vocabulary:
        """Kinds are head words: the last word of each category name ("Hiking Boots" ->
        boot; "Hats & Gloves" -> hat, glove) and of titles when several titles end in it,
        so "hiking boots" filters on boots, not on everything for hiking."""
        kinds: set[str] = set()
        title_heads: dict[str, int] = {}
        audiences: set[str] = set()
        for p in products:
            for segment in re.split(r">|&|/|,|\band\b", p.category):
                ws = [w for w in words(segment) if not w.isdigit()]
                if ws:
                    kinds.add(_stem(ws[-1]))
            tw = [w for w in words(p.title) if not w.isdigit()]
            if tw:
                title_heads[_stem(tw[-1])] = title_heads.get(_stem(tw[-1]), 0) + 1
            audiences |= {_AUDIENCE_OF[w] for w in words(_text(p)) if w in _AUDIENCE_OF}
        kinds |= {w for w, c in title_heads.items() if c >= 2 and len(w) > 2}
        kinds -= set(_AUDIENCE_OF) | set(COLOURS) | GENERIC | STOP
        return cls(frozenset(kinds), frozenset(audiences))


def _text(p: ProductRecord) -> str:
    tags = str(p.attributes.get("tags", ""))
    return f"{p.title} {p.category} {tags}"


def _colours_of(p: ProductRecord) -> str:
    vals = [v for var in p.variants for k, v in var.options.items() if "colo" in k.lower()]
    vals += [str(v) for k, v in p.attributes.items() if "colo" in k.lower()]
    return " ".join([p.title, *vals]).lower()


def _sizes_of(p: ProductRecord) -> list[str] | None:
    vals = [v for var in p.variants for k, v in var.options.items() if "size" in k.lower()]
    vals += [str(v) for k, v in p.attributes.items() if "size" in k.lower()]
    if not vals:
        return None
    return [x.strip().lower() for v in vals for x in re.split(r"[,/]", v) if x.strip()]


@dataclass(frozen=True)
class Constraints:
    kinds: frozenset[str] = frozenset()
    audience: str | None = None
    colour: str | None = None
    size: str | None = None
    on_sale: bool = False
    dropped: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.kinds or self.audience or self.colour or self.size or self.on_sale)

    def keep(self, p: ProductRecord) -> bool:
        text_words = {_stem(w) for w in words(f"{p.title} {p.category}")}
        if self.kinds and not (self.kinds & text_words):
            return False
        if self.audience:
            said = {_AUDIENCE_OF[w] for w in words(_text(p)) if w in _AUDIENCE_OF}
            if self.audience not in said and "unisex" not in _text(p).lower():
                return False
        if self.colour:
            have = _colours_of(p)
            names = (self.colour, *COLOUR_SYNONYMS.get(self.colour, ()))
            if not any(re.search(rf"\b{re.escape(c)}\b", have) for c in names):
                return False
        if self.on_sale and not _on_sale(p):
            return False
        if self.size:
            sizes = _sizes_of(p)
            if sizes is not None and self.size not in sizes:
                return False
        return True

    def relaxed(self) -> Constraints:
        """The same search with colour and size dropped (nothing matched all of it)."""
        return Constraints(self.kinds, self.audience, None, None, self.on_sale, ("colour", "size"))


def constraints_of(text: str, vocab: Vocabulary) -> Constraints:
    ws = words(text)
    kinds = frozenset(_stem(w) for w in ws if _stem(w) in vocab.kinds)
    audience = next((_AUDIENCE_OF[w] for w in ws if w in _AUDIENCE_OF), None)
    if audience is not None and audience not in vocab.audiences:
        audience = None  # the shop labels no product for them: the word cannot filter
    colour = next((c for c in sorted(COLOURS, key=len, reverse=True) if c in ws), None)
    m = _SIZE.search(text)
    sale = bool(_SALE.search(text))
    return Constraints(kinds, audience, colour, m.group(1).lower() if m else None, sale)


def asks_for_products(text: str, vocab: Vocabulary) -> bool:
    """Does the message ask to see products ("do you sell hats?", "t-shirts under £20",
    "anything in yellow?", "music downloads"), whatever the intent head makes of it in a
    shop it was not trained on?"""
    c = constraints_of(text, vocab)
    what = bool(c.kinds or c.colour or c.on_sale)
    if _SHOPPING.search(text) and what:
        return True
    if c.kinds and _PRICE_LIMIT.search(text):
        return True
    if _SHOPPING.search(text) and _PRICE_LIMIT.search(text) and re.search(r"\d", text):
        return True  # "anything under €70?"
    ws = [w for w in words(text) if w not in STOP]
    short = bool(c.kinds or c.colour) and len(ws) <= 3 and not _QUESTION.match(text.strip())
    return short and not asks(text)  # "dreamcatcher necklace price?" asks about one


_OPEN = re.compile(r"(?i)\b(?:anything|something|any)\s+(?:with|in|for|made of|made from)\b")


def open_request(text: str) -> bool:
    """'anything with turquoise?', 'something in linen?': products with a quality the shop's
    categories do not name (the caller checks the catalog has anything like it)."""
    return bool(_OPEN.search(text))


def _on_sale(p: ProductRecord) -> bool:
    if p.sale_price is not None:
        return True
    return any(v.sale_price is not None for v in p.variants)


_FOR_OWNED = re.compile(
    r"(?i)^(?P<want>.*?\b[a-z]{3,}.*?)\s+for\s+(?:my|the|our|his|her|their|your)\s+"
    r"(?P<owned>[^,.?!;]{2,60})"
)


def accessory_for(text: str) -> tuple[str, str] | None:
    """'a case for my ipod nano' -> ('a case', 'ipod nano'): what is wanted, and for what the
    shopper already has (the caller checks that it names a product)."""
    m = _FOR_OWNED.search(text)
    return (m["want"].strip(), m["owned"].strip()) if m else None


def goes_with(text: str) -> bool:
    """'What goes with the trail duffel?', 'I just bought X, what else do I need?'"""
    return bool(_GOES_WITH.search(text))
