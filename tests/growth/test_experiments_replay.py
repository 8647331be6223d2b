"""The A/B report on logged impressions and the size calculator: hand-computed sizes, the
replay's CTRs equal to the raw click counts of the shared campaign, the shop's own tracked
cards joined to their clicks, and the commands."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from growth.bandit_logs import LoggedImpressions, impressions_from_events, load_obd
from growth.replay_report import SPARSE_CLICKS, replay_report
from growth.sample_size import power_of, required_per_arm
from growth.tracking import TrackRecord
from shopmate.cli import app

OBD = Path(__file__).resolve().parents[3] / "shared" / "data" / "bandit" / "obd"
needs_obd = pytest.mark.skipif(
    not (OBD / "random" / "all").is_dir(), reason="shared Open Bandit Dataset sample missing"
)
runner = CliRunner()


def textbook(p1: float, p2: float, power: float, alpha: float) -> float:
    """The two-proportion formula written out with scipy's normal quantiles."""
    pbar = (p1 + p2) / 2
    a = norm.ppf(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar))
    b = norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return (a + b) ** 2 / (p2 - p1) ** 2


@pytest.mark.parametrize(
    ("baseline", "lift", "power", "alpha", "by_hand"),
    [
        (0.10, 0.20, 0.8, 0.05, 3841),  # 10% -> 12%: the figure of the standard tables
        (0.05, 0.10, 0.8, 0.05, 31234),  # 5% -> 5.5%, worked out by hand
        (0.0038, 0.10, 0.9, 0.01, None),
        (0.30, -0.10, 0.8, 0.05, None),
    ],
)
def test_size_agrees_with_the_two_proportion_formula(
    baseline: float, lift: float, power: float, alpha: float, by_hand: int | None
) -> None:
    ans = required_per_arm(baseline, lift, power, alpha)
    assert ans.n == math.ceil(textbook(baseline, baseline * (1 + lift), power, alpha))
    if by_hand is not None:
        assert ans.n == by_hand
    assert power_of(ans.n, ans.n, ans.baseline, ans.target, alpha) == pytest.approx(
        power, abs=0.002
    )


def test_size_refuses_what_cannot_be_sized() -> None:
    with pytest.raises(ValueError, match="baseline must be a rate in"):
        required_per_arm(1.5, 0.1)
    with pytest.raises(ValueError, match="lift must be non-zero"):
        required_per_arm(0.5, 1.5)
    with pytest.raises(ValueError, match="power must be in"):
        required_per_arm(0.1, 0.1, power=1.0)


def arm(clicks_per_slot: list[tuple[int, int]]) -> LoggedImpressions:
    pos, click = [], []
    for k, (x, n) in enumerate(clicks_per_slot):
        pos += [k] * n
        click += [1] * x + [0] * (n - x)
    n = len(pos)
    return LoggedImpressions(
        "t", np.arange(1), np.zeros(n, int), np.array(pos), np.array(click), np.ones(n)
    )


def test_replay_counts_and_verdicts_claim_no_more_than_the_clicks() -> None:
    a = arm([(100, 5000), (3, 5000)])
    b = arm([(160, 5000), (5, 5000)])
    rep = replay_report({"old": a, "new": b})
    ctr = rep.report.metric("suggestion_ctr")
    assert [(f.num, f.den) for f in ctr.figures] == [(103, 10000), (165, 10000)]
    assert ctr.comparisons[0].significant and "higher" in ctr.comparisons[0].verdict
    slot2 = rep.report.metric("ctr_slot_2").comparisons[0]
    assert not slot2.significant and "too few clicks to tell" in slot2.verdict
    assert f"at least {SPARSE_CLICKS}" in slot2.verdict
    assert rep.size is not None and rep.size.n == required_per_arm(0.0103, 165 / 103 - 1).n
    assert rep.enough == pytest.approx(10000 / rep.size.n)
    assert "of enough" in rep.summary


@needs_obd
def test_replay_of_the_shared_campaign_equals_the_raw_click_counts() -> None:
    import pandas as pd

    arms = {"random": load_obd(OBD / "random" / "all"), "bts": load_obd(OBD / "bts" / "all")}
    rep = replay_report(arms)
    for name, f in zip(arms, rep.report.metric("suggestion_ctr").figures, strict=True):
        raw = pd.read_csv(OBD / name / "all" / "all.csv", usecols=["position", "click"])
        assert (f.num, f.den, f.rate) == (raw.click.sum(), len(raw), raw.click.sum() / len(raw))
        for k, pos in enumerate(sorted(raw.position.unique())):
            slot = rep.report.metric(f"ctr_slot_{k + 1}").figures[list(arms).index(name)]
            here = raw[raw.position == pos]
            assert (slot.num, slot.den) == (here.click.sum(), len(here))
    assert rep.enough < 1  # 10,000 impressions per arm are far from enough at 0.4% CTR


@needs_obd
def test_replay_and_size_commands(tmp_path: Path) -> None:
    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    out = tmp_path / "r.json"
    r = runner.invoke(
        app,
        [
            "experiments", "replay", "--logs", str(OBD),
            "--arm", "random=random/all", "--arm", "bts=bts/all", "--json", str(out),
        ],
        env=env,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["metrics"][0]["figures"][1]["num"] == 42 and data["size"]["n"] > 10_000
    assert "Click-through, slot 3" in r.output


def test_command_errors_say_what_is_accepted(tmp_path: Path) -> None:
    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    one = runner.invoke(app, ["experiments", "replay", "--arm", "a=x"], env=env)
    assert one.exit_code == 2 and "at least two --arm NAME=SUBDIR" in one.output
    bad = runner.invoke(app, ["experiments", "replay", "--arm", "a=x", "--arm", "b"], env=env)
    assert bad.exit_code == 2 and "write NAME=SUBDIR" in bad.output
    gone = runner.invoke(
        app, ["experiments", "replay", "--arm", f"a={tmp_path}/x", "--arm", f"b={tmp_path}/y"]
    )
    assert gone.exit_code == 2 and "no such file or folder" in gone.output
    size = runner.invoke(
        app, ["experiments", "size", "--baseline", "0.1", "--lift", "0.2", "--unit", "shoppers"]
    )
    assert size.exit_code == 0 and "3,841 shoppers per arm" in size.output
    wrong = runner.invoke(app, ["experiments", "size", "--baseline", "2", "--lift", "0.2"])
    assert wrong.exit_code == 2 and "baseline must be a rate" in wrong.output


def test_the_shops_own_cards_become_impressions_per_variant(tmp_path: Path) -> None:
    from growth.tracking import Tracker
    from shop.repository import ShopRepository

    t0 = datetime(2026, 1, 5, tzinfo=UTC)

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    rows = [
        TrackRecord("exposure", at(0), "u1", "s1", experiment="cards", variant="off"),
        TrackRecord("exposure", at(0), "u2", "s2", experiment="cards", variant="on"),
        TrackRecord("suggestion_impression", at(1), "u1", "s1", "p1", props={"position": 0}),
        TrackRecord(
            "suggestion_impression",
            at(1),
            "u2",
            "s2",
            "p1",
            props={"position": 0, "propensity": 0.9},
        ),
        TrackRecord(
            "suggestion_impression",
            at(1),
            "u2",
            "s2",
            "p2",
            props={"position": 1, "propensity": 0.2},
        ),
        TrackRecord("suggestion_click", at(2), "u2", "s2", "p2"),
        TrackRecord("suggestion_click", at(3), "u2", "s2", "p2"),  # a second click: no new card
        TrackRecord("suggestion_click", at(3), "u1", "s1", "p9"),  # never shown: left out
    ]
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    Tracker(repo).track_many(rows)
    arms = impressions_from_events(Tracker(repo).events(), "cards")
    assert set(arms) == {"off", "on"}
    on = arms["on"]
    assert (on.n, on.clicks, list(on.position)) == (2, 1, [0, 1])
    assert list(on.item_ids[on.action[on.click == 1]]) == ["p2"]
    assert on.has_propensities and not arms["off"].has_propensities
    assert arms["off"].clicks == 0
    r = runner.invoke(
        app,
        ["experiments", "replay", "--experiment", "cards", "--database-url", f"sqlite:///{tmp_path / 'shop.db'}"],
        env={"SHOPMATE_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "too few clicks to tell" in r.output
