"""CLI for experiments on logged impressions; it only parses options. Mounted on the
`experiments` app in shopmate/cli.py.

shopmate experiments replay --logs obd --arm random=random/all --arm bts=bts/all
shopmate experiments size --baseline 0.004 --lift 0.10
shopmate experiments estimate --logs obd/random/all --policy bts:obd/prior_bts.yaml:all --on-policy obd/bts/all
shopmate experiments train-policy --logs obd/bts/all --out var/policy
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shopmate.cli_growth import _wing, _write_json, console, print_report

if TYPE_CHECKING:
    from growth.bandit_logs import LoggedImpressions

LOGS_HELP = (
    "Open Bandit Dataset logs: a campaign CSV (item_id, position, click, propensity_score, "
    "user_feature_*), the folder holding it beside item_context.csv, or a folder of campaign "
    "folders with --campaign."
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/red]", soft_wrap=True)
    return typer.Exit(code)


def _load(path: Path, campaign: str | None) -> LoggedImpressions:
    from growth.bandit_logs import LogFormatError, load_obd

    try:
        return load_obd(path, campaign)
    except LogFormatError as e:
        raise _fail(str(e)) from e


def _shop_arms(database_url: str | None, experiment: str | None) -> dict[str, LoggedImpressions]:
    """The shop's own suggestion_impression / suggestion_click events, one arm per variant."""
    from growth.bandit_logs import impressions_from_events

    types = {"exposure", "suggestion_impression", "suggestion_click"}
    return impressions_from_events(_wing(database_url).tracker.events(types=types), experiment)


def replay_cmd(
    logs: Annotated[
        Path | None, typer.Option(help="The folder the --arm paths are relative to.")
    ] = None,
    arm: Annotated[
        list[str] | None,
        typer.Option(help="NAME=SUBDIR, control first (repeat); SUBDIR as in --help of --logs."),
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign, when a folder holds several.")
    ] = None,
    experiment: Annotated[
        str | None,
        typer.Option(
            help="Instead of --logs: the shop's own tracked cards, one arm per variant of this "
            "experiment (first exposure onwards)."
        ),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="With --experiment: another shop database.")
    ] = None,
    lift: Annotated[
        float | None,
        typer.Option(help="Relative lift to size the test for (default: the observed one)."),
    ] = None,
    power: Annotated[float, typer.Option(help="Power for the size.")] = 0.8,
    alpha: Annotated[float, typer.Option(help="Test level.")] = 0.05,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write it as JSON.")] = None,
) -> None:
    """The A/B report on logged impressions: click-through per arm and per slot with 95%
    intervals, the difference and its z-test, a verdict that claims no more than the clicks
    allow, and how far the data is from the size the test needs."""
    from growth.replay_report import replay_report

    if experiment:
        if logs or arm:
            raise _fail("give --experiment (the shop's own events) or --logs with --arm, not both")
        arms = _shop_arms(database_url, experiment)
        if len(arms) < 2:
            raise _fail(
                f"experiment {experiment!r}: cards were logged for {len(arms)} variant(s) "
                f"({', '.join(arms) or 'none'}); a replay needs two"
            )
        name = experiment
    else:
        if not arm or len(arm) < 2:
            raise _fail(
                "give at least two --arm NAME=SUBDIR (control first), e.g. --logs obd "
                "--arm random=random/all --arm bts=bts/all; or --experiment NAME for the shop's own events"
            )
        where: dict[str, Path] = {}
        for a in arm:
            label, sep, sub = a.partition("=")
            if not sep or not label or not sub:
                raise _fail(f"--arm {a!r}: write NAME=SUBDIR")
            if label in where:
                raise _fail(f"--arm {label!r} given twice")
            where[label] = (logs / sub) if logs else Path(sub)
        arms = {label: _load(path, campaign) for label, path in where.items()}
        name = next(iter(arms.values())).campaign
    try:
        rep = replay_report(arms, name=name, alpha=alpha, power=power, lift=lift)
    except ValueError as e:
        raise _fail(str(e)) from e
    print_report(rep.report, unit="impressions", decimals=2, summary=False)
    console.print(rep.summary, soft_wrap=True)
    if json_out:
        _write_json(json_out, rep.to_dict())


def size_cmd(
    baseline: Annotated[float, typer.Option(help="The control's rate, e.g. 0.004 for 0.4%.")],
    lift: Annotated[float, typer.Option(help="Relative change to detect, e.g. 0.10 for +10%.")],
    power: Annotated[float, typer.Option(help="Chance to detect it if it is real.")] = 0.8,
    alpha: Annotated[float, typer.Option(help="Test level (two-sided).")] = 0.05,
    unit: Annotated[str, typer.Option(help="What is counted: impressions, shoppers.")] = "units",
) -> None:
    """Shoppers or impressions needed per arm (two-proportion test, equal arms)."""
    from growth.sample_size import required_per_arm

    try:
        ans = required_per_arm(baseline, lift, power, alpha)
    except ValueError as e:
        raise _fail(str(e)) from e
    console.print(ans.sentence(unit), soft_wrap=True)


def estimate_cmd(
    policy: Annotated[
        str,
        typer.Option(
            help="The candidate: bts:PRIORS_FILE:CAMPAIGN (Thompson sampling with those priors) "
            "or model:PATH (from `shopmate experiments train-policy`)."
        ),
    ],
    logs: Annotated[Path | None, typer.Option(help=LOGS_HELP)] = None,
    on_policy: Annotated[
        Path | None, typer.Option(help="Logs of the candidate itself, to compare with.")
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign, when a folder holds several.")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Instead of --logs: the shop's own tracked cards with their propensities "
            "(SHOPMATE_SUGGESTION_EXPLORATION > 0)."
        ),
    ] = None,
    n_sim: Annotated[int, typer.Option(help="Monte Carlo draws of a bts policy.")] = 100_000,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the intervals.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the draws, folds and resamples.")] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write it as JSON.")] = None,
) -> None:
    """The CTR a candidate policy would have had, from the logs of the one that ran: IPW,
    self-normalised IPW and doubly robust, each with a 95% bootstrap interval; with
    --on-policy, the candidate's observed CTR and each estimate's relative error."""
    import numpy as np

    from growth.candidate_policy import PolicySpecError, ThompsonPolicy, parse_policy
    from growth.offpolicy import estimate, subset

    if (logs is None) == (database_url is None):
        raise _fail("give --logs DIR (OBD logs) or --database-url URL (the shop's own cards)")
    notes: list[str] = []
    if logs is not None:
        log = _load(logs, campaign)
    else:
        arms = _shop_arms(database_url, None)
        if not arms:
            raise _fail("the shop has logged no suggestion_impression events")
        log = arms["all"]
        ok = np.flatnonzero(np.isfinite(log.propensity) & (log.propensity > 0))
        if ok.size < log.n:
            notes.append(f"{log.n - ok.size} of {log.n} cards had no logged propensity, left out")
        if ok.size == 0:
            raise _fail(
                "no logged card carries a propensity: set SHOPMATE_SUGGESTION_EXPLORATION > 0 "
                "and let the shop log for a while"
            )
        log = subset(log, ok)
    truth = _load(on_policy, campaign) if on_policy else None
    try:
        cand = parse_policy(policy, n_sim, seed)
    except PolicySpecError as e:
        raise _fail(str(e)) from e
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("candidate's slot probabilities (Monte Carlo)", total=n_sim)
        if isinstance(cand, ThompsonPolicy):
            cand.progress = lambda done: bar.update(task, completed=done)
        else:
            bar.update(task, total=1, completed=1, description="candidate's ranking")
        try:
            pi = cand.probs_at(log)
            bar.update(task, description="estimators (click model, bootstrap)")
            res = estimate(log, pi, cand.name, truth, n_boot=bootstrap, seed=seed)
        except ValueError as e:  # PolicySpecError included
            bar.stop()
            raise _fail(str(e)) from e
    res.notes[:0] = notes
    _print_estimates(res)
    if json_out:
        _write_json(json_out, res.to_dict())


def _print_estimates(res: object) -> None:
    from growth.offpolicy import OffPolicyResult

    assert isinstance(res, OffPolicyResult)
    table = Table(
        title=f"CTR of {res.policy} estimated from {res.n:,} logged impressions "
        f"({res.clicks} clicks, logged CTR {100 * res.logged_ctr:.2f}%)"
    )
    for col in ("estimator", "CTR", "95% interval", "relative error"):
        table.add_column(col, justify="left" if col == "estimator" else "right")
    rows = [(k.upper(), e) for k, e in res.estimators.items()]
    if res.on_policy:
        rows.append(("on-policy (observed)", res.on_policy))
    for label, e in rows:
        inside = ""
        if res.on_policy and e is not res.on_policy:
            inside = "" if e.ci[0] <= res.on_policy.value <= e.ci[1] else " (misses)"
        table.add_row(
            label,
            f"{100 * e.value:.3f}%",
            f"[{100 * e.ci[0]:.3f}, {100 * e.ci[1]:.3f}]%",
            f"{e.relative_error:.3f}{inside}" if e.relative_error is not None else "—",
        )
    console.print(table)
    console.print(
        f"largest weight {res.max_weight:.1f}; effective impressions {res.effective_n:,.0f} "
        f"of {res.n:,}",
        soft_wrap=True,
    )
    for n in res.notes:
        console.print(f"[yellow]note[/yellow]: {n}", soft_wrap=True)


def train_policy_cmd(
    logs: Annotated[Path, typer.Option(help=LOGS_HELP)],
    out: Annotated[Path, typer.Option(help="Artifact folder (policy.json, config, metrics).")],
    campaign: Annotated[
        str | None, typer.Option(help="Campaign, when a folder holds several.")
    ] = None,
    c: Annotated[float, typer.Option(help="Inverse L2 strength of the click model.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the hold-out split.")] = 0,
) -> None:
    """Train a ranking policy (a click model on user, item and slot) on logged impressions;
    evaluate it on other logs with `estimate --policy model:OUT`."""
    import json

    from finetune.log_policy import LogPolicyConfig, train_log_policy
    from growth.bandit_logs import LogFormatError

    try:
        path = train_log_policy(LogPolicyConfig(logs, out, campaign, c, seed=seed))
    except (LogFormatError, ValueError) as e:
        raise _fail(str(e)) from e
    metrics = json.loads((path / "metrics.json").read_text())
    console.print(f"policy -> {path}; {json.dumps(metrics)}", soft_wrap=True)
