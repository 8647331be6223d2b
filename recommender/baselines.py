"""Untrained baselines for next-item recommendation: popularity, item transitions, mean of BERT vectors.

Every scorer maps a batch of histories (item indices, oldest first) to scores over
all items, `score(histories) -> (rows, n_items)`, and is ranked by recommender/metrics.py.

    pop = Popularity(data.item_counts())
    trans = Transitions.fit(data.train_sequences(), data.n_items, window=2, decay=0.5)
    mean = MeanPool(item_vecs)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy import sparse

from recommender.data import RecRow
from recommender.lexical import recency_profile
from recommender.metrics import ndcg_at_k, target_ranks

log = logging.getLogger(__name__)


class Scorer(Protocol):
    def score(self, histories: Sequence[Sequence[int]]) -> np.ndarray: ...


def _pop_prior(counts: np.ndarray) -> np.ndarray:
    """A tie-breaker below any real evidence: log-popularity scaled into [0, 1e-3)."""
    c = np.log1p(np.asarray(counts, dtype=np.float64))
    return 1e-3 * c / (c.max() + 1.0)


class Popularity:
    """Most frequent items in the train sequences first, for everyone."""

    def __init__(self, counts: np.ndarray) -> None:
        if np.asarray(counts).ndim != 1:
            raise ValueError("counts must be one count per item")
        self.counts = np.asarray(counts, dtype=np.float64)

    def score(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(histories), len(self.counts))).copy()


class Transitions:
    """Item-to-item transitions (a first-order Markov chain widened to a small window).

    T[a, b] counts how often b followed a within `window` steps (weighted 1/distance),
    rows normalised. A user's scores: sum over their last items j (newest first) of
    decay**j * T[item_j], plus a popularity tie-breaker.
    """

    def __init__(self, trans: sparse.csr_matrix, counts: np.ndarray, decay: float) -> None:
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f"decay must be in [0, 1], got {decay}")
        self.trans = trans
        self.prior = _pop_prior(counts)
        self.decay = decay

    @classmethod
    def fit(
        cls,
        sequences: Sequence[Sequence[int]],
        n_items: int,
        window: int = 1,
        decay: float = 0.5,
        backward: float = 0.0,
    ) -> Transitions:
        """window: how many next items count; backward: weight of the reverse direction."""
        if window <= 0:
            raise ValueError(f"window must be > 0, got {window}")
        rows, cols, vals = [], [], []
        counts = np.zeros(n_items)
        for s in sequences:
            np.add.at(counts, np.asarray(s, dtype=np.int64), 1.0)
            for i, a in enumerate(s):
                for d in range(1, window + 1):
                    if i + d >= len(s):
                        break
                    b = s[i + d]
                    rows.append(a)
                    cols.append(b)
                    vals.append(1.0 / d)
                    if backward > 0:
                        rows.append(b)
                        cols.append(a)
                        vals.append(backward / d)
        t = sparse.csr_matrix((vals, (rows, cols)), shape=(n_items, n_items), dtype=np.float64)
        norm = np.asarray(t.sum(axis=1)).ravel()
        norm[norm == 0] = 1.0
        t = sparse.csr_matrix(sparse.diags(1.0 / norm) @ t)
        return cls(t, counts, decay)

    def evidence(self, histories: Sequence[Sequence[int]]) -> sparse.csr_matrix:
        """(rows, n_items) sum over each history's items j (newest first) of decay**j * T[item_j]."""
        n = self.trans.shape[0]
        return sparse.csr_matrix(recency_profile(histories, n, self.decay) @ self.trans)

    def score(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        return np.asarray(self.evidence(histories).todense()) + self.prior

    def save(self, path: Path) -> None:
        sparse.save_npz(path, self.trans.astype(np.float32))

    @classmethod
    def load(cls, path: Path, decay: float) -> Transitions:
        t = sparse.csr_matrix(sparse.load_npz(path))
        return cls(t, np.zeros(t.shape[0]), decay)


class MeanPool:
    """Zero-shot: cosine between every item's text vector and the mean of the history's."""

    def __init__(self, item_vecs: np.ndarray, counts: np.ndarray | None = None) -> None:
        self.items = np.asarray(item_vecs, dtype=np.float32)
        self.prior = _pop_prior(counts if counts is not None else np.zeros(len(self.items)))

    def score(self, histories: Sequence[Sequence[int]]) -> np.ndarray:
        q = np.zeros((len(histories), self.items.shape[1]), dtype=np.float32)
        for r, h in enumerate(histories):
            if len(h):
                v = self.items[np.asarray(h, dtype=np.int64)].mean(axis=0)
                q[r] = v / (float(np.linalg.norm(v)) or 1.0)
        return q @ self.items.T + self.prior


TRANSITION_GRID = {"window": (1, 3), "decay": (0.3, 0.6, 0.9), "backward": (0.0, 0.5, 1.0)}


def scorer_ranks(scorer: Scorer, rows: Sequence[RecRow], batch_size: int = 512) -> np.ndarray:
    """0-based rank of each row's target under the scorer (metrics.target_ranks, in batches)."""
    out = []
    for i in range(0, len(rows), batch_size):
        part = rows[i : i + batch_size]
        hist = [r.history for r in part]
        out.append(target_ranks(scorer.score(hist), [r.target for r in part], hist))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def select_transitions(
    sequences: Sequence[Sequence[int]],
    n_items: int,
    valid: Sequence[RecRow],
    grid: dict[str, tuple[float, ...]] = TRANSITION_GRID,
) -> tuple[Transitions, dict[str, float], float]:
    """The grid point with the best NDCG@10 on the validation rows: (model, params, ndcg)."""
    best: tuple[Transitions, dict[str, float], float] | None = None
    for window, decay, backward in itertools.product(
        grid["window"], grid["decay"], grid["backward"]
    ):
        t = Transitions.fit(sequences, n_items, int(window), decay, backward)
        ndcg = ndcg_at_k(scorer_ranks(t, valid), 10)
        log.info(
            "transitions window=%d decay=%s backward=%s: valid ndcg@10 %.4f",
            window,
            decay,
            backward,
            ndcg,
        )
        if best is None or ndcg > best[2]:
            best = (t, {"window": window, "decay": decay, "backward": backward}, ndcg)
    assert best is not None
    return best
