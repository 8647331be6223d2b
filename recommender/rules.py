"""Business rules of the suggestions, as pure functions: filters, exclusions, diversity.

    allowed = filter_mask(prices, in_stock, top_categories, Filters(max_price=50))
    picked = pick_diverse(candidates, vectors, categories, k=5, max_per_category=2)

In stock only; purchased items out (configurable, in the Recommender); price range and
top-level category; at most `max_per_category` per category; no near-duplicates (a
candidate whose text vector has cosine > `max_similarity` with an already picked one
is skipped: the same jacket in another colour is not a second suggestion).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

NEAR_DUPLICATE = 0.95
STRENGTH = {"view": 0, "add_to_cart": 1, "purchase": 2}
E = TypeVar("E", bound="HasProductAndType")


class HasProductAndType(Protocol):
    @property
    def product_id(self) -> str: ...
    @property
    def type(self) -> str: ...


@dataclass(frozen=True)
class Filters:
    """Shopper-facing filters applied in the store query."""

    min_price: float | None = None
    max_price: float | None = None
    category: str | None = None  # top-level category, e.g. "Footwear"

    def where(self) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = [{"in_stock": True}]
        if self.min_price is not None:
            clauses.append({"price": {"$gte": float(self.min_price)}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": float(self.max_price)}})
        if self.category:
            clauses.append({"top_category": self.category})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, price: float | None, category: str) -> bool:
        """The same test on one product (category is the full path, "A > B"); an unknown
        price passes no price filter."""
        if price is None:
            return (
                self.min_price is None
                and self.max_price is None
                and (not self.category or category.split(">")[0].strip() == self.category)
            )
        if self.min_price is not None and price < self.min_price:
            return False
        if self.max_price is not None and price > self.max_price:
            return False
        return not self.category or category.split(">")[0].strip() == self.category


def filter_mask(
    prices: np.ndarray, in_stock: np.ndarray, top_categories: Sequence[str], filters: Filters
) -> np.ndarray:
    """Boolean mask of the items that pass the filters and are in stock."""
    ok = np.asarray(in_stock, dtype=bool).copy()
    p = np.asarray(prices, dtype=np.float64)
    if filters.min_price is not None:
        ok &= p >= filters.min_price
    if filters.max_price is not None:
        ok &= p <= filters.max_price
    if filters.category:
        ok &= np.asarray([c == filters.category for c in top_categories], dtype=bool)
    return ok


def is_near_duplicate(
    vec: np.ndarray, picked: Sequence[np.ndarray], max_similarity: float = NEAR_DUPLICATE
) -> bool:
    """True when the unit vector's cosine with any picked unit vector exceeds the threshold."""
    if not len(picked):
        return False
    return bool(np.max(np.stack(list(picked)) @ np.asarray(vec)) > max_similarity)


def pick_diverse(
    candidates: Sequence[str],
    vectors: dict[str, np.ndarray],
    categories: dict[str, str],
    k: int,
    max_per_category: int,
    max_similarity: float = NEAR_DUPLICATE,
) -> list[str]:
    """The first k candidates (in order) that respect the category cap and are no
    near-duplicate of one picked before; candidates without a category are skipped."""
    out: list[str] = []
    per_cat: Counter[str] = Counter()
    picked_vecs: list[np.ndarray] = []
    for c in candidates:
        cat = categories.get(c)
        if cat is None or per_cat[cat] >= max_per_category:
            continue
        v = vectors.get(c)
        if v is not None and is_near_duplicate(v, picked_vecs, max_similarity):
            continue
        out.append(c)
        per_cat[cat] += 1
        if v is not None:
            picked_vecs.append(v)
        if len(out) == k:
            break
    return out


def collapse_history(events: Sequence[E], row_of: Mapping[str, int]) -> list[tuple[int, E]]:
    """The history as the encoder reads it: (catalog row, event) per step, oldest first.
    Events on products outside the catalog are skipped, and consecutive events on one
    product (view, then add to cart) are one step that keeps the strongest event."""
    out: list[tuple[int, E]] = []
    for e in events:
        r = row_of.get(e.product_id)
        if r is None:
            continue
        if out and out[-1][0] == r:
            if STRENGTH.get(e.type, 0) >= STRENGTH.get(out[-1][1].type, 0):
                out[-1] = (r, e)
        else:
            out.append((r, e))
    return out
