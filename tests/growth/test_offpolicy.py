"""Off-policy estimates: IPW, SNIPS and DR against hand-computed values, the Thompson-sampling
candidate against a closed form, spec errors, and on the shared Open Bandit Dataset sample
the Thompson-sampling policy's CTR estimated from the random policy's logs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from growth.bandit_logs import LogFormatError, LoggedImpressions, load_obd
from growth.candidate_policy import PolicySpecError, bts_action_dist, parse_policy
from growth.offpolicy import dr_terms, estimate, importance_weights, ipw_terms, snips_value
from growth.reward_model import ClickModel

OBD = Path(__file__).resolve().parents[3] / "shared" / "data" / "bandit" / "obd"
needs_obd = pytest.mark.skipif(
    not (OBD / "random" / "all").is_dir(), reason="shared Open Bandit Dataset sample missing"
)


def tiny() -> LoggedImpressions:
    """4 impressions, 2 items, 1 slot: item 0 logged with p=0.5, item 1 with p=0.25 or 0.75."""
    return LoggedImpressions(
        "tiny",
        np.arange(2),
        action=np.array([0, 1, 0, 1]),
        position=np.zeros(4, dtype=np.int64),
        click=np.array([1, 0, 0, 1]),
        propensity=np.array([0.5, 0.25, 0.5, 0.75]),
        user_features=np.array([["a"], ["a"], ["b"], ["b"]], dtype=object),
    )


def test_estimators_hand_computed() -> None:
    log = tiny()
    pi = np.array([[0.8, 0.2]] * 4)  # the candidate: item 0 with 0.8
    w = importance_weights(log, pi)
    assert w == pytest.approx([1.6, 0.8, 1.6, 0.2 / 0.75])
    r = log.click.astype(float)
    # IPW: (1.6*1 + 0.8*0 + 1.6*0 + 0.26667*1) / 4
    assert ipw_terms(w, r).mean() == pytest.approx((1.6 + 0.2 / 0.75) / 4)
    # SNIPS: the same numerator over the sum of weights 1.6 + 0.8 + 1.6 + 0.26667
    assert snips_value(w, r) == pytest.approx((1.6 + 0.2 / 0.75) / (4.0 + 0.2 / 0.75))
    # DR with q = 0.5 everywhere: 0.5 + w (r - 0.5) per impression
    q = np.full((4, 2), 0.5)
    expected = np.mean(
        [0.5 + 1.6 * 0.5, 0.5 - 0.8 * 0.5, 0.5 - 1.6 * 0.5, 0.5 + (0.2 / 0.75) * 0.5]
    )
    assert dr_terms(w, r, pi, q, log.action).mean() == pytest.approx(expected)
    # a perfect reward model makes DR exact whatever the weights
    q_true = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert dr_terms(w, r, pi, q_true, log.action).mean() == pytest.approx(
        np.mean([0.8, 0.8, 0.2, 0.2])
    )


def test_the_logging_policy_evaluated_on_itself_gives_its_own_ctr() -> None:
    log = tiny()
    pi = np.zeros((4, 2))
    pi[np.arange(4), log.action] = log.propensity  # w = 1 on every impression
    other = 1 - log.propensity
    pi[np.arange(4), 1 - log.action] = other
    res = estimate(log, pi, n_boot=200)
    assert res.estimators["ipw"].value == pytest.approx(0.5)
    assert res.estimators["snips"].value == pytest.approx(0.5)


def test_missing_propensities_are_refused_with_the_reason() -> None:
    log = tiny()
    bad = LoggedImpressions(
        "x", log.item_ids, log.action, log.position, log.click, np.array([0.5, np.nan, 0.5, 0.5])
    )
    with pytest.raises(ValueError, match="1 of 4 impressions have no logging propensity"):
        importance_weights(bad, np.full((4, 2), 0.5))


def test_thompson_sampling_matches_the_closed_form() -> None:
    # theta_0 ~ Beta(1, 1), theta_1 ~ Beta(2, 1): P(theta_1 > theta_0) = int 2x * x dx = 2/3
    dist = bts_action_dist(np.array([1.0, 2.0]), np.array([1.0, 1.0]), 2, n_sim=200_000, seed=1)
    assert dist[1, 0] == pytest.approx(2 / 3, abs=0.005)
    assert dist[0, 0] == pytest.approx(1 / 3, abs=0.005)
    assert dist.sum(axis=0) == pytest.approx([1.0, 1.0])


def test_policy_specs_say_what_is_accepted(tmp_path: Path) -> None:
    priors = tmp_path / "p.yaml"
    priors.write_text("shoes:\n  alpha: [1, 2]\n  beta: [1, 1]\n")
    pol = parse_policy(f"bts:{priors}:shoes", n_sim=1000)
    assert pol.probs_at(tiny()).shape == (4, 2)
    for spec, message in [
        ("ucb:whatever", "unknown kind 'ucb'"),
        (f"bts:{priors}", "write bts:PRIORS_FILE:CAMPAIGN"),
        (f"bts:{priors}:hats", "no campaign 'hats'; campaigns there: shoes"),
        (f"bts:{tmp_path / 'none.yaml'}:shoes", "not found"),
        (f"model:{tmp_path}", "no policy.json"),
    ]:
        with pytest.raises(PolicySpecError, match=message):
            parse_policy(spec)
    three = tmp_path / "three.yaml"
    three.write_text("shoes:\n  alpha: [1, 2, 3]\n  beta: [1, 1, 1]\n")
    with pytest.raises(PolicySpecError, match="the priors name 3 items, the logs 2"):
        parse_policy(f"bts:{three}:shoes").probs_at(tiny())


def test_click_model_round_trip_and_model_policy_ranks_by_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 2000
    users = rng.choice(["a", "b"], n)
    action = rng.integers(0, 3, n)
    click = (rng.random(n) < np.where(action == 2, 0.3, 0.05)).astype(np.int64)  # item 2 best
    log = LoggedImpressions(
        "toy",
        np.arange(3),
        action,
        rng.integers(0, 2, n),
        click,
        np.full(n, 1 / 3),
        users[:, None].astype(object),
    )
    model = ClickModel.fit(log, c=1.0)
    path = model.save(tmp_path / "policy.json")
    again = ClickModel.load(path)
    assert np.allclose(again.predict_all(log), model.predict_all(log))
    pi = parse_policy(f"model:{tmp_path}").probs_at(log)
    slot0 = log.position == 0
    assert (pi[slot0].argmax(axis=1) == 2).all()  # slot 1 shows the best item
    assert pi.sum(axis=1) == pytest.approx(np.ones(n))


def test_reading_logs_says_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(LogFormatError, match="no such file or folder"):
        load_obd(tmp_path / "nope")
    (tmp_path / "x.csv").write_text(",item_id,click\n0,1,0\n")
    with pytest.raises(
        LogFormatError, match=r"missing column\(s\) \['position', 'propensity_score'\]"
    ):
        load_obd(tmp_path)


@needs_obd
def test_bts_estimated_from_random_logs_on_the_shared_campaign() -> None:
    random, bts = load_obd(OBD / "random" / "all"), load_obd(OBD / "bts" / "all")
    pol = parse_policy(f"bts:{OBD / 'prior_bts.yaml'}:{random.campaign}", n_sim=100_000)
    res = estimate(random, pol.probs_at(random), pol.name, bts)
    assert res.on_policy is not None
    assert res.on_policy.value == bts.clicks / bts.n
    for name, e in res.estimators.items():
        assert e.ci[0] <= res.on_policy.value <= e.ci[1], name
        assert e.relative_error is not None and e.relative_error < 0.5, name
    assert res.effective_n < random.n


@needs_obd
def test_estimate_cli_writes_the_documented_json(tmp_path: Path) -> None:
    from shopmate.cli import app

    out = tmp_path / "est.json"
    r = CliRunner().invoke(
        app,
        [
            "experiments",
            "estimate",
            "--logs",
            str(OBD / "random" / "all"),
            "--policy",
            f"bts:{OBD / 'prior_bts.yaml'}:all",
            "--on-policy",
            str(OBD / "bts" / "all"),
            "--n-sim",
            "20000",
            "--bootstrap",
            "300",
            "--json",
            str(out),
        ],
        env={"SHOPMATE_DATA_DIR": str(tmp_path)},
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert set(data["estimators"]) == {"ipw", "snips", "dr"}
    for e in data["estimators"].values():
        assert set(e) >= {"value", "ci"} and e["ci"][0] <= e["value"] <= e["ci"][1]
    assert data["on_policy"]["value"] == pytest.approx(0.0042)
    logs = ["experiments", "estimate", "--logs"]
    bad = CliRunner().invoke(app, [*logs, str(OBD / "random" / "all"), "--policy", "x:y"])
    assert bad.exit_code == 2 and "unknown kind 'x'; accepted: bts:PRIORS_FILE" in bad.output
    bad = CliRunner().invoke(app, [*logs, str(OBD / "random"), "--policy", "x:y"])
    assert bad.exit_code == 2 and "campaign folders all; name one with --campaign" in bad.output


@needs_obd
def test_train_policy_then_estimate_it(tmp_path: Path) -> None:
    from shopmate.cli import app

    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    out = tmp_path / "policy"
    r = CliRunner().invoke(
        app,
        ["experiments", "train-policy", "--logs", str(OBD / "bts" / "all"), "--out", str(out)],
        env=env,
    )
    assert r.exit_code == 0, r.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["impressions"] == 10_000 and metrics["clicks"] == 42
    random = load_obd(OBD / "random" / "all")
    pi = parse_policy(f"model:{out}").probs_at(random)
    res = estimate(random, pi, "model", n_boot=300)
    # a deterministic ranking matches one of 80 items per slot: weight 80 or 0
    assert res.max_weight == pytest.approx(random.n_items)
    assert res.estimators["ipw"].ci[0] <= res.estimators["ipw"].value


@needs_obd
def test_the_random_policy_estimated_the_other_way_from_the_thompson_logs() -> None:
    random, bts = load_obd(OBD / "random" / "all"), load_obd(OBD / "bts" / "all")
    uniform = np.full((bts.n, bts.n_items), 1 / bts.n_items)
    res = estimate(bts, uniform, "uniform", random)
    assert res.on_policy is not None
    for name, e in res.estimators.items():
        assert e.ci[0] <= res.on_policy.value <= e.ci[1], name
        assert e.relative_error is not None and e.relative_error < 0.5, name
