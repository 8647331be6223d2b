"""Dense retrieval over a knowledge collection.

retriever = KnowledgeRetriever(embedder, store, "knowledge")
hits = retriever.retrieve("what is your return policy?", top_k=3)

HybridRetriever (retrieval/hybrid.py) builds on it: the same checks, the same question
guard and the same dense search, with BM25 fused in.
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
        sized = self._sized(query, top_k)
        if sized is None:
            return []
        k, n = sized
        return self._dense(query, min(k, n), where, vector)

    def _sized(self, query: str, top_k: int | None) -> tuple[int, int] | None:
        """(passages wanted, passages in the collection), or None when there is nothing to
        search: a blank question or an empty collection."""
        if not query.strip():
            return None
        n = self.store.count(self.collection)
        return None if n == 0 else (top_k or self.top_k, n)

    def _dense(
        self, query: str, k: int, where: Mapping[str, Any] | None, vector: np.ndarray | None
    ) -> list[Hit]:
        """The `k` passages nearest the question's vector (embedded here unless given)."""
        v = self.embedder.encode_one(query) if vector is None else vector
        return self.store.query(self.collection, v, k=k, where=where)
