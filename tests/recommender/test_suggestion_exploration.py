"""Exploration of the served suggestions: off by default (propensity 1), and with a share > 0
each card's logged propensity is the frequency with which that product lands in that slot
(checked against the exact first-slot formula and against repeated real recommendations)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recommender.exploration import _logits, _run, explore, first_slot_probs


def test_off_shows_the_ranking_with_probability_one() -> None:
    order, prop = explore(np.array([3.0, 2.0, 1.0]), 2, 0.0, np.random.default_rng(0))
    assert (order, prop) == ([0, 1], [1.0, 1.0])


def test_first_slot_frequencies_match_the_exact_formula() -> None:
    scores = np.array([2.0, 1.5, 0.3, 0.1, -1.0])
    runs = _run(_logits(scores, 1.0), 3, 0.3, np.random.default_rng(1), 100_000)
    freq = np.bincount(runs[:, 0], minlength=5) / runs.shape[0]
    exact = first_slot_probs(scores, 0.3)
    assert freq == pytest.approx(exact, abs=0.005)
    for j in range(3):  # every slot holds exactly one card, never a repeat
        assert (runs[:, j][:, None] != runs[:, :j]).all()


def test_logged_propensities_are_the_frequencies_of_what_is_shown() -> None:
    scores = np.array([1.0, 0.9, 0.5, 0.2])
    rng = np.random.default_rng(2)
    seen: Counter[tuple[int, int]] = Counter()
    logged: dict[tuple[int, int], float] = {}
    trials = 1500
    for _ in range(trials):
        order, prop = explore(scores, 2, 0.5, rng, n_draws=2000)
        for slot, (i, p) in enumerate(zip(order, prop, strict=True)):
            seen[(i, slot)] += 1
            logged[(i, slot)] = p
    for key, count in seen.items():
        if count > 100:
            assert logged[key] == pytest.approx(count / trials, abs=0.04), key


def test_bad_settings_are_refused() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="share must be in"):
        explore(np.ones(3), 2, 1.5, rng)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        explore(np.ones(3), 2, 0.1, rng, temperature=0)


CATALOG = [
    ("t1", "Ridge 2-person backpacking tent", "Camping > Tents"),
    ("t2", "Family dome tent for 6 people", "Camping > Tents"),
    ("s1", "Compact gas camping stove", "Camping > Stoves"),
    ("s3", "Titanium cooking pot set", "Camping > Cookware"),
    ("b1", "Waterproof leather hiking boots", "Footwear > Boots"),
    ("r1", "Trail running shoes", "Footwear > Trail Shoes"),
    ("j1", "Packable rain jacket", "Clothing > Rain Jackets"),
    ("j3", "Insulated winter parka", "Clothing > Jackets"),
    ("j4", "Softshell hiking jacket", "Clothing > Jackets"),
    ("h1", "Wool beanie hat", "Clothing > Hats"),
]


@pytest.fixture(scope="module")
def small_shop(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> dict[str, Any]:
    from recommender.item_index import ItemIndex
    from retrieval.store import VectorStore
    from shop.repository import ProductRecord, ShopRepository

    root: Path = tmp_path_factory.mktemp("explore")
    repo = ShopRepository.from_url(f"sqlite:///{root / 'shop.db'}")
    store = VectorStore.open(path=root / "chroma")
    products = [ProductRecord(i, t, f"{t}.", c, "Northwind", 50.0, 5, {}) for i, t, c in CATALOG]
    repo.upsert_products(products)
    ItemIndex(embedder, store).index(products)
    return {"repo": repo, "store": store}


def test_the_recommender_logs_what_it_explores(small_shop: dict[str, Any], embedder: Any) -> None:
    from recommender.recommender import Recommender

    def rec(**kw: Any) -> Recommender:
        return Recommender(small_shop["repo"], small_shop["store"], embedder, **kw)

    plain = rec().recommend(None, context="warm jacket for hiking in the rain", k=3)
    assert [s.propensity for s in plain] == [1.0, 1.0, 1.0]
    explorer = rec(exploration=0.3, seed=4)
    shown: Counter[str] = Counter()
    logged: dict[str, float] = {}
    trials = 150
    for _ in range(trials):
        got = explorer.recommend(None, context="warm jacket for hiking in the rain", k=3)
        assert len({s.product.id for s in got}) == 3
        assert all(0 < s.propensity <= 1 for s in got)
        shown[got[0].product.id] += 1
        logged[got[0].product.id] = got[0].propensity
    top = plain[0].product.id
    assert shown[top] / trials == pytest.approx(logged[top], abs=0.1)
    assert len(shown) > 1  # other products do reach the first slot
    never = explorer.recommend(None, context="warm jacket", k=3, exclude_ids=[top])
    assert top not in {s.product.id for s in never}
    with pytest.raises(ValueError, match="exploration must be a share"):
        rec(exploration=2.0)
