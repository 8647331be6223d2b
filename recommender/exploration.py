"""Exploration of the served suggestions, and the probability each card was shown with.

Off by default: the cards are the ranking's top k, each shown with probability 1. With an
exploration share s > 0, every slot in turn, from the first, is filled:

- with probability 1 - s by the best-ranked candidate not shown yet;
- with probability s by a draw from a softmax over the standardised scores of the candidates
  not shown yet (temperature t: lower follows the scores more closely).

The candidates are a pool deeper than k that already obeys the business rules, so every
choice does too. The propensity of a card is P(this item in this slot) under that process
(the Open Bandit Dataset convention), estimated from `n_draws` seeded runs of it plus the
run that was shown, so it is never 0. Logged with each impression, it lets the shop's own
logs be replayed and evaluated off-policy (growth/offpolicy.py).

    order, propensity = explore(np.array([2.0, 1.5, 0.3, 0.1]), k=2, share=0.1, rng=rng)
"""

from __future__ import annotations

import numpy as np


def _logits(scores: np.ndarray, temperature: float) -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    z = (s - s.mean()) / (float(s.std()) or 1.0)
    return z / temperature


def _run(
    logits: np.ndarray, k: int, share: float, rng: np.random.Generator, draws: int
) -> np.ndarray:
    """(draws, k) item indices of `draws` independent runs of the process."""
    m = logits.size
    left = np.ones((draws, m), dtype=bool)
    out = np.empty((draws, k), dtype=np.int64)
    rows = np.arange(draws)
    for j in range(k):
        greedy = np.argmax(left, axis=1)  # the best-ranked candidate still left
        noisy = np.where(left, logits + rng.gumbel(size=(draws, m)), -np.inf)
        drawn = np.argmax(noisy, axis=1)  # Gumbel-max: a softmax draw over those left
        pick = np.where(rng.random(draws) < share, drawn, greedy)
        out[:, j] = pick
        left[rows, pick] = False
    return out


def explore(
    scores: np.ndarray,
    k: int,
    share: float,
    rng: np.random.Generator,
    temperature: float = 1.0,
    n_draws: int = 2000,
) -> tuple[list[int], list[float]]:
    """The k (or fewer) pool indices to show, in slot order, and the propensity of each.

    `scores` are the pool's scores in ranking order (index 0 is the best-ranked)."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be in [0, 1], got {share}")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    m = len(scores)
    k = min(k, m)
    if k == 0:
        return [], []
    if share == 0.0:
        return list(range(k)), [1.0] * k
    logits = _logits(np.asarray(scores), temperature)
    shown = _run(logits, k, share, rng, 1)[0]
    runs = _run(logits, k, share, rng, n_draws)
    hits = (runs == shown[None, :]).sum(axis=0)
    return [int(i) for i in shown], [float((h + 1) / (n_draws + 1)) for h in hits]


def first_slot_probs(scores: np.ndarray, share: float, temperature: float = 1.0) -> np.ndarray:
    """The exact P(candidate in slot 1): (1 - s) on the best-ranked plus s x softmax."""
    logits = _logits(np.asarray(scores), temperature)
    soft = np.exp(logits - logits.max())
    soft /= soft.sum()
    out = share * soft
    out[0] += 1 - share
    return out
