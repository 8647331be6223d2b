"""The statistics of A/B tests, as pure functions: proportions, intervals, tests, verdicts.

    >>> t = two_proportion_ztest(200, 1000, 250, 1000)
    >>> round(t.z, 3), round(t.p_value, 4)
    (2.677, 0.0074)
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]

Conventions: "a" is the control, "b" the treatment; differences are b - a.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

_N = NormalDist()


def z_for(confidence: float) -> float:
    """The two-sided normal quantile: 1.95996... for 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return _N.inv_cdf(0.5 + confidence / 2)


def _check(x: int, n: int) -> None:
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= successes <= trials, got {x} of {n}")


def wald_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """p ± z·sqrt(p(1-p)/n), clipped to [0, 1]; (0, 1) when n is 0."""
    _check(x, n)
    if n == 0:
        return 0.0, 1.0
    p = x / n
    half = z_for(confidence) * math.sqrt(p * (1 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval: well behaved near 0 and 1 and for small n."""
    _check(x, n)
    if n == 0:
        return 0.0, 1.0
    z = z_for(confidence)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ZTest:
    rate_a: float
    rate_b: float
    diff: float  # rate_b - rate_a
    z: float  # with the pooled standard error
    p_value: float  # two-sided
    ci: tuple[float, float]  # of the difference, unpooled standard error


def diff_interval(
    xa: int, na: int, xb: int, nb: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Normal interval of pb - pa with the unpooled standard error."""
    _check(xa, na)
    _check(xb, nb)
    if na == 0 or nb == 0:
        return -1.0, 1.0
    pa, pb = xa / na, xb / nb
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    half = z_for(confidence) * se
    return pb - pa - half, pb - pa + half


def two_proportion_ztest(xa: int, na: int, xb: int, nb: int, confidence: float = 0.95) -> ZTest:
    """Two-sided z-test of pa == pb with the pooled proportion; p = 1 when it is undefined."""
    _check(xa, na)
    _check(xb, nb)
    pa = xa / na if na else 0.0
    pb = xb / nb if nb else 0.0
    ci = diff_interval(xa, na, xb, nb, confidence)
    if na == 0 or nb == 0:
        return ZTest(pa, pb, pb - pa, 0.0, 1.0, ci)
    pooled = (xa + xb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if se == 0:
        return ZTest(pa, pb, pb - pa, 0.0, 1.0, ci)
    z = (pb - pa) / se
    p = math.erfc(abs(z) / math.sqrt(2))  # = 2 * (1 - Phi(|z|))
    return ZTest(pa, pb, pb - pa, z, p, ci)


def bootstrap_diff_ci(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(b) - mean(a), resampling each group; seeded."""
    if n_boot <= 0:
        raise ValueError(f"n_boot must be > 0, got {n_boot}")
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.size == 0 or xb.size == 0:
        raise ValueError("both groups need at least one value")
    z_for(confidence)
    rng = np.random.default_rng(seed)
    ma = xa[rng.integers(0, xa.size, (n_boot, xa.size))].mean(axis=1)
    mb = xb[rng.integers(0, xb.size, (n_boot, xb.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(mb - ma, [tail, 100 - tail])
    return float(lo), float(hi)


def ratio_bootstrap_ci(
    num_a: Sequence[float],
    den_a: Sequence[float],
    num_b: Sequence[float],
    den_b: Sequence[float],
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Cluster bootstrap of sum(num)/sum(den), b minus a, resampling users (not events):
    the right interval for click-through when one shopper sees many cards.
    Returns (lo, hi, two-sided p from the share of resamples on the other side of 0)."""
    na, da = np.asarray(num_a, float), np.asarray(den_a, float)
    nb, db = np.asarray(num_b, float), np.asarray(den_b, float)
    if da.sum() == 0 or db.sum() == 0:
        return -1.0, 1.0, 1.0
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, na.size, (n_boot, na.size))
    ib = rng.integers(0, nb.size, (n_boot, nb.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        diffs = nb[ib].sum(1) / db[ib].sum(1) - na[ia].sum(1) / da[ia].sum(1)
    diffs = diffs[np.isfinite(diffs)]
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(diffs, [tail, 100 - tail])
    p = min(1.0, 2 * min(float((diffs <= 0).mean()), float((diffs >= 0).mean())))
    return float(lo), float(hi), p


def p_text(p: float) -> str:
    """A p-value for people: 'p = 0.023', 'p < 0.001'."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3g}"


def ratio_ci(
    num: Sequence[float],
    den: Sequence[float],
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Cluster-bootstrap interval of sum(num)/sum(den) for one group (resampling shoppers)."""
    xn, xd = np.asarray(num, float), np.asarray(den, float)
    if xd.sum() == 0:
        return 0.0, 1.0
    idx = np.random.default_rng(seed).integers(0, xn.size, (n_boot, xn.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = xn[idx].sum(1) / xd[idx].sum(1)
    r = r[np.isfinite(r)]
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(r, [tail, 100 - tail])
    return float(lo), float(hi)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def points(x: float) -> str:
    return f"{100 * x:+.1f} points"


def verdict(
    metric: str,
    rate_a: float,
    rate_b: float,
    ci: tuple[float, float],
    p_value: float,
    alpha: float = 0.05,
    higher_is_better: bool = True,
    a: str = "A",
    b: str = "B",
) -> str:
    """One plain sentence: what changed, by how much, how sure, and whether it is good."""
    diff = rate_b - rate_a
    head = (
        f"{metric}: {b} {pct(rate_b)} vs {a} {pct(rate_a)} ({points(diff)}, "
        f"95% CI {100 * ci[0]:+.1f} to {100 * ci[1]:+.1f}; {p_text(p_value)})"
    )
    if p_value >= alpha:
        return f"{head}: no clear difference yet; the data fit no change as well as a change."
    better = (diff > 0) == higher_is_better
    word = "better" if better else "worse"
    return f"{head}: {b} is {word}, and the difference is unlikely to be chance."
