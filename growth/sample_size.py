"""How many shoppers or impressions an A/B test needs, and how much power the data has.

The standard two-proportion formula (two-sided test at level alpha, normal approximation,
no continuity correction; Fleiss, Levin & Paik, *Statistical Methods for Rates and
Proportions*, eq. 4.14 without the correction), for equal arms::

    n = (z_{1-alpha/2} * sqrt(2 * pbar * (1 - pbar)) + z_{power} * sqrt(p1 q1 + p2 q2))^2 / (p2 - p1)^2

    >>> required_per_arm(0.10, 0.20).n      # 10% -> 12%, power 0.8, alpha 0.05
    3841
    >>> round(power_of(3841, 3841, 0.10, 0.12), 3)
    0.8
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_N = NormalDist()


@dataclass(frozen=True)
class SizeAnswer:
    baseline: float  # the control's rate
    target: float  # the treatment's rate to detect: baseline * (1 + lift)
    lift: float  # relative
    power: float
    alpha: float
    n: int  # per arm

    def sentence(self, unit: str = "shoppers") -> str:
        return (
            f"To detect {100 * self.baseline:.2f}% -> {100 * self.target:.2f}% "
            f"({100 * self.lift:+.3g}% relative) with power {self.power:.0%} at alpha "
            f"{self.alpha:g} (two-sided): {self.n:,} {unit} per arm."
        )


def _check(baseline: float, lift: float, power: float, alpha: float) -> float:
    if not 0.0 < baseline < 1.0:
        raise ValueError(f"baseline must be a rate in (0, 1), got {baseline}")
    target = baseline * (1 + lift)
    if lift == 0 or not 0.0 < target < 1.0:
        raise ValueError(
            f"lift must be non-zero and keep the rate in (0, 1): {baseline} x (1 + {lift}) = {target:g}"
        )
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be in (0, 1), got {power}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return target


def required_per_arm(
    baseline: float, lift: float, power: float = 0.8, alpha: float = 0.05
) -> SizeAnswer:
    """Units per arm to detect a relative `lift` over `baseline` (two-sided, equal arms)."""
    p2 = _check(baseline, lift, power, alpha)
    p1 = baseline
    pbar = (p1 + p2) / 2
    za, zb = _N.inv_cdf(1 - alpha / 2), _N.inv_cdf(power)
    top = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return SizeAnswer(p1, p2, lift, power, alpha, math.ceil(top**2 / (p2 - p1) ** 2))


def power_of(n_a: int, n_b: int, p1: float, p2: float, alpha: float = 0.05) -> float:
    """The power of the two-sided two-proportion test with these arm sizes to tell p1 from p2
    (the same approximation as `required_per_arm`; 0 when an arm is empty)."""
    if n_a <= 0 or n_b <= 0 or p1 == p2:
        return 0.0 if p1 != p2 else alpha
    pbar = (n_a * p1 + n_b * p2) / (n_a + n_b)
    se0 = math.sqrt(pbar * (1 - pbar) * (1 / n_a + 1 / n_b))
    se1 = math.sqrt(p1 * (1 - p1) / n_a + p2 * (1 - p2) / n_b)
    za = _N.inv_cdf(1 - alpha / 2)
    d = abs(p2 - p1)
    return _N.cdf((d - za * se0) / se1) + _N.cdf((-d - za * se0) / se1)
