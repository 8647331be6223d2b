"""Personal product suggestions: the user's vector, the conversation, business rules, reasons.

    rec = Recommender(repo, store, embedder)                        # weighted mean of items
    rec = Recommender(repo, store, embedder, model=RecModel.load(path))  # trained encoder
    for s in rec.recommend("u0001", context="rain jacket for hiking", k=4):
        print(s.product.title, s.reason)

Without a model the query vector blends the conversation (what the shopper asks for
now) with a recency- and action-weighted mean of the items they touched, searched in
the store. With a trained model (recommender/rec_model.py) the user's vector comes from
the BERT user encoder run on the current history at request time, so a new event
changes the next list at once; it scores every product of an in-memory snapshot of the
catalog and the conversation's cosine is blended in after standardising both. A shopper
with neither gets what is popular. Rules (recommender/rules.py): in stock only,
purchases excluded (configurable), price and category filters, at most
`max_per_category` per category, no near-duplicates. With `exploration` > 0 a share of the
slots is drawn from a softmax over a deeper pool (recommender/exploration.py) and each
suggestion carries the probability it was shown with in its slot, for off-policy evaluation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from recommender.exploration import explore
from recommender.item_index import PRODUCTS
from recommender.rec_model import RecModel
from recommender.rules import NEAR_DUPLICATE, Filters, collapse_history, pick_diverse
from recommender.snapshot import CatalogSnapshot
from recommender.user_vector import event_weights, top_contributor, user_vector
from retrieval.embedder import Embedder
from retrieval.store import VectorStore
from shop.repository import EventRecord, ProductRecord, ShopRepository

__all__ = ["ASKED", "POPULAR", "Filters", "Recommender", "Suggestion"]

ASKED = "matches what you asked for"
POPULAR = "popular with other shoppers"


@dataclass(frozen=True)
class Suggestion:
    product: ProductRecord
    score: float
    reason: str
    propensity: float = 1.0  # P(this product in this slot) under the serving policy


@dataclass(frozen=True)
class _Rules:
    """Per-call rules: which products may be picked, and how many per category."""

    keep: Callable[[ProductRecord], bool]
    max_per_category: int
    narrow: bool = False  # a restrictive `keep`: look deeper before filtering


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (float(x.std()) or 1.0)


def because(event: EventRecord, product: ProductRecord | None) -> str:
    verb = {"purchase": "bought", "add_to_cart": "added to your cart"}.get(event.type, "viewed")
    return f"because you {verb} {product.title if product else event.product_id}"


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
        model: RecModel | None = None,
        max_similarity: float = NEAR_DUPLICATE,
        exploration: float = 0.0,
        exploration_temperature: float = 1.0,
        seed: int | None = None,
    ) -> None:
        if history_limit <= 0:
            raise ValueError(f"history_limit must be > 0, got {history_limit}")
        if not 0.0 <= context_weight <= 1.0:
            raise ValueError(f"context_weight must be in [0, 1], got {context_weight}")
        if max_per_category <= 0:
            raise ValueError(f"max_per_category must be > 0, got {max_per_category}")
        if not 0.0 < max_similarity <= 1.0:
            raise ValueError(f"max_similarity must be in (0, 1], got {max_similarity}")
        if not 0.0 <= exploration <= 1.0:
            raise ValueError(f"exploration must be a share in [0, 1], got {exploration}")
        if exploration_temperature <= 0:
            raise ValueError(f"exploration_temperature must be > 0, got {exploration_temperature}")
        self.repo, self.store, self.embedder = repo, store, embedder
        self.collection = collection
        self.history_limit = history_limit
        self.half_life_days = half_life_days
        self.context_weight = context_weight
        self.max_per_category = max_per_category
        self.exclude_purchased = exclude_purchased
        self.clock = clock
        self.model = model
        self.max_similarity = max_similarity
        self.exploration = exploration
        self.exploration_temperature = exploration_temperature
        self._snap: CatalogSnapshot | None = None
        self._lock = threading.Lock()
        self._rng = np.random.default_rng(seed)
        self._rng_lock = threading.Lock()

    def warm_up(self) -> None:
        """Build the catalog snapshot of the trained model now rather than on the first request."""
        if self.model is not None:
            self._snapshot()

    def recommend(
        self,
        user_id: str | None,
        context: str | None = None,
        k: int = 5,
        filters: Filters | None = None,
        query: str | None = None,
        keep: Callable[[ProductRecord], bool] | None = None,
        max_per_category: int | None = None,
        exclude_ids: Collection[str] = (),
    ) -> list[Suggestion]:
        """Up to k suggestions for the shopper; `context` (or its alias `query`) is what they
        ask for now ("waterproof hiking boots"), blended with their own vector. `keep`: only
        products it accepts (an explicit search's colour, size, audience…);
        `max_per_category`: the diversity cap for this call (an explicit search for hats
        wants hats, not two hats and two other things); `exclude_ids`: never these (the
        product on screen), left out before exploring so the logged propensities hold."""
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        if query is not None:
            if context is not None and context != query:
                raise ValueError("give the conversation as context or query, not both")
            context = query
        filters = filters or Filters()
        events = self.repo.recent_events(user_id, self.history_limit) if user_id else []
        cvec = self.embedder.encode_one(context) if context and context.strip() else None
        exclude: set[str] = set(exclude_ids)
        if user_id and self.exclude_purchased:
            exclude |= self.repo.purchased_ids(user_id)
        if cvec is None:
            exclude |= {e.product_id for e in events}  # pure recommendations: show something new
        rules = _Rules(
            keep or (lambda _p: True), max_per_category or self.max_per_category, keep is not None
        )
        want = max(2 * k, k + 4) if self.exploration > 0 else k  # the pool explored from
        if self.model is not None:
            picked = self._with_model(events, cvec, want, filters, exclude, rules)
        else:
            picked = self._with_mean(events, cvec, want, filters, exclude, rules)
        if cvec is None and len(picked) < want:  # popular items only when nothing was asked
            picked += self._popular(
                want - len(picked), exclude | {s.product.id for s in picked}, filters
            )
        return self._explored(picked, k) if self.exploration > 0 else picked

    def _explored(self, pool: list[Suggestion], k: int) -> list[Suggestion]:
        """k of the ranked pool, a share of slots drawn from a softmax, with propensities."""
        with self._rng_lock:
            order, prop = explore(
                np.array([s.score for s in pool]),
                k,
                self.exploration,
                self._rng,
                self.exploration_temperature,
            )
        return [
            Suggestion(pool[i].product, pool[i].score, pool[i].reason, p)
            for i, p in zip(order, prop, strict=True)
        ]

    def catalog_match(self, vector: np.ndarray) -> float:
        """Similarity of the best in-stock catalog match: does the shop sell anything like this?"""
        if self.store.count(self.collection) == 0:
            return 0.0
        hits = self.store.query(self.collection, vector, k=1, where=Filters().where())
        return hits[0].score if hits else 0.0

    # without a model: weighted mean of item vectors, searched in the store ----------
    def _with_mean(
        self,
        events: list[EventRecord],
        cvec: np.ndarray | None,
        k: int,
        filters: Filters,
        exclude: set[str],
        rules: _Rules,
    ) -> list[Suggestion]:
        hist_vecs_by_id = self.store.get_embeddings(
            self.collection, sorted({e.product_id for e in events})
        )
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
        q: np.ndarray | None
        if cvec is not None and uvec is not None:
            q = self.context_weight * cvec + (1 - self.context_weight) * uvec
            q = q / (np.linalg.norm(q) or 1.0)
        else:
            q = cvec if cvec is not None else uvec
        n = self.store.count(self.collection)
        if q is None or not n:
            return []
        depth = k * (12 if rules.narrow else 4) + len(exclude)
        hits = self.store.query(self.collection, q, k=min(n, depth), where=filters.where())
        ids = [h.id for h in hits if h.id not in exclude]
        cand_vecs = self.store.get_embeddings(self.collection, ids)
        products = self.repo.get_products(ids)
        ok = [
            pid
            for pid in ids
            if (p := products.get(pid)) is not None and p.offerable and rules.keep(p)
        ]
        chosen = pick_diverse(
            ok,
            cand_vecs,
            {pid: products[pid].category for pid in ok},
            k,
            rules.max_per_category,
            self.max_similarity,
        )
        score_of = {h.id: h.score for h in hits}
        out = []
        for pid in chosen:
            item = cand_vecs[pid]
            if uvec is None or (cvec is not None and float(item @ cvec) >= float(item @ uvec)):
                reason = ASKED
            else:
                src = kept[top_contributor(item, hist_vecs, weights)]
                reason = because(
                    src, products.get(src.product_id) or self.repo.get_product(src.product_id)
                )
            out.append(Suggestion(products[pid], score_of[pid], reason))
        return out

    # with the trained model: user encoder on the current history, in-memory scoring -----
    def _snapshot(self) -> CatalogSnapshot:
        assert self.model is not None
        version = self.store.version(self.collection)
        snap = self._snap
        if snap is None or snap.version != version:
            with self._lock:
                if self._snap is None or self._snap.version != version:
                    self._snap = CatalogSnapshot.build(self.store, self.collection, self.model)
                snap = self._snap
        return snap

    def _with_model(
        self,
        events: list[EventRecord],
        cvec: np.ndarray | None,
        k: int,
        filters: Filters,
        exclude: set[str],
        rules: _Rules,
    ) -> list[Suggestion]:
        assert self.model is not None
        snap = self._snapshot()
        if not snap.ids:
            return []
        hist = collapse_history(events, snap.row)
        rows = [r for r, _ in hist]
        personal = _z(self.model.score(snap.catalog, [rows])[0]) if rows else None
        asked = _z(snap.text @ cvec) if cvec is not None else None
        if personal is not None and asked is not None:
            q = self.context_weight * asked + (1 - self.context_weight) * personal
        elif personal is not None:
            q = personal
        elif asked is not None:
            q = asked
        else:
            return []
        allowed = snap.filter_mask(filters)
        for pid in exclude:
            if (r := snap.row.get(pid)) is not None:
                allowed[r] = False
        cand = np.flatnonzero(allowed)
        depth = min(len(cand), k * (24 if rules.narrow else 8) + 20)
        if not depth:
            return []
        top = cand[np.argpartition(-q[cand], depth - 1)[:depth]]
        top = top[np.argsort(-q[top], kind="stable")]
        ids = [snap.ids[r] for r in top]
        products = self.repo.get_products(ids)
        ok = [
            pid
            for pid in ids
            if (p := products.get(pid)) is not None
            and p.offerable
            and filters.accepts(p.current_price, p.category)
            and rules.keep(p)
        ]
        chosen = pick_diverse(
            ok,
            {pid: snap.text[snap.row[pid]] for pid in ok},
            {pid: products[pid].category for pid in ok},
            k,
            rules.max_per_category,
            self.max_similarity,
        )
        out = []
        seen: dict[str, ProductRecord] | None = None  # the history's products, fetched once
        for pid in chosen:
            r = snap.row[pid]
            if personal is None or (asked is not None and asked[r] >= personal[r]):
                reason = ASKED
            else:
                j = int(np.argmax(self.model.contributions(snap.catalog, rows, r)))
                src = hist[j][1]
                if seen is None:
                    seen = self.repo.get_products(sorted({e.product_id for _, e in hist}))
                reason = because(src, seen.get(src.product_id))
            out.append(Suggestion(products[pid], float(q[r]), reason))
        return out

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
            if p is None or not p.offerable or not filters.accepts(p.current_price, p.category):
                continue
            out.append(Suggestion(p, 0.0, POPULAR))
            if len(out) == k:
                break
        return out
