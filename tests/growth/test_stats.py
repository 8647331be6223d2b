"""A/B statistics against numbers worked out by hand (formulas in the comments)."""

from __future__ import annotations

import math

import pytest

from growth.stats import (
    bootstrap_diff_ci,
    diff_interval,
    ratio_bootstrap_ci,
    two_proportion_ztest,
    verdict,
    wald_interval,
    wilson_interval,
    z_for,
)


def test_normal_quantile() -> None:
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError, match="confidence"):
        z_for(1.0)


def test_z_test_200_of_1000_vs_250_of_1000() -> None:
    # pooled p = 450/2000 = 0.225; se = sqrt(0.225 * 0.775 * (1/1000 + 1/1000)) = 0.0186748
    # z = 0.05 / 0.0186748 = 2.67740; p = 2 * (1 - Phi(2.6774)) = 0.00742
    t = two_proportion_ztest(200, 1000, 250, 1000)
    assert t.rate_a == 0.2 and t.rate_b == 0.25
    assert t.diff == pytest.approx(0.05)
    assert t.z == pytest.approx(2.67740, abs=1e-4)
    assert t.p_value == pytest.approx(0.00742, abs=1e-4)
    # unpooled se = sqrt(0.2*0.8/1000 + 0.25*0.75/1000) = 0.0186414; half = 1.96 * se = 0.036536
    assert t.ci[0] == pytest.approx(0.013464, abs=1e-5)
    assert t.ci[1] == pytest.approx(0.086536, abs=1e-5)


def test_z_test_small_difference_is_not_significant() -> None:
    # pooled 0.11; se = sqrt(0.11 * 0.89 * 0.02) = 0.044249; z = 0.02 / 0.044249 = 0.45198
    t = two_proportion_ztest(10, 100, 12, 100)
    assert t.z == pytest.approx(0.45198, abs=1e-4)
    assert t.p_value == pytest.approx(0.6513, abs=1e-3)
    assert t.ci[0] < 0 < t.ci[1]


def test_z_test_is_antisymmetric_and_degenerate_cases() -> None:
    a, b = two_proportion_ztest(30, 90, 45, 110), two_proportion_ztest(45, 110, 30, 90)
    assert a.z == pytest.approx(-b.z) and a.p_value == pytest.approx(b.p_value)
    assert two_proportion_ztest(0, 50, 0, 50).p_value == 1.0  # no variance at all
    assert two_proportion_ztest(0, 0, 3, 10).p_value == 1.0  # an empty arm
    with pytest.raises(ValueError, match="successes"):
        two_proportion_ztest(11, 10, 1, 10)


def test_wilson_interval_textbook_values() -> None:
    # 8/10: centre = (0.8 + 1.9208/10) / 1.38415 = 0.71672; half = 1.96 * sqrt(0.016 + 0.0009604) / 1.38415 = 0.22656
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    # 0/10: upper = (z²/n) / (1 + z²/n) = 0.38415 / 1.38415 = 0.27753
    lo, hi = wilson_interval(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12) and hi == pytest.approx(0.27753, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wald_and_difference_intervals() -> None:
    # 50/100: 0.5 ± 1.96 * 0.05
    lo, hi = wald_interval(50, 100)
    assert lo == pytest.approx(0.40201, abs=1e-4) and hi == pytest.approx(0.59799, abs=1e-4)
    lo, hi = diff_interval(50, 100, 50, 100)
    assert lo == pytest.approx(-0.13859, abs=1e-4) and hi == pytest.approx(0.13859, abs=1e-4)


def test_bootstrap_is_seeded_and_centred() -> None:
    a = [float(x) for x in range(100)]
    b = [x + 5 for x in a]
    lo, hi = bootstrap_diff_ci(a, b, n_boot=2000, seed=1)
    assert lo < 5 < hi
    # se of a mean difference of two such groups = sqrt(2 * var / 100), var = 833.25 -> 4.08
    assert (hi - lo) == pytest.approx(2 * 1.96 * math.sqrt(2 * 833.25 / 100), rel=0.15)
    assert bootstrap_diff_ci(a, b, seed=1) == bootstrap_diff_ci(a, b, seed=1)
    assert bootstrap_diff_ci([0.0] * 10, [1.0] * 10) == (1.0, 1.0)
    with pytest.raises(ValueError, match="at least one"):
        bootstrap_diff_ci([], [1.0])


def test_cluster_bootstrap_for_click_through() -> None:
    # 40 shoppers per arm, 10 impressions each; A clicks 1 in 10, B 3 in 10 -> diff 0.2 exactly
    lo, hi, p = ratio_bootstrap_ci([1] * 40, [10] * 40, [3] * 40, [10] * 40)
    assert lo == pytest.approx(0.2) and hi == pytest.approx(0.2) and p == 0.0
    lo, hi, p = ratio_bootstrap_ci([1, 0] * 20, [5] * 40, [0, 1] * 20, [5] * 40)
    assert lo < 0 < hi and p > 0.5


def test_verdict_in_plain_words() -> None:
    good = verdict("7-day return rate", 0.30, 0.36, (0.02, 0.10), 0.004, a="off", b="on")
    assert good.startswith(
        "7-day return rate: on 36.0% vs off 30.0% (+6.0 points, 95% CI +2.0 to +10.0"
    )
    assert "on is better" in good
    flat = verdict("Conversion", 0.10, 0.11, (-0.02, 0.04), 0.4)
    assert "no clear difference" in flat
    worse = verdict("Handoff rate", 0.05, 0.09, (0.01, 0.07), 0.01, higher_is_better=False)
    assert "B is worse" in worse


def test_one_group_cluster_interval() -> None:
    from growth.stats import ratio_ci

    assert ratio_ci([2] * 30, [10] * 30) == (pytest.approx(0.2), pytest.approx(0.2))
    lo, hi = ratio_ci([0, 4] * 30, [10] * 60)
    assert lo < 0.2 < hi and hi - lo > 0.05  # shoppers differ: the interval is wide
    assert ratio_ci([], []) == (0.0, 1.0)


def test_z_test_false_positive_rate_is_near_alpha() -> None:
    """A/A: 1,000 pairs of equal arms (n=500, p=0.3) reject at 5% about 5% of the time."""
    import numpy as np

    rng = np.random.default_rng(7)
    xa, xb = rng.binomial(500, 0.3, 1000), rng.binomial(500, 0.3, 1000)
    rejected = sum(
        two_proportion_ztest(int(a), 500, int(b), 500).p_value < 0.05
        for a, b in zip(xa, xb, strict=True)
    )
    assert 0.03 <= rejected / 1000 <= 0.07
    # a real 8-point difference is found as often as the formula says: power =
    # 1 - Phi(1.96 - 0.08 / sqrt(0.3*0.7/500 + 0.38*0.62/500)) = 0.764
    xb = rng.binomial(500, 0.38, 1000)
    found = sum(
        two_proportion_ztest(int(a), 500, int(b), 500).p_value < 0.05
        for a, b in zip(xa, xb, strict=True)
    )
    assert abs(found / 1000 - 0.764) < 0.05
