"""Experiments: stable, balanced bucketing; storage and exposure; config files; the report."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from growth.ab_report import build_report
from growth.experiments import (
    Experiment,
    ExperimentError,
    ExperimentStore,
    bucket,
    eligible,
    from_dict,
    load_config,
)
from growth.stats import two_proportion_ztest
from growth.tracking import Tracker, TrackingError, TrackRecord
from shop.repository import ShopRepository

IDS = [f"user-{i}" for i in range(100_000)]


def test_bucketing_is_balanced_within_two_percent_on_100k_ids() -> None:
    exp = Experiment("balance", ("a", "b"))
    counts = Counter(bucket(exp, u) for u in IDS)
    assert abs(counts["a"] / len(IDS) - 0.5) < 0.02
    three = Experiment("three", ("x", "y", "z"), (0.2, 0.3, 0.5))
    counts = Counter(bucket(three, u) for u in IDS)
    for v, share in zip(three.variants, (0.2, 0.3, 0.5), strict=True):
        assert abs(counts[v] / len(IDS) - share) < 0.02


def test_bucketing_is_stable_and_independent_across_experiments() -> None:
    exp = Experiment("stable", ("a", "b"))
    first = [bucket(exp, u) for u in IDS[:1000]]
    assert first == [bucket(Experiment("stable", ("a", "b")), u) for u in IDS[:1000]]
    # pinned: sha256 of "variant\x1fstable\x1fuser-0" must keep giving the same answer
    assert [bucket(exp, u) for u in IDS[:8]] == first[:8]
    assert bucket(exp, "u0001") == bucket(exp, "u0001")
    other = Experiment("other", ("a", "b"))
    pairs = Counter((bucket(exp, u), bucket(other, u)) for u in IDS)
    for n in pairs.values():  # each of the four cells near a quarter
        assert abs(n / len(IDS) - 0.25) < 0.02


def test_traffic_and_segment_targeting() -> None:
    exp = Experiment("tenth", ("a", "b"), traffic=0.1)
    share = sum(eligible(exp, u, returning=False) for u in IDS) / len(IDS)
    assert abs(share - 0.1) < 0.02
    new_only = Experiment("new", ("a", "b"), segment="new")
    assert eligible(new_only, "u1", returning=False) and not eligible(new_only, "u1", True)
    stopped = Experiment("s", ("a", "b"), status="stopped")
    assert not eligible(stopped, "u1", returning=False)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Bad Name", "variants": ["a", "b"]}, "lowercase"),
        ({"name": "x", "variants": ["a"]}, "two distinct"),
        ({"name": "x", "variants": ["a", "a"]}, "two distinct"),
        ({"name": "x", "variants": ["a", "b"], "allocation": [1]}, "one non-negative weight"),
        ({"name": "x", "variants": ["a", "b"], "allocation": [-1, 2]}, "non-negative"),
        ({"name": "x", "variants": ["a", "b"], "traffic": 0}, "traffic"),
        ({"name": "x", "variants": ["a", "b"], "segment": "vip"}, "accepted: all, new"),
        ({"name": "x", "variants": ["a", "b"], "colour": "red"}, "unknown experiment field"),
        ({"variants": ["a", "b"]}, "needs 'name'"),
    ],
)
def test_bad_definitions_say_what_is_accepted(fields: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ExperimentError, match=message):
        from_dict(fields)


def test_config_files_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "exp.toml"
    toml.write_text(
        '[[experiment]]\nname = "suggestions"\nvariants = ["off", "on"]\nallocation = [1, 3]\n'
        '[[experiment]]\nname = "encoder"\nvariants = ["mean", "trained"]\nsegment = "returning"\n'
    )
    exps = load_config(toml)
    assert [e.name for e in exps] == ["suggestions", "encoder"]
    assert exps[0].allocation == (0.25, 0.75) and exps[1].segment == "returning"
    js = tmp_path / "exp.json"
    js.write_text('{"experiments": [{"name": "a1", "variants": ["x", "y"]}]}')
    assert load_config(js)[0].allocation == (0.5, 0.5)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[experiment]\n")
    with pytest.raises(ExperimentError, match="not valid TOML"):
        load_config(broken)
    yaml = tmp_path / "exp.yaml"
    yaml.write_text("experiment: x")
    with pytest.raises(ExperimentError, match=r"\.toml or \.json"):
        load_config(yaml)


def test_store_assign_logs_one_exposure(tmp_path: Path) -> None:
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    store = ExperimentStore(repo)
    store.save(Experiment("suggestions", ("off", "on"), description="cards on or off"))
    assert [e.name for e in store.all()] == ["suggestions"]
    v = store.assign("suggestions", "u0001")
    assert v == bucket(Experiment("suggestions", ("off", "on")), "u0001")
    assert store.assign("suggestions", "u0001") == v  # no second exposure
    exposures = store.tracker.events(types={"exposure"})
    assert len(exposures) == 1 and exposures[0].variant == v
    with pytest.raises(KeyError):
        store.assign("nope", "u1")
    store.set_status("suggestions", "stopped")
    assert store.assign("suggestions", "u0002") is None


def test_tracking_schema_rejects_bad_events(tmp_path: Path) -> None:
    tracker = Tracker(ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}"))
    with pytest.raises(TrackingError, match="accepted: view"):
        tracker.track("teleport", user_id="u1")
    with pytest.raises(TrackingError, match="needs product_id"):
        tracker.track("suggestion_click", user_id="u1")
    with pytest.raises(TrackingError, match="/v1/feedback"):
        tracker.track("thumbs_up", user_id="u1")
    tracker.track("visit", user_id="u1", session_id="s1")
    assert [e.type for e in tracker.events()] == ["visit"]
    assert tracker.forget_user("u1") == 1 and tracker.events() == []


def _events(
    variant: str, users: int, returned: int, bought: int, t0: datetime
) -> list[TrackRecord]:
    out = []
    for i in range(users):
        uid = f"{variant}-{i}"
        out.append(TrackRecord("exposure", t0, uid, experiment="exp", variant=variant))
        out.append(TrackRecord("visit", t0, uid))
        out.append(TrackRecord("suggestion_impression", t0, uid, product_id="p1"))
        out.append(TrackRecord("suggestion_impression", t0, uid, product_id="p2"))
        if i < returned:
            out.append(TrackRecord("visit", t0 + timedelta(days=3), uid))
        if i < bought:
            out.append(TrackRecord("suggestion_click", t0, uid, product_id="p1"))
            out.append(TrackRecord("purchase", t0 + timedelta(hours=1), uid, product_id="p1"))
    # activity before the exposure never counts
    out.append(TrackRecord("purchase", t0 - timedelta(days=1), f"{variant}-0", product_id="p9"))
    return out


def test_report_counts_match_a_hand_built_history() -> None:
    t0 = datetime(2026, 9, 1, 10, tzinfo=UTC)
    events = _events("off", 400, 120, 20, t0) + _events("on", 400, 160, 40, t0)
    exp = Experiment("exp", ("off", "on"))
    report = build_report(exp, events, data_end=t0 + timedelta(days=10))
    assert report.exposed == {"off": 400, "on": 400}
    r7 = report.metric("return_7d")
    assert [(f.num, f.den) for f in r7.figures] == [(120, 400), (160, 400)]
    t = two_proportion_ztest(120, 400, 160, 400)
    c = r7.comparisons[0]
    assert c.diff == pytest.approx(0.1) and c.p_value == pytest.approx(t.p_value)
    assert c.significant and "on is better" in c.verdict
    # the 30-day window has not passed yet for anybody: no shopper in the denominator
    assert [f.den for f in report.metric("return_30d").figures] == [0, 0]
    assert "cannot be compared yet" in report.metric("return_30d").comparisons[0].verdict
    conv = report.metric("conversion")
    assert [f.num for f in conv.figures] == [20, 40]
    ctr = report.metric("suggestion_ctr")
    assert [f.rate for f in ctr.figures] == [20 / 800, 40 / 800]
    assert "Experiment exp" in report.summary and report.to_dict()["experiment"] == "exp"


def test_forgetting_a_shopper_erases_their_tracked_events(tmp_path: Path) -> None:
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    tracker = Tracker(repo)
    tracker.track("visit", user_id="u1", session_id="s1")
    tracker.track("visit", user_id="u2", session_id="s2")
    assert repo.forget_user("u1")["track_events"] == 1
    assert [e.user_id for e in tracker.events()] == ["u2"]
