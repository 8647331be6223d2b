"""The growth commands: experiments create/list/report, analytics CSVs, simulate's checks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shopmate.cli import app

runner = CliRunner()


def test_experiments_commands(tmp_path: Path) -> None:
    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    made = runner.invoke(app, ["experiments", "create", "cards", "--variants", "off,on"], env=env)
    assert made.exit_code == 0, made.output
    bad = runner.invoke(app, ["experiments", "create", "Cards!", "--variants", "a,b"], env=env)
    assert bad.exit_code == 2 and "lowercase" in bad.output
    assert (
        "cards [running] off 50%, on 50%"
        in runner.invoke(app, ["experiments", "list"], env=env).output
    )
    out = tmp_path / "r.json"
    rep = runner.invoke(app, ["experiments", "report", "cards", "--json", str(out)], env=env)
    assert rep.exit_code == 0, rep.output
    assert json.loads(out.read_text())["experiment"] == "cards"
    missing = runner.invoke(app, ["experiments", "report", "nope"], env=env)
    assert missing.exit_code == 1 and "no experiment 'nope'" in missing.output
    cfg = tmp_path / "e.toml"
    cfg.write_text('[[experiment]]\nname = "enc"\nvariants = ["mean", "trained"]\n')
    assert runner.invoke(app, ["experiments", "load", str(cfg)], env=env).exit_code == 0


def test_analytics_csvs_on_an_empty_shop(tmp_path: Path) -> None:
    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    r = runner.invoke(app, ["analytics", "retention", "--out", str(tmp_path / "csv")], env=env)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "csv" / "cohorts.csv").exists()
    r = runner.invoke(
        app, ["analytics", "sentiment", "--out", str(tmp_path / "csv"), "--alert"], env=env
    )
    assert r.exit_code == 2 and "SHOPMATE_ALERT_WEBHOOK_URL" in r.output


def test_simulate_rejects_unknown_variants(tmp_path: Path) -> None:
    env = {"SHOPMATE_DATA_DIR": str(tmp_path)}
    r = runner.invoke(app, ["simulate", "--variant", "a=off", "--variant", "b=magic"], env=env)
    assert r.exit_code == 2 and "accepted kinds" in r.output
