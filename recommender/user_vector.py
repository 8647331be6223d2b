"""The user's vector: a recency- and action-weighted mean of the item vectors they touched.

Pure functions over arrays, so they are tested against hand-computed values.
A purchase says more than a view; yesterday says more than last month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

TYPE_WEIGHTS: Mapping[str, float] = {"view": 1.0, "add_to_cart": 2.0, "purchase": 3.0}


def event_weights(
    types: Sequence[str],
    ages_days: Sequence[float],
    half_life_days: float = 14.0,
    type_weights: Mapping[str, float] = TYPE_WEIGHTS,
) -> np.ndarray:
    """weight_i = type_weight(type_i) * 0.5 ** (age_i / half_life)."""
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
    if len(types) != len(ages_days):
        raise ValueError("types and ages_days must have the same length")
    tw = np.array([type_weights.get(t, 1.0) for t in types], dtype=np.float64)
    ages = np.maximum(np.asarray(ages_days, dtype=np.float64), 0.0)
    return tw * np.power(0.5, ages / half_life_days)


def user_vector(item_vectors: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
    """Weighted mean of item vectors, L2-normalised; None when there is nothing to average."""
    if len(item_vectors) == 0 or float(np.sum(weights)) <= 0:
        return None
    v = np.average(np.asarray(item_vectors, dtype=np.float64), axis=0, weights=weights)
    norm = float(np.linalg.norm(v))
    if norm == 0:
        return None
    return (v / norm).astype(np.float32)


def top_contributor(candidate: np.ndarray, item_vectors: np.ndarray, weights: np.ndarray) -> int:
    """Index of the history item that contributes most to the candidate's score (w_i * cos)."""
    contrib = np.asarray(weights) * (np.asarray(item_vectors) @ np.asarray(candidate))
    return int(np.argmax(contrib))
