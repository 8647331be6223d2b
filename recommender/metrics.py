"""Ranking metrics for next-item recommendation: pure functions over arrays.

Protocol (DATASETS.md): the target is ranked against ALL items, the items already in
the history are excluded, and a target that is itself in the history counts as a miss.

    ranks = target_ranks(scores, targets, histories)   # 0 = ranked first
    recall_at_k(ranks, 10), ndcg_at_k(ranks, 10)

Ties are counted against the target (an item scoring the same ranks above it), so a
constant scorer gets no credit from the order of the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MISS = np.iinfo(np.int64).max  # rank of a target that cannot be recommended


def target_ranks(
    scores: np.ndarray, targets: Sequence[int] | np.ndarray, histories: Sequence[Sequence[int]]
) -> np.ndarray:
    """0-based rank of each row's target among all items not in that row's history.

    scores: (rows, items); targets: (rows,); histories: item indices per row.
    Rank = number of other non-excluded items scoring >= the target; MISS when the
    target is in the history (excluded) or its score is not finite.
    """
    s = np.array(scores, dtype=np.float64, copy=True)
    t = np.asarray(targets, dtype=np.int64)
    if s.ndim != 2 or len(s) != len(t) or len(t) != len(histories):
        raise ValueError("scores must be (rows, items) with one target and history per row")
    rows = np.arange(len(t))
    target_score = s[rows, t]
    for r, h in enumerate(histories):
        if len(h):
            s[r, np.asarray(h, dtype=np.int64)] = -np.inf
    excluded = ~np.isfinite(s[rows, t]) | ~np.isfinite(target_score)
    s[rows, t] = -np.inf  # the target does not count against itself
    ranks = (s >= target_score[:, None]).sum(axis=1).astype(np.int64)
    ranks[excluded] = MISS
    return ranks


def recall_at_k(ranks: np.ndarray, k: int) -> float:
    """Share of rows whose target is in the top k (one relevant item: hit rate)."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    r = np.asarray(ranks)
    return float(np.mean(r < k)) if len(r) else 0.0


def ndcg_at_k(ranks: np.ndarray, k: int) -> float:
    """Mean of 1/log2(rank + 2) over rows whose target is in the top k, 0 otherwise."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    r = np.asarray(ranks, dtype=np.float64)
    if not len(r):
        return 0.0
    gains = np.where(r < k, 1.0 / np.log2(np.minimum(r, k) + 2.0), 0.0)
    return float(np.mean(gains))


def summarize(ranks: np.ndarray, ks: Sequence[int] = (10, 50)) -> dict[str, float]:
    """{"recall@10": …, "ndcg@10": …, "recall@50": …, "ndcg@50": …}."""
    out: dict[str, float] = {}
    for k in ks:
        out[f"recall@{k}"] = recall_at_k(ranks, k)
        out[f"ndcg@{k}"] = ndcg_at_k(ranks, k)
    return out
