"""Dense retrieval over a knowledge collection.

retriever = KnowledgeRetriever(embedder, store, "knowledge")
hits = retriever.retrieve("what is your return policy?", top_k=3)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from retrieval.embedder import Embedder
from retrieval.store import Hit, VectorStore


class KnowledgeRetriever:
    """Finds the passages most similar in meaning to a question."""

    def __init__(
        self, embedder: Embedder, store: VectorStore, collection: str, top_k: int = 5
    ) -> None:
        if top_k <= 0:
            raise ValueError(f"top_k must be > 0, got {top_k}")
        if not collection:
            raise ValueError("collection name must not be empty")
        self.embedder = embedder
        self.store = store
        self.collection = collection
        self.top_k = top_k

    def retrieve(
        self,
        query: str,
        top_k: int | None = None,
        where: Mapping[str, Any] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top passages for the query; pass `vector` when the query is already embedded."""
        if not query.strip():
            return []
        k = top_k or self.top_k
        n = self.store.count(self.collection)
        if n == 0:
            return []
        v = self.embedder.encode_one(query) if vector is None else vector
        return self.store.query(self.collection, v, k=min(k, n), where=where)
