"""Hybrid retrieval: dense (MiniLM + Chroma) and BM25 candidates fused into one ranking.

Both sides get the same `where` filter and return up to `depth` candidates each.
Every candidate is scored

    fused = dense_weight * cosine + bm25_weight * bm25 / bound(query)

where `bound` is the WAND upper bound of the query's BM25 score (the sum of each
query term's best score in the index), so the lexical part lies in [0, 1] and
does not depend on the filter or on how many candidates there are. BM25 is known
for every candidate; a candidate that only BM25 found gets the lowest cosine of
the dense candidates (it ranked below all of them). The weights were chosen on
the hetPQA *train* questions (see docs/benchmarks.md, "Retrieval"); plain RRF
loses to dense alone there. An optional `reranker` reorders the fused
candidates before the cut to `top_k`.

    hybrid = HybridRetriever(embedder, store, "knowledge")
    hits = hybrid.retrieve("does it fit a 2012 elantra?", top_k=5, where={"product_id": "B007NWDT9M"})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from retrieval.bm25 import BM25Retriever
from retrieval.embedder import Embedder
from retrieval.retriever import KnowledgeRetriever
from retrieval.store import Hit, VectorStore

DENSE_WEIGHT = 1.0
BM25_WEIGHT = 0.3  # tuned on hetPQA train (global scope): flat optimum between 0.3 and 0.4
DEPTH = 30  # candidates per side; 50 gained < 0.001 MRR@10 on train and costs latency


class Reranker(Protocol):
    """A later stage (e.g. a cross-encoder) that reorders fused candidates, best first."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


def fuse(
    dense: Sequence[Hit],
    lexical: Mapping[str, float],
    lexical_only: Sequence[Hit],
    dense_weight: float = DENSE_WEIGHT,
    bm25_weight: float = BM25_WEIGHT,
) -> list[Hit]:
    """Fuse dense hits (score = cosine) with normalised BM25 scores, best first.

    `lexical` maps passage id to BM25 / bound for every candidate of either side;
    `lexical_only` are the BM25 candidates the dense side did not return.
    """
    floor = min((h.score for h in dense), default=0.0)
    seen = {h.id for h in dense}
    scored = [
        (dense_weight * h.score + bm25_weight * lexical.get(h.id, 0.0), n, h, h.score)
        for n, h in enumerate(dense)
    ]
    scored += [
        (dense_weight * floor + bm25_weight * lexical.get(h.id, 0.0), len(dense) + n, h, floor)
        for n, h in enumerate(lexical_only)
        if h.id not in seen
    ]
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [Hit(h.id, h.text, float(s), h.metadata, float(cos)) for s, _, h, cos in scored]


class HybridRetriever(KnowledgeRetriever):
    """Dense and BM25 retrieval over one collection, fused; the dense side, its checks and
    its question guard are KnowledgeRetriever's."""

    def __init__(
        self,
        embedder: Embedder,
        store: VectorStore,
        collection: str,
        top_k: int = 5,
        bm25: BM25Retriever | None = None,
        dense_weight: float = DENSE_WEIGHT,
        bm25_weight: float = BM25_WEIGHT,
        depth: int = DEPTH,
        reranker: Reranker | None = None,
        rerank_depth: int = 20,
    ) -> None:
        super().__init__(embedder, store, collection, top_k)
        if depth <= 0:
            raise ValueError(f"depth must be > 0, got {depth}")
        if rerank_depth <= 0:
            raise ValueError(f"rerank_depth must be > 0, got {rerank_depth}")
        if dense_weight < 0 or bm25_weight < 0 or dense_weight + bm25_weight == 0:
            raise ValueError(
                f"weights must be >= 0 and not both 0, got dense {dense_weight}, bm25 {bm25_weight}"
            )
        if bm25 is not None and (bm25.store is not store or bm25.collection != collection):
            raise ValueError("the BM25 retriever must search the same store and collection")
        self.bm25 = bm25 or BM25Retriever(store, collection)
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.depth = depth
        self.reranker = reranker
        self.rerank_depth = rerank_depth

    def retrieve(
        self,
        query: str,
        top_k: int | None = None,
        where: Mapping[str, Any] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top passages for the query; Hit.score is the fused score (higher is better)."""
        sized = self._sized(query, top_k)
        if sized is None:
            return []
        k, n = sized
        depth = min(max(self.depth, k), n)
        dense = self._dense(query, depth, where, vector)

        index = self.bm25.index()
        bm25 = index.score(query)
        top_rows: list[int] = []
        if bm25.bound > 0:
            top_rows = index.top(bm25.scores, depth, index.mask(where)).tolist()
        dense_rows = [r for r in (index.row(h.id) for h in dense) if r is not None]
        rows = np.array(dense_rows + top_rows, dtype=np.int64)
        lexical = dict(
            zip([index.ids[r] for r in rows], bm25.normalised(rows).tolist(), strict=True)
        )
        lexical_only = [index.hit(r, 0.0) for r in top_rows]

        fused = fuse(dense, lexical, lexical_only, self.dense_weight, self.bm25_weight)
        if self.reranker is not None:
            head = fused[: max(k, self.rerank_depth)]
            fused = list(self.reranker.rerank(query, head))
        return fused[:k]
