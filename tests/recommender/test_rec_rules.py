"""Business rules of the suggestions, with and without the trained encoder, on a small real shop."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from recommender.rules import (
    Filters,
    collapse_history,
    filter_mask,
    is_near_duplicate,
    pick_diverse,
)
from shopmate.models import minilm_path

# (id, title, category, price, stock, colour)
CATALOG = [
    ("t1", "Ridge 2-person backpacking tent", "Camping > Tents", 199.0, 5, "green"),
    ("t2", "Family dome tent for 6 people", "Camping > Tents", 299.0, 3, "blue"),
    ("t3", "Ultralight solo trekking tent", "Camping > Tents", 249.0, 0, "grey"),
    ("t4", "Pop-up beach shelter tent", "Camping > Tents", 59.0, 7, "orange"),
    ("s1", "Compact gas camping stove", "Camping > Stoves", 49.0, 9, "silver"),
    ("s2", "Wood burning camp stove", "Camping > Stoves", 79.0, 4, "black"),
    ("s3", "Titanium cooking pot set", "Camping > Cookware", 65.0, 6, "grey"),
    ("b1", "Waterproof leather hiking boots", "Footwear > Boots", 149.0, 8, "brown"),
    ("b2", "Lightweight hiking boots", "Footwear > Boots", 119.0, 2, "grey"),
    ("b3", "Winter snow boots", "Footwear > Boots", 99.0, 0, "black"),
    ("r1", "Trail running shoes", "Footwear > Trail Shoes", 89.0, 5, "red"),
    ("r2", "Cushioned road running shoes", "Footwear > Running Shoes", 95.0, 5, "white"),
    ("j1", "Packable rain jacket", "Clothing > Rain Jackets", 69.0, 10, "red"),
    ("j2", "Packable rain jacket", "Clothing > Rain Jackets", 69.0, 10, "blue"),
    ("j3", "Insulated winter parka", "Clothing > Jackets", 189.0, 3, "navy"),
    ("j4", "Softshell hiking jacket", "Clothing > Jackets", 129.0, 4, "green"),
]


def test_filter_mask_hand_case() -> None:
    prices = np.array([10.0, 50.0, 90.0, 50.0])
    stock = np.array([True, True, True, False])
    cats = ["A", "B", "A", "A"]
    assert filter_mask(prices, stock, cats, Filters()).tolist() == [True, True, True, False]
    f = Filters(min_price=20, max_price=90, category="A")
    assert filter_mask(prices, stock, cats, f).tolist() == [False, False, True, False]
    assert Filters(max_price=60).accepts(60.0, "A > x") and not Filters(category="B").accepts(
        1, "A"
    )


def test_near_duplicates_and_category_caps_hand_case() -> None:
    a, a2, b = np.array([1.0, 0.0]), np.array([0.99, 0.141]), np.array([0.6, 0.8])
    assert is_near_duplicate(a2, [a]) and not is_near_duplicate(b, [a])
    assert not is_near_duplicate(a, [])
    vecs = {"x": a, "x2": a2, "y": b, "z": np.array([0.0, 1.0])}
    cats = {"x": "c1", "x2": "c2", "y": "c1", "z": "c1"}
    # x2 is a near-duplicate of x; z would be the third of c1
    assert pick_diverse(["x", "x2", "y", "z"], vecs, cats, k=5, max_per_category=2) == ["x", "y"]
    assert pick_diverse(["x", "x2", "y"], vecs, cats, k=1, max_per_category=2) == ["x"]
    # a stricter threshold would allow both; a category-less candidate is skipped
    assert pick_diverse(["x", "x2", "w"], vecs, cats, 5, 2, max_similarity=0.999) == ["x", "x2"]


def test_history_steps_collapse_repeats_and_keep_the_strongest_event() -> None:
    from datetime import UTC, datetime

    from shop.repository import EventRecord

    now = datetime.now(UTC)
    ev = [
        EventRecord("u", p, t, now)
        for p, t in [
            ("a", "view"),
            ("a", "add_to_cart"),
            ("x", "view"),
            ("b", "view"),
            ("a", "view"),
        ]
    ]
    got = collapse_history(ev, {"a": 0, "b": 1})  # x is not in the catalog
    assert [(r, e.type) for r, e in got] == [(0, "add_to_cart"), (1, "view"), (0, "view")]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A 16-product shop in SQLite and Chroma, and an encoder trained on its shoppers."""
    from finetune.user_encoder import UserEncoderConfig, train_user_encoder
    from recommender.data import write_rec_data
    from recommender.item_index import ItemIndex, product_text
    from retrieval.store import VectorStore
    from shop.repository import ProductRecord, ShopRepository

    root = tmp_path_factory.mktemp("rules")
    repo = ShopRepository.from_url(f"sqlite:///{root / 'shop.db'}")
    store = VectorStore.open(path=root / "chroma")
    products = [
        ProductRecord(
            i,
            t,
            f"{t}, a sturdy {c.split('>')[-1].strip().lower()[:-1]}.",
            c,
            "Northwind",
            p,
            s,
            {"colour": col},
        )
        for i, t, c, p, s, col in CATALOG
    ]
    repo.upsert_products(products)
    index = ItemIndex(embedder, store)
    index.index(products)
    rng = random.Random(3)
    by_top: dict[str, list[str]] = {}
    for p in products:
        by_top.setdefault(p.category.split(">")[0].strip(), []).append(p.id)
    seqs = {f"s{u}": rng.sample(ids, len(ids)) for u, ids in enumerate(list(by_top.values()) * 30)}
    data = write_rec_data(root / "rec", [(p.id, product_text(p)) for p in products], seqs)
    cfg = UserEncoderConfig(
        data=data,
        embedder_path=minilm_path(),
        out=root / "art",
        members=1,
        dim=32,
        layers=1,
        epochs=3,
        progress=False,
    )
    yield {
        "repo": repo,
        "store": store,
        "index": index,
        "products": products,
        "artifact": train_user_encoder(cfg),
    }


def recommender(shop: dict[str, Any], embedder: Any, kind: str, **kw: Any) -> Any:  # type: ignore[no-untyped-def]
    from recommender.rec_model import RecModel
    from recommender.recommender import Recommender

    model = RecModel.load(shop["artifact"]) if kind == "encoder" else None
    return Recommender(shop["repo"], shop["store"], embedder, model=model, **kw)


KINDS = ["mean", "encoder"]


@pytest.mark.parametrize("kind", KINDS)
def test_only_in_stock_and_no_near_duplicates(shop, embedder, kind: str) -> None:  # type: ignore[no-untyped-def]
    rec = recommender(shop, embedder, kind)
    got = rec.recommend(None, context="ultralight solo trekking tent", k=5)
    ids = [s.product.id for s in got]
    assert "t3" not in ids and all(s.product.in_stock for s in got)
    jackets = rec.recommend(None, context="packable rain jacket", k=5)
    ids = [s.product.id for s in jackets]
    assert ("j1" in ids) != ("j2" in ids), ids  # the same jacket in another colour is skipped
    assert max(Counter(s.product.category for s in jackets).values()) <= 2


def test_the_colour_variants_are_near_duplicates(embedder) -> None:  # type: ignore[no-untyped-def]
    from recommender.item_index import product_text
    from shop.repository import ProductRecord

    a, b = (
        ProductRecord(
            "x",
            "Packable rain jacket",
            "Packable rain jacket, a sturdy rain jacket.",
            "Clothing > Rain Jackets",
            "Northwind",
            69.0,
            1,
            {"colour": c},
        )
        for c in ("red", "blue")
    )
    va, vb = embedder.encode([product_text(a), product_text(b)])
    assert float(va @ vb) > 0.95


@pytest.mark.parametrize("kind", KINDS)
def test_purchases_are_excluded_unless_configured(shop, embedder, kind: str) -> None:  # type: ignore[no-untyped-def]
    user = f"buyer-{kind}"
    shop["repo"].add_event(user, "b1", "purchase")
    ids = [
        s.product.id
        for s in recommender(shop, embedder, kind).recommend(
            user, context="waterproof leather hiking boots", k=5
        )
    ]
    assert "b1" not in ids
    keep = recommender(shop, embedder, kind, exclude_purchased=False)
    ids = [
        s.product.id for s in keep.recommend(user, context="waterproof leather hiking boots", k=5)
    ]
    assert "b1" in ids


@pytest.mark.parametrize("kind", KINDS)
def test_price_and_category_filters(shop, embedder, kind: str) -> None:  # type: ignore[no-untyped-def]
    from recommender.recommender import Filters as ReExported

    assert ReExported is Filters
    user = f"filters-{kind}"
    shop["repo"].add_event(user, "t1", "view")
    rec = recommender(shop, embedder, kind)
    cheap = rec.recommend(user, k=5, filters=Filters(max_price=100))
    assert cheap and all(s.product.price <= 100 for s in cheap)
    feet = rec.recommend(
        user,
        context="something for walking",
        k=5,
        filters=Filters(category="Footwear", min_price=90),
    )
    assert feet and all(
        s.product.category.startswith("Footwear") and s.product.price >= 90 for s in feet
    )
    assert all(s.product.in_stock for s in feet)  # b3 (99, out of stock) never shows


def test_encoder_personal_lists_follow_the_history_and_explain(shop, embedder) -> None:  # type: ignore[no-untyped-def]
    rec = recommender(shop, embedder, "encoder")
    user = "camper"
    shop["repo"].add_event(user, "t1", "view")
    shop["repo"].add_event(user, "s1", "add_to_cart")
    got = rec.recommend(user, k=3)
    assert len(got) == 3 and not {"t1", "s1"} & {s.product.id for s in got}
    assert sum(s.product.category.startswith("Camping") for s in got) >= 2
    titles = {"Ridge 2-person backpacking tent", "Compact gas camping stove"}
    assert all(any(s.reason.endswith(t) for t in titles) for s in got), [s.reason for s in got]


def test_new_products_are_recommendable_without_retraining(shop, embedder) -> None:  # type: ignore[no-untyped-def]
    from shop.repository import ProductRecord

    rec = recommender(shop, embedder, "encoder")
    rec.warm_up()
    new = ProductRecord(
        "n1",
        "Insulated camping hammock",
        "Insulated camping hammock for two, a sturdy hammock.",
        "Camping > Hammocks",
        "Northwind",
        89.0,
        4,
        {"colour": "olive"},
    )
    shop["repo"].upsert_products([new])
    shop["index"].index([new])
    got = rec.recommend(None, context="camping hammock", k=3)
    assert got[0].product.id == "n1"
    snap = rec._snapshot()
    assert snap.catalog.art[snap.row["n1"]] == -1  # unknown to the artifact: text only
    user = "hammock-fan"
    shop["repo"].add_event(user, "n1", "view")
    personal = rec.recommend(user, k=3)
    assert len(personal) == 3 and all(
        "Insulated camping hammock" in s.reason or s.reason.startswith("popular") for s in personal
    )


def test_the_query_blends_in_and_says_so(shop, embedder) -> None:  # type: ignore[no-untyped-def]
    rec = recommender(shop, embedder, "encoder")
    user = "hiker"
    shop["repo"].add_event(user, "t1", "view")
    asked = rec.recommend(user, query="waterproof rain jacket", k=3)
    assert asked and asked[0].reason == "matches what you asked for"
    assert asked == rec.recommend(user, context="waterproof rain jacket", k=3)
    with pytest.raises(ValueError, match="not both"):
        rec.recommend(user, context="tent", query="jacket")
