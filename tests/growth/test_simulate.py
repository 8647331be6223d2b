"""The simulator: real bucketing, the real Recommender, seeded; a small run to stay fast."""

from __future__ import annotations

import pytest

from growth.experiments import Experiment, bucket
from shopmate.simulate import SimConfig, last_simulation, parse_variant, simulate


def test_config_validation_names_what_is_accepted() -> None:
    with pytest.raises(ValueError, match="accepted kinds: off, popular, personal"):
        SimConfig(variants=(("a", "off"), ("b", "magic")))
    with pytest.raises(ValueError, match="shoppers must be"):
        SimConfig(shoppers=5)
    assert parse_variant("cards=personal") == ("cards", "personal")
    assert parse_variant("off") == ("off", "off")


def test_small_simulation_is_seeded_and_uses_the_real_pieces(services) -> None:  # type: ignore[no-untyped-def]
    cfg = SimConfig(
        days=6, shoppers=60, seed=3, variants=(("off", "off"), ("personal", "personal"))
    )
    first = simulate(services, cfg)
    rep = first.report
    assert sum(rep.exposed.values()) == 60
    exp = Experiment(cfg.experiment, ("off", "personal"))
    expected = sum(bucket(exp, f"sim{i:05d}") == "personal" for i in range(1, 61))
    assert rep.exposed["personal"] == expected
    # the recommender sees events only, yet most of its cards match the hidden tastes
    assert first.cards_on_taste["personal"] > 0.5 and first.cards_on_taste["off"] == 0.0
    ctr = rep.metric("suggestion_ctr")
    assert ctr.figures[0].den == 0  # "off" shows no cards
    assert "cannot be compared yet; off had nothing to count" in ctr.comparisons[0].verdict
    assert [f.den for f in rep.metric("return_30d").figures] == [0, 0]  # 6 days < 30
    assert last_simulation(services.settings.data_dir)["days"] == 6  # type: ignore[index]
    again = simulate(services, cfg)
    assert again.report.to_dict() == rep.to_dict() and again.visits == first.visits
