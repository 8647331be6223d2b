"""Answering a question about one product from its catalog facts, past answers and description.

Facts first (colour, sizes, material, weight, price, stock are in the catalog and exact),
then a past answer of the shop's team about the same product, then the description
sentences closest to the question. Every answer cites the product page.
"""

from __future__ import annotations

import re

import numpy as np

from bot.answerer import Answer, Answerer
from bot.slots import COLOURS
from bot.types import Citation
from retrieval.chunking import split_sentences
from retrieval.embedder import Embedder
from shop.repository import ProductRecord

PAST_ANSWER_MIN = 0.75
ATTRIBUTE_WORDS = {
    "colour": r"colou?rs?|come in (?:" + "|".join(COLOURS) + r")\b",
    "size": r"sizes?|fit\b",
    "material": r"made of|material|fabric",
    "weight": r"weigh|heavy|weight",
    "price": r"price|cost|how much",
    "stock": r"in stock|available|sold out",
}


def _find(attrs: dict[str, str], *names: str) -> tuple[str, str] | None:
    for key, value in attrs.items():
        if any(n in key.lower() for n in names):
            return key, value
    return None


def _cite(p: ProductRecord, snippet: str) -> Citation:
    return Citation(p.id, p.title, "catalog", snippet)


def fact_answer(p: ProductRecord, question: str) -> Answer | None:
    """An exact answer from the catalog attributes, or None when the question is about something else."""
    q = question.lower()
    asked_colour = next(
        (c for c in sorted(COLOURS, key=len, reverse=True) if re.search(rf"\b{c}\b", q)), None
    )
    for attr, pattern in ATTRIBUTE_WORDS.items():
        if not re.search(pattern, q) and not (attr == "colour" and asked_colour):
            continue
        if attr == "price":
            return Answer(
                f"The {p.title} costs {p.price:.2f}.", [_cite(p, f"price: {p.price:.2f}")]
            )
        if attr == "stock":
            text = (
                f"Yes, the {p.title} is in stock."
                if p.in_stock
                else f"The {p.title} is out of stock at the moment."
            )
            return Answer(text, [_cite(p, f"stock: {p.stock}")])
        found = _find(
            p.attributes,
            {"colour": "colo", "size": "size", "material": "material", "weight": "weight"}[attr],
        )
        if found is None:
            continue
        key, value = found
        if attr == "colour" and asked_colour:
            has = asked_colour in value.lower()
            text = (
                f"Yes, the {p.title} comes in {asked_colour}."
                if has
                else f"No, the {p.title} doesn't come in {asked_colour}; it comes in {value}."
            )
            return Answer(text, [_cite(p, f"{key}: {value}")])
        return Answer(f"The {p.title}: {key} {value}.", [_cite(p, f"{key}: {value}")])
    return None


def answer_about_product(
    p: ProductRecord, question: str, vec: np.ndarray, answerer: Answerer, embedder: Embedder
) -> Answer | None:
    if (fact := fact_answer(p, question)) is not None:
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
    sentences = split_sentences(p.description)
    if not sentences:
        return None
    sims = embedder.encode(sentences) @ vec
    best = int(np.argmax(sims))
    if float(sims[best]) < answerer.min_score:
        return None
    return Answer(
        f"From the product page of the {p.title}: {sentences[best]}", [_cite(p, sentences[best])]
    )
