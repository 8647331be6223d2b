"""Which product a message names: titles whole or in part, typos, SKUs, variant words, the
product page, and asking which one when two fit equally (real SQLite and Chroma)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.product_grounding import ProductGrounder
from bot.shop_words import without_negated
from recommender.item_index import ItemIndex
from shop.repository import ProductRecord, ShopRepository, Variant


def _p(pid: str, title: str, **kw: object) -> ProductRecord:
    return ProductRecord(pid, title, "", "Bags", "Acme", 10.0, None, {}, **kw)  # type: ignore[arg-type]


@pytest.fixture()
def grounder(tmp_path: Path, store, embedder) -> ProductGrounder:  # type: ignore[no-untyped-def]
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    products = [
        _p("tote", "Harbour Tote"),
        _p("pack", "Harbour Backpack"),
        _p("duffel", "Trail Duffel Bag 40L"),
        _p(
            "strap",
            "Camera Strap",
            variants=(
                Variant("ST-15", {"Length": "1.5 m"}, 20.0),
                Variant("ST-20", {"Length": "2 m"}, 22.0),
            ),
        ),
        _p("beanie", "Beanie"),
        _p("beanie-logo", "Beanie with Logo"),
        _p("shure", "Shure SE210 Sound-Isolating Earphones for iPod and iPhone"),
        _p("beach-canvas", "Beach Tote Canvas"),
        _p("beach-jute", "Beach Tote Jute"),
    ]
    repo.upsert_products(products)
    ItemIndex(embedder, store).index(products)
    return ProductGrounder(repo, store)


@pytest.mark.parametrize(
    ("message", "focus", "want", "variant"),
    [
        ("how much is the harbor tote?", None, "tote", None),  # a typo
        ("price of the trail duffel", None, "duffel", None),  # part of the title
        ("is ST-20 in stock?", None, "strap", "ST-20"),  # a variant's SKU
        ("how much is the 2 metre camera strap?", None, "strap", "ST-20"),  # variant words
        ("tell me about the beanie with logo", None, "beanie-logo", None),  # the longer title
        ("shure earphones price?", None, "shure", None),  # rare words of a long title
        ("is this beanie warm?", "beanie-logo", "beanie-logo", None),  # the page stays
        ("and the harbour tote?", "beanie", "tote", None),  # clearly another product
        ("is it waterproof?", "pack", "pack", None),  # nothing named: the page
        ("how much is the beanie (not the one with logo)?", None, "beanie", None),  # ruled out
        ("price of the beach tote, not the canvas one", None, "beach-jute", None),
    ],
)
def test_grounding(
    grounder: ProductGrounder, message: str, focus: str | None, want: str, variant: str | None
) -> None:
    g = grounder.ground(message, None, focus)
    assert g.product is not None and g.product.id == want, g
    assert (g.variant.sku if g.variant else None) == variant


def test_two_equal_fits_ask_which_one(grounder: ProductGrounder) -> None:
    g = grounder.ground("how much is the beach tote?", None, None)
    assert g.ambiguous and {p.id for p in g.candidates[:2]} == {"beach-canvas", "beach-jute"}
    assert not grounder.ground("how much is the beach tote in jute?", None, None).ambiguous


@pytest.mark.parametrize(
    ("message", "rest", "ruled_out"),
    [
        ("how heavy is the macbook (not the air)?", "how heavy is the macbook  )?", {"air"}),
        ("anything except the red one?", "anything   one?", {"red"}),
        ("is it not waterproof?", "is it not waterproof?", set()),  # a question, not a choice
        ("I do not like it", "I do not like it", set()),
    ],
)
def test_what_a_message_rules_out(message: str, rest: str, ruled_out: set[str]) -> None:
    assert without_negated(message) == (rest, ruled_out)


def test_no_product_named(grounder: ProductGrounder) -> None:
    g = grounder.ground("what is your returns policy?", None, None)
    assert g.product is None and not g.named


def test_a_page_named_by_a_variant_sku_resolves_to_its_product(grounder: ProductGrounder) -> None:
    assert grounder.resolve("ST-20") is not None and grounder.resolve("st-20").id == "strap"  # type: ignore[union-attr]
    assert grounder.resolve("tote").id == "tote"  # type: ignore[union-attr]
    assert grounder.resolve("nope") is None
