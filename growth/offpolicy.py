"""Off-policy estimates: the click-through rate a candidate policy would have had, from the
logged impressions of the policy that ran.

With w_i = pi_e(a_i | x_i, k_i) / p_i (the candidate's probability of the logged item in the
logged slot over the logging propensity), r_i the click and q(x, a, k) a click model:

| estimator | value | reference |
|---|---|---|
| `ipw` | mean(w_i r_i) | Horvitz & Thompson 1952 |
| `snips` | sum(w_i r_i) / sum(w_i) | Swaminathan & Joachims 2015 |
| `dr` | mean(sum_a pi_e(a | x_i, k_i) q(x_i, a, k_i) + w_i (r_i - q(x_i, a_i, k_i))) | Dudik et al. 2011 |

as defined in obp (Saito et al. 2021). The click model of `dr` is fitted with cross-fitting
(each fold predicted by a model fitted on the others). 95% intervals: percentile bootstrap
over impressions (seeded), the click model held fixed.

    pi = parse_policy("bts:prior_bts.yaml:all").probs_at(log)
    result = estimate(log, pi)
    result.estimators["dr"].value, result.estimators["dr"].ci
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from growth.bandit_logs import LoggedImpressions
from growth.reward_model import ClickModel
from growth.stats import wilson_interval

ESTIMATORS = ("ipw", "snips", "dr")


@dataclass(frozen=True)
class Estimate:
    value: float
    ci: tuple[float, float]
    relative_error: float | None = None  # |value - on-policy| / on-policy, when known


@dataclass(frozen=True)
class OffPolicyResult:
    policy: str
    campaign: str
    n: int
    clicks: int
    logged_ctr: float  # the logging policy's own click-through
    estimators: dict[str, Estimate]
    on_policy: Estimate | None = None  # the candidate's observed CTR, when it ran too
    max_weight: float = 0.0
    effective_n: float = 0.0  # (sum w)^2 / sum w^2: how many impressions the weights amount to
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def est(e: Estimate) -> dict[str, Any]:
            d = asdict(e) | {"ci": list(e.ci)}
            return d if e.relative_error is not None else {k: d[k] for k in ("value", "ci")}

        return {
            "policy": self.policy,
            "campaign": self.campaign,
            "n": self.n,
            "clicks": self.clicks,
            "logged_ctr": self.logged_ctr,
            "max_weight": self.max_weight,
            "effective_n": self.effective_n,
            "estimators": {k: est(v) for k, v in self.estimators.items()},
            "on_policy": est(self.on_policy) if self.on_policy else None,
            "notes": self.notes,
        }


def importance_weights(log: LoggedImpressions, pi: np.ndarray) -> np.ndarray:
    """w_i = pi_e(a_i | x_i, k_i) / p_i; ValueError if propensities are missing."""
    if pi.shape != (log.n, log.n_items):
        raise ValueError(f"pi must be (n, n_items) = {(log.n, log.n_items)}, got {pi.shape}")
    if not log.has_propensities:
        bad = int((~np.isfinite(log.propensity) | (log.propensity <= 0)).sum())
        raise ValueError(
            f"{bad} of {log.n} impressions have no logging propensity; off-policy estimates need "
            "the probability each card was shown with (SHOPMATE_SUGGESTION_EXPLORATION logs it)"
        )
    return pi[np.arange(log.n), log.action] / log.propensity


def ipw_terms(w: np.ndarray, r: np.ndarray) -> np.ndarray:
    return w * r


def snips_value(w: np.ndarray, r: np.ndarray) -> float:
    s = float(w.sum())
    return float((w * r).sum() / s) if s > 0 else 0.0


def dr_terms(
    w: np.ndarray, r: np.ndarray, pi: np.ndarray, q_all: np.ndarray, action: np.ndarray
) -> np.ndarray:
    """Per-impression terms of the doubly robust estimate (their mean is the estimate)."""
    q_logged = q_all[np.arange(action.size), action]
    return (pi * q_all).sum(axis=1) + w * (r - q_logged)


def subset(log: LoggedImpressions, idx: np.ndarray) -> LoggedImpressions:
    """The impressions at `idx` (item and slot lists kept)."""
    return LoggedImpressions(
        log.campaign,
        log.item_ids,
        log.action[idx],
        log.position[idx],
        log.click[idx],
        log.propensity[idx],
        log.user_features[idx] if log.user_features.size else log.user_features,
        log.affinity[idx] if log.affinity is not None else None,
        log.item_numeric,
        log.item_categorical,
        log.n_positions,
    )


def cross_fit_q(
    log: LoggedImpressions, folds: int = 3, c: float = 0.1, seed: int = 0
) -> np.ndarray:
    """(n, n_items) click probabilities, each fold predicted by a model fitted on the others
    (a constant at the fold's training CTR when a training split has no clicks)."""
    rng = np.random.default_rng(seed)
    fold = rng.permutation(log.n) % folds
    q = np.zeros((log.n, log.n_items))
    for f in range(folds):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        part = subset(log, train)
        if 0 < part.clicks < part.n:
            q[test] = ClickModel.fit(part, c=c, seed=seed).predict_all(subset(log, test))
        else:
            q[test] = part.clicks / max(part.n, 1)
    return q


def _boot_means(
    columns: dict[str, np.ndarray], n_boot: int, seed: int, chunk: int = 200
) -> dict[str, np.ndarray]:
    """Bootstrap sums of each column over the same resamples of impressions (in chunks, so
    memory stays at chunk x n)."""
    n = next(iter(columns.values())).size
    rng = np.random.default_rng(seed)
    out: dict[str, list[np.ndarray]] = {k: [] for k in columns}
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, (min(chunk, n_boot - start), n))
        for k, v in columns.items():
            out[k].append(v[idx].sum(axis=1))
    return {k: np.concatenate(v) for k, v in out.items()}


def _pct(x: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(x, [tail, 100 - tail])
    return float(lo), float(hi)


def estimate(
    log: LoggedImpressions,
    pi: np.ndarray,
    policy: str = "candidate",
    on_policy: LoggedImpressions | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    folds: int = 3,
    c: float = 0.1,
) -> OffPolicyResult:
    """IPW, SNIPS and DR estimates of the candidate's CTR with bootstrap intervals; with
    `on_policy` logs of the candidate, its observed CTR (Wilson interval) and each
    estimate's relative error."""
    if log.n == 0:
        raise ValueError("the logs are empty")
    w = importance_weights(log, pi)
    r = log.click.astype(float)
    q_all = cross_fit_q(log, folds, c, seed)
    terms = {"ipw": ipw_terms(w, r), "dr": dr_terms(w, r, pi, q_all, log.action)}
    values = {
        "ipw": float(terms["ipw"].mean()),
        "snips": snips_value(w, r),
        "dr": float(terms["dr"].mean()),
    }
    sums = _boot_means({"ipw": terms["ipw"], "dr": terms["dr"], "w": w}, n_boot, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        sn = np.where(sums["w"] > 0, sums["ipw"] / sums["w"], 0.0)
    cis = {
        "ipw": _pct(sums["ipw"] / log.n, confidence),
        "snips": _pct(sn, confidence),
        "dr": _pct(sums["dr"] / log.n, confidence),
    }
    truth = None
    if on_policy is not None:
        v = on_policy.clicks / on_policy.n if on_policy.n else 0.0
        truth = Estimate(v, wilson_interval(on_policy.clicks, on_policy.n, confidence))

    def rel(x: float) -> float | None:
        return abs(x - truth.value) / truth.value if truth and truth.value > 0 else None

    ests = {k: Estimate(values[k], cis[k], rel(values[k])) for k in ESTIMATORS}
    ess = float(w.sum() ** 2 / (w**2).sum()) if (w**2).sum() > 0 else 0.0
    notes = []
    matched = int(((w > 0) & (r > 0)).sum())
    if matched < 10:
        notes.append(
            f"only {matched} logged click(s) fall where the candidate would show the same item "
            "in the same slot: IPW and SNIPS rest on very few clicks, the intervals are wide"
        )
    return OffPolicyResult(
        policy,
        log.campaign,
        log.n,
        log.clicks,
        log.clicks / log.n,
        ests,
        truth,
        float(w.max()),
        ess,
        notes,
    )
