"""Personal product suggestions: the user's vector, the conversation, business rules, reasons.

    rec = Recommender(repo, store, embedder)
    for s in rec.recommend("u0001", context="rain jacket for hiking", k=4):
        print(s.product.title, s.reason)

Scoring: cosine between an item's text vector and a query vector that blends the
conversation (what the shopper asks for now) with the user's vector (what they
did before). A shopper with neither gets what is popular. Rules: in stock only,
already-purchased items excluded, at most `max_per_category` per category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from recommender.item_index import PRODUCTS
from recommender.user_vector import event_weights, top_contributor, user_vector
from retrieval.embedder import Embedder
from retrieval.store import VectorStore
from shop.repository import ProductRecord, ShopRepository

ASKED = "matches what you asked for"
POPULAR = "popular with other shoppers"


@dataclass(frozen=True)
class Suggestion:
    product: ProductRecord
    score: float
    reason: str


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


class Recommender:
    """Ranks in-stock products for a shopper, updated at once by new events."""

    def __init__(
        self,
        repo: ShopRepository,
        store: VectorStore,
        embedder: Embedder,
        collection: str = PRODUCTS,
        history_limit: int = 50,
        half_life_days: float = 14.0,
        context_weight: float = 0.7,
        max_per_category: int = 2,
        exclude_purchased: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if history_limit <= 0:
            raise ValueError(f"history_limit must be > 0, got {history_limit}")
        if not 0.0 <= context_weight <= 1.0:
            raise ValueError(f"context_weight must be in [0, 1], got {context_weight}")
        if max_per_category <= 0:
            raise ValueError(f"max_per_category must be > 0, got {max_per_category}")
        self.repo, self.store, self.embedder = repo, store, embedder
        self.collection = collection
        self.history_limit = history_limit
        self.half_life_days = half_life_days
        self.context_weight = context_weight
        self.max_per_category = max_per_category
        self.exclude_purchased = exclude_purchased
        self.clock = clock

    def recommend(
        self,
        user_id: str | None,
        context: str | None = None,
        k: int = 5,
        filters: Filters | None = None,
    ) -> list[Suggestion]:
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        filters = filters or Filters()
        events = self.repo.recent_events(user_id, self.history_limit) if user_id else []
        hist_ids = [e.product_id for e in events]
        hist_vecs_by_id = self.store.get_embeddings(self.collection, sorted(set(hist_ids)))
        kept = [e for e in events if e.product_id in hist_vecs_by_id]
        now = self.clock()
        weights = event_weights(
            [e.type for e in kept],
            [(now - e.ts).total_seconds() / 86400 for e in kept],
            self.half_life_days,
        )
        hist_vecs = (
            np.stack([hist_vecs_by_id[e.product_id] for e in kept]) if kept else np.zeros((0, 1))
        )
        uvec = user_vector(hist_vecs, weights) if kept else None
        cvec = self.embedder.encode_one(context) if context and context.strip() else None

        exclude: set[str] = set()
        if user_id and self.exclude_purchased:
            exclude |= self.repo.purchased_ids(user_id)
        if cvec is None:
            exclude |= set(hist_ids)  # pure recommendations: show something new

        q: np.ndarray | None
        if cvec is not None and uvec is not None:
            q = self.context_weight * cvec + (1 - self.context_weight) * uvec
            q = q / (np.linalg.norm(q) or 1.0)
        else:
            q = cvec if cvec is not None else uvec

        picked: list[Suggestion] = []
        if q is not None:
            n = self.store.count(self.collection)
            hits = (
                self.store.query(
                    self.collection, q, k=min(n, k * 4 + len(exclude)), where=filters.where()
                )
                if n
                else []
            )
            ids = [h.id for h in hits if h.id not in exclude]
            cand_vecs = self.store.get_embeddings(self.collection, ids)
            products = self.repo.get_products(ids)
            per_cat: Counter[str] = Counter()
            score_of = {h.id: h.score for h in hits}
            for pid in ids:
                p = products.get(pid)
                if p is None or not p.in_stock or per_cat[p.category] >= self.max_per_category:
                    continue
                reason = self._reason(
                    cand_vecs[pid], cvec, uvec, hist_vecs, weights, kept, products
                )
                picked.append(Suggestion(p, score_of[pid], reason))
                per_cat[p.category] += 1
                if len(picked) == k:
                    return picked
        if (
            cvec is None
        ):  # fill up with popular items only when the shopper did not ask for something
            picked += self._popular(
                k - len(picked), exclude | {s.product.id for s in picked}, filters
            )
        return picked

    def catalog_match(self, vector: np.ndarray) -> float:
        """Similarity of the best in-stock catalog match: does the shop sell anything like this?"""
        if self.store.count(self.collection) == 0:
            return 0.0
        hits = self.store.query(self.collection, vector, k=1, where=Filters().where())
        return hits[0].score if hits else 0.0

    def _reason(
        self,
        item: np.ndarray,
        cvec: np.ndarray | None,
        uvec: np.ndarray | None,
        hist_vecs: np.ndarray,
        weights: np.ndarray,
        kept: list[Any],
        products: dict[str, ProductRecord],
    ) -> str:
        if uvec is None or (cvec is not None and float(item @ cvec) >= float(item @ uvec)):
            return ASKED
        src = kept[top_contributor(item, hist_vecs, weights)]
        title = products.get(src.product_id) or self.repo.get_product(src.product_id)
        verb = {"purchase": "bought", "add_to_cart": "added to your cart"}.get(src.type, "viewed")
        return f"because you {verb} {title.title if title else src.product_id}"

    def _popular(self, k: int, exclude: set[str], filters: Filters) -> list[Suggestion]:
        if k <= 0:
            return []
        ranked = [
            pid
            for pid in self.repo.popular_product_ids(limit=k * 4 + len(exclude))
            if pid not in exclude
        ]
        products = self.repo.get_products(ranked)
        out = []
        for pid in ranked:
            p = products.get(pid)
            if p is None or not p.in_stock:
                continue
            if filters.min_price is not None and p.price < filters.min_price:
                continue
            if filters.max_price is not None and p.price > filters.max_price:
                continue
            if filters.category and p.category.split(">")[0].strip() != filters.category:
                continue
            out.append(Suggestion(p, 0.0, POPULAR))
            if len(out) == k:
                break
        return out
