"""The served answer path on shop text it was not written for: which page section is
quoted, what a list keeps, facts of the product a policy question turns on, options that
narrow other options, "it" on a product page and "a case for my X"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answerer import Answerer
from bot.policy import Signals, decide
from bot.product_answers import fact_answer, policy_fact
from bot.search_constraints import accessory_for
from bot.slots import asks_about_it
from bot.state import DialogueState
from retrieval.chunking import Passage
from retrieval.retriever import KnowledgeRetriever
from shop.repository import ProductRecord, Variant

RETURNS = """# Returns

## What cannot be returned

- Pierced earrings, for hygiene reasons.
- Gift cards.

## Gifts

If you received an item as a gift, you can return it within 30 days with the gift receipt.
You will receive store credit for the value of the item.

## Downloads

Several goods are exempt. Perfume cannot be returned either.

Additional non-returnable items:

- Downloadable music
- Software licences
"""


@pytest.fixture()
def answerer(store, embedder, tmp_path: Path) -> Answerer:  # type: ignore[no-untyped-def]
    from retrieval.chunking import chunk_markdown
    from retrieval.ingest import Ingestor

    passages: list[Passage] = chunk_markdown(RETURNS, source="kb/returns.md")
    Ingestor(embedder, store).ingest(passages, "knowledge")
    return Answerer(embedder, KnowledgeRetriever(embedder, store, "knowledge"))


def test_the_section_whose_sentence_answers_is_quoted(answerer: Answerer) -> None:
    # the whole "What cannot be returned" section is as close as "Gifts" ("gift cards"),
    # but only the Gifts section has a sentence that answers
    a = answerer.answer("I got a necklace as a gift, can I return it?")
    assert a.grounded and "store credit" in a.text and a.citations[0].title.endswith("Gifts")


def test_a_quoted_list_keeps_its_lead_in(answerer: Answerer) -> None:
    a = answerer.answer("can I return downloadable music?")
    assert "Additional non-returnable items:" in a.text and "- Downloadable music" in a.text


def test_a_policy_question_brings_the_products_own_fact() -> None:
    folio = ProductRecord(
        "f", "Leather Folio", "", "Cases", "", 20.0, 3, {"Additional shipping cost": "20"}
    )
    own = policy_fact(folio, "is there extra shipping on this?")
    assert own is not None and "Additional shipping cost 20" in own.text
    assert policy_fact(folio, "do you take PayPal?") is None
    assert policy_fact(folio, "is the leather folio returnable?") is None  # its name is no fact


def test_one_option_narrows_another() -> None:
    hoodie = ProductRecord(
        "h",
        "Hoodie",
        "",
        "Hoodies",
        "",
        45.0,
        None,
        {},
        variants=(
            Variant("h-red", {"Color": "Red", "Logo": "No"}, 45.0),
            Variant("h-blue", {"Color": "Blue", "Logo": "No"}, 45.0),
            Variant("h-blue-logo", {"Color": "Blue", "Logo": "Yes"}, 45.0),
        ),
    )
    a = fact_answer(hoodie, "which colour can I get with the logo?")
    assert a is not None and a.text == "The Hoodie with logo comes in color Blue only."
    b = fact_answer(hoodie, "which colours come without the logo?")
    assert b is not None and "Red, Blue" in b.text and "only" not in b.text
    c = fact_answer(hoodie, "which colours does it come in?")
    assert c is not None and "Red, Blue" in c.text


@pytest.mark.parametrize(
    ("text", "about_it"),
    [
        ("are these nickel free?", True),
        ("what bulb does it take?", True),
        ("and is this one waterproof?", True),
        ("is there a store in Lyon?", False),
        ("what do you sell?", False),
    ],
)
def test_questions_about_it(text: str, about_it: bool) -> None:
    assert asks_about_it(text) is about_it


def test_on_a_product_page_a_question_about_it_is_not_a_search() -> None:
    scores = dict.fromkeys(("product_search", "product_question", "shipping"), 0.0)
    scores["product_search"] = 0.9
    page = DialogueState("s", product_in_focus="p1")
    asked = Signals(scores, 0.0, 0.7, 0.1, asks_for_products=True, asks_about_it=True)
    assert decide(page, asked) == "answer"
    plain = Signals(scores, 0.0, 0.7, 0.1, asks_for_products=True)
    assert decide(page, plain) == "search"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("a case for my ipod nano", ("a case", "ipod nano")),
        ("do you have a strap for the Harbour Tote?", ("do you have a strap", "Harbour Tote")),
        ("a gift for under 20", None),
    ],
)
def test_what_is_wanted_for_what_the_shopper_has(text: str, want: tuple[str, str] | None) -> None:
    assert accessory_for(text) == want
