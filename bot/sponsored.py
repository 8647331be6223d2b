"""How relevant each promoted product is to a shopper right now (for growth/sponsored.py).

Relevance is the cosine between the product's text vector and what the shopper asks for
(the context), or, without a context, the mean of the items they touched lately.

    rel = sponsored_relevance(embedder, store, repo, "u0001", "tent for two", ["p0042"])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.item_index import PRODUCTS
from retrieval.embedder import Embedder
from retrieval.store import VectorStore
from shop.repository import ShopRepository


def sponsored_relevance(
    embedder: Embedder,
    store: VectorStore,
    repo: ShopRepository,
    user_id: str | None,
    context: str | None,
    product_ids: Sequence[str],
    history: int = 20,
) -> dict[str, float]:
    """{product id: cosine in [-1, 1]}; empty when there is nothing to compare with."""
    if not product_ids:
        return {}
    query: np.ndarray | None = None
    if context and context.strip():
        query = embedder.encode_one(context)
    elif user_id:
        recent = [e.product_id for e in repo.recent_events(user_id, history)]
        vecs = store.get_embeddings(PRODUCTS, sorted(set(recent)))
        if vecs:
            query = np.mean(np.stack(list(vecs.values())), axis=0)
    if query is None:
        return {}
    query = query / (np.linalg.norm(query) or 1.0)
    items = store.get_embeddings(PRODUCTS, list(product_ids))
    return {pid: float(v @ query / (np.linalg.norm(v) or 1.0)) for pid, v in items.items()}
