"""The admin panel's experiment sizes and its off-policy table: hand-computed sizes from a
report built on real tracked events, the candidate's estimates beside the live CTR on the
shared Open Bandit Dataset sample, and errors shown to the person instead of raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from growth.ab_report import build_report
from growth.experiments import Experiment
from growth.tracking import Tracker, TrackRecord
from shop.repository import ShopRepository
from shopmate.growth_panel import estimate_view, size_lines

OBD = Path(__file__).resolve().parents[3] / "shared" / "data" / "bandit" / "obd"


def test_size_lines_use_the_controls_rate_and_the_smallest_arm() -> None:
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    exp = Experiment("cards", ("off", "on"))
    events = []
    for i in range(40):  # 20 shoppers per arm; 2 of 20 bought in the control
        uid, variant = f"u{i}", ("off" if i % 2 == 0 else "on")
        events.append(TrackRecord("exposure", t0, uid, experiment="cards", variant=variant))
        if i in (0, 2, 1):
            events.append(TrackRecord("purchase", t0 + timedelta(hours=1), uid, product_id="p1"))
    rep = build_report(exp, events, t0 + timedelta(days=40))
    lines = size_lines(rep, lift=0.2)
    bought = next(x for x in lines if x.startswith("Conversion"))
    # control 2/20 = 10%, +20% -> 12%: 3,841 shoppers per arm; 20 is 1% of that
    assert "3,841 shoppers per arm" in bought and "has 20 (1% of enough)" in bought
    ctr = next(x for x in lines if x.startswith("Suggestion click-through"))
    assert "no size yet" in ctr  # no cards shown


@pytest.mark.skipif(not (OBD / "random" / "all").is_dir(), reason="shared OBD sample missing")
def test_estimate_view_sets_the_candidate_beside_the_live_policy(tmp_path: Path) -> None:
    tracker = Tracker(ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}"))
    text, table = estimate_view(
        tracker,
        str(OBD / "random" / "all"),
        f"bts:{OBD / 'prior_bts.yaml'}:all",
        str(OBD / "bts" / "all"),
    )
    assert "10,000 logged impressions, 38 clicks" in text
    assert list(table["figure"]) == [
        "observed",
        "IPW estimate",
        "SNIPS estimate",
        "DR estimate",
        "observed (its own logs)",
    ]
    assert table["CTR"].iloc[0] == "0.380%" and table["CTR"].iloc[-1] == "0.420%"


def test_estimate_view_reports_problems(tmp_path: Path) -> None:
    tracker = Tracker(ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}"))
    text, table = estimate_view(tracker, str(tmp_path / "nope"), "bts:x:y", "")
    assert text.startswith("**Cannot estimate:**") and "no such file or folder" in text
    assert table.empty
    text, _ = estimate_view(tracker, "", "bts:x:y", "")
    assert "no suggestion cards yet" in text
