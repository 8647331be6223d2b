"""Answering a question about one product from its own facts, or saying the page doesn't say.

    answer_about_product(product, variant, "how much is the 2 m one?", vec, answerer, "£")

Structured fields first (price with the shop's currency and any sale price, per variant
when the shopper names one; stock; the options it comes in; attributes such as
material, dimensions, weight, care), then a past answer of the shop's team about the
same product, then the description's sentences and bullet points closest to the
question. A fact the product does not have is never taken from another product: when
the question asks for a field the product lacks, the answer says the product page
doesn't say and offers a person. Every answer cites the product page.
"""

from __future__ import annotations

import re

import numpy as np

from bot.answerer import Answer, Answerer
from bot.fact_asks import COLOUR_SYNONYMS, SIZE_WORDS, asked_colour, asked_size, asks
from bot.passage_units import content_words, units
from bot.passage_units import overlap as overlap_of
from bot.shop_words import words
from bot.types import Citation
from retrieval.embedder import Embedder
from shop.repository import ProductRecord, Variant

PAST_ANSWER_MIN = 0.75
_MEASURE = re.compile(
    r"(?i)\d\s*(?:\"|''|”|in\b|inch|cm\b|mm\b|m\b|ft\b|foot|feet|kg\b|g\b|lbs?\b|oz\b|grams?|litres?|l\b)"
)
DESCRIPTION_MIN = 0.3  # a description sentence this close (cosine + word overlap) answers
_KEYS = {
    "weight": ("weight", "gewicht", "poids"),
    "dimensions": ("dimension", "length", "width", "height", "depth", "size (cm)", "measure"),
    "material": ("material", "fabric", "composition", "made"),
    "care": ("care", "wash", "cleaning"),
    "colour": ("colo",),
    "size": ("size", "length", "waist"),
    "condition": ("condition", "état", "zustand"),
}


def money(amount: float, currency: str, whole: bool = False) -> str:
    """45 -> "£45.00" with a symbol, "45.00 EUR" with a code; `whole`: "£300" for round
    amounts (a budget the shopper named)."""
    c = currency.strip()
    n = f"{amount:,.0f}" if whole and amount == int(amount) else f"{amount:,.2f}"
    if not c:
        return n
    return f"{n} {c}" if c.isalpha() and len(c) > 1 else f"{c}{n}"


def _cite(p: ProductRecord, snippet: str) -> Citation:
    return Citation(p.id, p.title, "catalog", snippet)


def _attr(p: ProductRecord, kind: str) -> tuple[str, str] | None:
    for key, value in p.attributes.items():
        k = key.lower()
        if any(n in k for n in _KEYS.get(kind, (kind,))) and str(value).strip():
            return key, str(value)
    return None


def _option(p: ProductRecord, kind: str) -> tuple[str, list[str]] | None:
    """An option of the variants (Colour: Blue, Green…) of this kind, with its values."""
    names: dict[str, list[str]] = {}
    for v in p.variants:
        for name, value in v.options.items():
            names.setdefault(name, [])
            if value not in names[name]:
                names[name].append(value)
    for name, values in names.items():
        if any(n in name.lower() for n in _KEYS.get(kind, (kind,))):
            return name, values
    return None


_WITHOUT = re.compile(r"(?i)\b(?:without|no|not)\b")


def _narrowed(p: ProductRecord, question: str, option: str) -> tuple[str, list[str]] | None:
    """The values of `option` among the variants that have another option the question
    names ("which colour can I get with the logo?" -> Logo: Yes -> Blue): (what was
    named, the values); None when the question names no other option."""
    asked = content_words(question)
    for other in dict.fromkeys(n for v in p.variants for n in v.options if n != option):
        if not asked & content_words(other):
            continue
        yes = not _WITHOUT.search(question)

        def fits(value: str, yes: bool = yes) -> bool:
            if value.strip().lower() in {"yes", "no"}:
                return (value.strip().lower() == "yes") == yes
            return bool(content_words(value) & asked)

        vs = [v for v in p.variants if fits(v.options.get(other, ""))]
        if not vs:
            continue
        values = list(dict.fromkeys(v.options[option] for v in vs if option in v.options))
        said = f"with {other.lower()}" if yes else f"without {other.lower()}"
        if any(v.options.get(other, "").lower() not in {"yes", "no"} for v in vs):
            said = f"in {other.lower()} {', '.join(dict.fromkeys(v.options[other] for v in vs))}"
        return said, values
    return None


def _price_text(p: ProductRecord, v: Variant | None, currency: str) -> str | None:
    if v is not None and (v.price is not None or v.sale_price is not None):
        name = f"{p.title} ({v.label()})"
        if v.sale_price is not None and v.price is not None and v.sale_price < v.price:
            return (
                f"The {name} is on sale at {money(v.sale_price, currency)} "
                f"(regular price {money(v.price, currency)})."
            )
        return f"The {name} costs {money(v.sale_price or v.price or 0.0, currency)}."
    priced = [x for x in p.variants if x.price is not None]
    if len({(x.sale_price, x.price) for x in priced}) > 1:
        parts = [
            f"{x.label()} {money(x.sale_price if x.sale_price is not None else x.price or 0.0, currency)}"
            for x in priced[:8]
        ]
        return f"The {p.title} costs " + "; ".join(parts) + "."
    if p.sale_price is not None and p.price is not None and p.sale_price < p.price:
        return (
            f"The {p.title} is on sale at {money(p.sale_price, currency)} "
            f"(regular price {money(p.price, currency)})."
        )
    price = p.current_price
    return None if price is None else f"The {p.title} costs {money(price, currency)}."


def _stock_text(p: ProductRecord, v: Variant | None) -> str | None:
    if v is not None and v.stock is None:
        return None  # the export does not say for this variant
    if v is not None and v.stock is not None:
        name = f"{p.title} ({v.label()})"
        return f"Yes, the {name} is in stock." if v.stock > 0 else f"The {name} is sold out."
    if p.variants and any(x.stock is not None for x in p.variants):
        have = [x.label() for x in p.variants if x.stock is None or x.stock > 0]
        if not have:
            return f"The {p.title} is sold out at the moment."
        if len(have) == len(p.variants):
            return f"Yes, the {p.title} is in stock."
        return f"The {p.title} is in stock in: {', '.join(have)}."
    if p.stock is None:
        return None
    return (
        f"Yes, the {p.title} is in stock."
        if p.stock > 0
        else f"The {p.title} is out of stock at the moment."
    )


def _has_value(values: list[str], wanted: str) -> str | None:
    for value in values:
        low = value.lower()
        if re.search(rf"\b{re.escape(wanted)}\b", low):
            return value
    return None


def _split(value: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,/|]", value) if x.strip()] or [value]


def _size_match(values: list[str], wanted: str) -> str | None:
    want = SIZE_WORDS.get(wanted, wanted)
    for v in values:
        low = v.strip().lower()
        bare = re.sub(r"^(?:uk|eu|us|fr|it|size)\s*", "", low)  # "UK 7" is a size 7
        if want in {low, bare} or SIZE_WORDS.get(low, low) == want:
            return v.strip()
    return None


def fact_answer(
    p: ProductRecord, question: str, variant: Variant | None = None, currency: str = ""
) -> Answer | None:
    """An exact answer from the product's fields, a "doesn't say" (grounded=False), or None
    when the question asks for no field."""
    kinds = asks(question)
    colour = asked_colour(question)
    if colour and "colour" not in kinds:
        kinds.append("colour")
    sized = asked_size(question) is not None and "price" not in kinds  # "how much in size 7?"
    if sized and (_option(p, "size") or _attr(p, "size")):
        # "do you have it in XL?", "available in a medium?": a size question first
        kinds = [
            "size",
            *(
                k
                for k in kinds
                if k not in {"size", "stock", "colour"} or (k == "colour" and colour)
            ),
        ]
    for kind in kinds:
        if kind == "price":
            text = _price_text(p, variant, currency)
            if text is not None:
                return Answer(text, [_cite(p, text)])
            continue
        if kind == "stock":
            text = _stock_text(p, variant)
            if text is not None:
                return Answer(text, [_cite(p, text)])
            continue
        if kind == "brand" and p.brand:
            return Answer(f"The {p.title} is made by {p.brand}.", [_cite(p, f"brand: {p.brand}")])
        if kind in {"colour", "size"}:
            opt = _option(p, kind)
            attr = _attr(p, kind)
            name, values = opt if opt else (attr[0], _split(attr[1])) if attr else ("", [])
            if not values:
                continue
            listed = ", ".join(values)
            if kind == "colour" and colour:
                found = _has_value(values, colour) or next(
                    (
                        v
                        for syn in COLOUR_SYNONYMS.get(colour, ())
                        if (v := _has_value(values, syn))
                    ),
                    None,
                )
                text = (
                    f"Yes, the {p.title} comes in {found}."
                    if found
                    else f"No, the {p.title} doesn't come in {colour}; it comes in {listed}."
                )
                return Answer(text, [_cite(p, f"{name}: {listed}")])
            if opt and (narrow := _narrowed(p, question, name)) and narrow[1]:
                said, only = narrow
                ends = "" if len(only) == len(values) else " only"
                text = f"The {p.title} {said} comes in {name.lower()} {', '.join(only)}{ends}."
                return Answer(text, [_cite(p, f"{name}: {listed}")])
            if kind == "size" and (wanted := asked_size(question)) is not None:
                have = _size_match(values, wanted)
                text = (
                    f"Yes, the {p.title} comes in {name.lower()} {have}."
                    if have
                    else f"No, the {p.title} doesn't come in {name.lower()} {wanted}; "
                    f"it comes in {listed}."
                )
                return Answer(text, [_cite(p, f"{name}: {listed}")])
            return Answer(
                f"The {p.title} comes in {name.lower()}: {listed}.", [_cite(p, f"{name}: {listed}")]
            )
        if (found_attr := _attr(p, kind)) is not None:
            key, value = found_attr
            return Answer(f"The {p.title}: {key} {value}.", [_cite(p, f"{key}: {value}")])
    return None


def _description_answer(
    p: ProductRecord, question: str, vec: np.ndarray, embedder: Embedder
) -> Answer | None:
    """The description sentence or bullet point that answers the question best."""
    found = [t for t, _ in units(p.description) if len(t) > 2]
    found += [f"{k}: {v}" for k, v in p.attributes.items() if k.lower() != "tags"]
    if not found:
        return None
    # what is asked, without the product's name ("where is the gemstone necklace made" ->
    # "where is the made"): the name matches every sentence of its own page
    ask = ask_text(question, p)
    ask_vec = embedder.encode_one(ask) if ask.strip() and ask != question.lower() else vec
    sims = embedder.encode(found) @ ask_vec
    overlap = overlap_of(ask, found)
    kinds = asks(question)
    measured = np.array([bool(_MEASURE.search(t)) for t in found], dtype=np.float32)
    wants_measure = bool({"weight", "dimensions"} & set(kinds))
    score = sims + 0.3 * overlap + (0.3 * measured if wants_measure else 0.0)
    best = int(np.argmax(score))
    if float(score[best]) < DESCRIPTION_MIN + 0.1:
        return None
    if wants_measure and not measured[best]:  # a length or weight needs a number
        return None
    return Answer(f"From the product page of the {p.title}: {found[best]}", [_cite(p, found[best])])


def ask_text(question: str, p: ProductRecord) -> str:
    """The question without the product's name: what is asked about it."""
    title = set(words(p.title))
    return " ".join(w for w in words(question) if w not in title)


def policy_fact(p: ProductRecord, question: str) -> Answer | None:
    """A fact of the product a shop-policy question turns on ("is there extra shipping on
    this?" and the product's "Additional shipping cost: 20"): an attribute whose name shares
    a word with the question, other than the product's own name."""
    asked = content_words(question) - content_words(p.title)
    for key, value in p.attributes.items():
        if key.lower() == "tags" or not str(value).strip():
            continue
        if asked & content_words(key):
            text = f"For the {p.title}: {key} {value}."
            return Answer(text, [_cite(p, f"{key}: {value}")])
    return None


def doesnt_say(p: ProductRecord, what: str) -> Answer:
    """The honest answer to a question about a field the product does not have."""
    return Answer(
        f"The product page of the {p.title} doesn't say{f' ({what})' if what else ''}, and I'd "
        "rather not guess. Shall I connect you with a person from our team who can check?",
        [],
        False,
        "none",
    )


def answer_about_product(
    p: ProductRecord,
    question: str,
    vec: np.ndarray,
    answerer: Answerer,
    embedder: Embedder,
    variant: Variant | None = None,
    currency: str = "",
) -> Answer | None:
    """The answer from this product's own facts; None when nothing of it fits (the caller
    may then look in the shop's policies, never in another product's facts)."""
    if (fact := fact_answer(p, question, variant, currency)) is not None:
        return fact
    if answerer.qa_history is not None:
        past = answerer.qa_history.retrieve(
            question, top_k=1, where={"product_id": p.id}, vector=vec
        )
        if past and past[0].score >= PAST_ANSWER_MIN:
            text = str(past[0].metadata.get("answer", ""))
            return Answer(
                text,
                [
                    _cite(p, text),
                    Citation(
                        past[0].id,
                        f"Answered before by our team: {past[0].text}",
                        "qa-history",
                        text,
                    ),
                ],
                True,
                "qa_reuse",
            )
    if (desc := _description_answer(p, question, vec, embedder)) is not None:
        return desc
    # colour and size questions may be about the variants; "is it new?" is asked of
    # products whose shop lists no condition at all
    kinds = [k for k in asks(question) if k not in {"colour", "size", "condition"}]
    if kinds:  # it asked for a field this product does not have
        return doesnt_say(p, kinds[0])
    return None
