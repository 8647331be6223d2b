"""CLI for experiments, the simulator and growth analytics; it only parses options.

shopmate experiments create suggestions --variants off,on
shopmate experiments load experiments.toml
shopmate experiments report suggestions --json out.json
shopmate experiments replay|size|estimate|train-policy   (logged impressions: cli_offpolicy.py)
shopmate simulate --days 30 --variant popular=popular --variant personal=personal
shopmate analytics retention --csv retention.csv
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shopmate.cli_setup import cli_settings
from shopmate.console import make_console

if TYPE_CHECKING:
    from growth.ab_report import ExperimentReport
    from growth.wing import Growth

console = make_console()
experiments_app = typer.Typer(help="A/B experiments: define, load, report.", no_args_is_help=True)
analytics_app = typer.Typer(
    help="Retention, demand and sentiment figures as CSV.", no_args_is_help=True
)


def _wing(database_url: str | None = None) -> Growth:
    """The growth wing of the shop's database (or another one, e.g. a simulation's)."""
    from shop.repository import ShopRepository
    from shopmate.growth_wiring import build_growth

    s = cli_settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    return build_growth(s, ShopRepository.from_url(database_url or s.resolved_database_url()))


def print_report(
    report: ExperimentReport, unit: str = "", decimals: int = 1, summary: bool = True
) -> None:
    """The report as a table (rates with 95% intervals, differences from the control; * marks
    p < alpha) plus the verdicts in plain words. `unit` names what n counts; `decimals` of
    percentages (2 for click-through rates under 1%)."""
    from growth.stats import p_text

    d = decimals
    table = Table(title=f"Experiment {report.experiment} (control: {report.control})")
    table.add_column("metric")
    for v in report.variants:
        table.add_column(
            f"{v} (n={report.exposed[v]:,}{' ' + unit if unit else ''})", justify="right"
        )
    several = len(report.variants) > 2
    table.add_column("difference (95% CI)", justify="right")
    table.add_column("p", justify="right")
    for m in report.metrics:
        cells = [
            f"{100 * f.rate:.{d}f}% [{100 * f.ci[0]:.{d}f}, {100 * f.ci[1]:.{d}f}] ({f.num:g}/{f.den:g})"
            for f in m.figures
        ]
        diffs, ps = [], []
        dens = {f.variant: f.den for f in m.figures}
        for c in m.comparisons:  # one line per variant against the control
            who = f"{c.variant}: " if several else ""
            if not (dens[report.control] and dens[c.variant]):
                diffs.append(f"{who}—")
                ps.append("—")
                continue
            diffs.append(
                f"{who}{100 * c.diff:+.{d}f} pts [{100 * c.ci[0]:+.{d}f}, {100 * c.ci[1]:+.{d}f}]"
            )
            ps.append(p_text(c.p_value).removeprefix("p = ") + (" *" if c.significant else ""))
        table.add_row(m.label, *cells, "\n".join(diffs), "\n".join(ps))
    console.print(table)
    if summary:
        console.print(report.summary, soft_wrap=True)


@experiments_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Lowercase name, e.g. suggestions.")],
    variants: Annotated[str, typer.Option(help="Comma-separated, control first: off,on.")],
    allocation: Annotated[
        str | None, typer.Option(help="Comma-separated weights, e.g. 0.5,0.5 (default equal).")
    ] = None,
    traffic: Annotated[float, typer.Option(help="Share of shoppers in the experiment.")] = 1.0,
    segment: Annotated[str, typer.Option(help="all | new | returning.")] = "all",
    description: Annotated[str, typer.Option(help="What is being tested.")] = "",
) -> None:
    """Create or replace an experiment."""
    from growth.experiments import ExperimentError, from_dict

    try:
        exp = from_dict(
            {
                "name": name,
                "variants": [v.strip() for v in variants.split(",") if v.strip()],
                "allocation": [float(a) for a in allocation.split(",")] if allocation else [],
                "traffic": traffic,
                "segment": segment,
                "description": description,
            }
        )
    except (ExperimentError, ValueError) as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    _wing().experiments.save(exp)
    console.print(f"experiment {exp.name}: {dict(zip(exp.variants, exp.allocation, strict=True))}")


@experiments_app.command("load")
def load(path: Annotated[Path, typer.Argument(exists=True, help="A .toml or .json file.")]) -> None:
    """Create or replace the experiments of a config file."""
    from growth.experiments import ExperimentError, load_config

    try:
        exps = load_config(path)
    except ExperimentError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    _wing().experiments.save_all(exps)
    console.print(f"loaded {len(exps)} experiment(s): {', '.join(e.name for e in exps)}")


@experiments_app.command("list")
def list_() -> None:
    """The experiments with their variants and status."""
    for e in _wing().experiments.all():
        shares = ", ".join(f"{v} {a:.0%}" for v, a in zip(e.variants, e.allocation, strict=True))
        console.print(
            escape(f"{e.name} [{e.status}] {shares}; traffic {e.traffic:.0%}, {e.segment}")
        )


@experiments_app.command("stop")
def stop(name: Annotated[str, typer.Argument()]) -> None:
    """Stop assigning shoppers (the report keeps working)."""
    try:
        _wing().experiments.set_status(name, "stopped")
    except KeyError as e:
        console.print(f"[red]no experiment {name!r}[/red]")
        raise typer.Exit(1) from e
    console.print(f"{name} stopped")


@experiments_app.command("report")
def report(
    name: Annotated[str, typer.Argument(help="The experiment.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write it as JSON.")] = None,
    until: Annotated[
        str | None,
        typer.Option(help="End of the observed data, YYYY-MM-DD (default now)."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Another shop database, e.g. sqlite:///var/sim/shop.db.")
    ] = None,
) -> None:
    """Per variant: click-through, cart, conversion, resolved chats, thumbs, 7/30-day return,
    guardrails; with 95% intervals, tests and a verdict in plain words."""
    from growth.ab_report import experiment_report

    end = None
    if until:
        try:
            end = datetime.combine(date.fromisoformat(until), time(), tzinfo=UTC)
        except ValueError as e:
            console.print(f"[red]--until {until!r}: use YYYY-MM-DD[/red]")
            raise typer.Exit(2) from e
    try:
        rep = experiment_report(_wing(database_url).experiments, name, data_end=end)
    except KeyError as e:
        console.print(f"[red]no experiment {name!r}; see `shopmate experiments list`[/red]")
        raise typer.Exit(1) from e
    print_report(rep)
    if json_out:
        _write_json(json_out, rep.to_dict())


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    tmp.replace(path)
    console.print(f"wrote {path}")


def simulate_cmd(
    days: Annotated[int, typer.Option(help="Simulated days from launch.")] = 30,
    variant: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=KIND, control first; kinds: off, popular, personal, encoder (repeat)."
        ),
    ] = None,
    shoppers: Annotated[int, typer.Option(help="Synthetic shoppers (20-3000).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of shoppers and their choices.")] = 11,
    model: Annotated[
        Path | None,
        typer.Option(
            help="Trained user-encoder folder for an encoder variant (default: the shop's own)."
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the report as JSON.")
    ] = None,
) -> None:
    """Replay synthetic shoppers with hidden tastes against assistant variants; print the A/B
    report, with the return-rate difference and its confidence interval."""
    import time as clock

    from shopmate.simulate import SimConfig, parse_variant, simulate
    from shopmate.wiring import build_services

    s = cli_settings()
    try:
        cfg = SimConfig(
            days=days,
            shoppers=shoppers,
            seed=seed,
            variants=tuple(parse_variant(v) for v in (variant or ["popular", "personal"])),
        )
    except ValueError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    if any(k == "encoder" for _, k in cfg.variants) and model is None:
        default = s.user_encoder_path or s.models_dir / "user-encoder"
        if not (default / "config.json").exists():
            console.print(
                f"[red]an encoder variant needs a trained model: --model PATH, or train one into "
                f"{default} (shopmate finetune user-encoder)[/red]"
            )
            raise typer.Exit(2)
        model = default
    services = build_services(s)
    if services.repo.count_products() == 0:
        console.print("[red]the shop is empty: run `shopmate demo build` first[/red]")
        raise typer.Exit(1)

    def load_model() -> object:
        from recommender.rec_model import RecModel

        assert model is not None
        return RecModel.load(model)

    from growth.stats import p_text

    started = clock.monotonic()
    with console.status("simulating") as status:
        result = simulate(
            services,
            cfg,
            make_model=load_model,
            progress=lambda d: status.update(f"simulated day {d + 1}/{cfg.days}"),
        )
    print_report(result.report)
    r = result.report.metric("return_7d").comparisons[0]
    console.print(
        f"7-day return difference ({r.variant} - {result.report.control}): "
        f"{100 * r.diff:+.1f} points, 95% CI [{100 * r.ci[0]:+.1f}, {100 * r.ci[1]:+.1f}], {p_text(r.p_value)}; "
        f"visits {result.visits}; on-taste share of cards "
        + ", ".join(f"{k} {v:.2f}" for k, v in result.cards_on_taste.items())
        + f"; {clock.monotonic() - started:.0f} s; events in {result.database_url} "
        f"(report again: shopmate experiments report {cfg.experiment} --database-url {result.database_url} --until {result.end.date()})",
        soft_wrap=True,
    )
    if json_out:
        _write_json(
            json_out,
            result.report.to_dict()
            | {
                "simulation": {
                    "days": cfg.days,
                    "shoppers": cfg.shoppers,
                    "seed": cfg.seed,
                    "variants": dict(cfg.variants),
                    "visits": result.visits,
                    "cards_on_taste": result.cards_on_taste,
                    "seconds": round(clock.monotonic() - started, 1),
                }
            },
        )


@analytics_app.command("retention")
def retention_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the CSV files.")] = Path("."),
    database_url: Annotated[str | None, typer.Option(help="Another shop database.")] = None,
) -> None:
    """Weekly cohorts (retention curves) and daily DAU/WAU/MAU as CSV; repeat purchases and
    time between visits printed. No shopper ids in the output."""
    from growth.retention import (
        active_rows,
        active_users,
        activity,
        cohort_rows,
        repeat_purchase_rate,
        time_between_visits,
        weekly_cohorts,
        write_csv,
    )

    tracker = _wing(database_url).tracker
    act = activity(tracker)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = write_csv(out_dir / "cohorts.csv", cohort_rows(weekly_cohorts(act)))
    days = active_users(act)
    write_csv(out_dir / "active_users.csv", active_rows(days))
    rep, buyers, share = repeat_purchase_rate(activity(tracker, ("purchase",)))
    gaps = time_between_visits(act)
    console.print(
        f"{n} weekly cohorts -> {out_dir / 'cohorts.csv'}; {len(days)} days -> {out_dir / 'active_users.csv'}"
    )
    if days:
        console.print(
            f"last day: DAU {days[-1].dau}, WAU {days[-1].wau}, MAU {days[-1].mau}, DAU/MAU {days[-1].stickiness:.2f}"
        )
    console.print(f"repeat-purchase rate: {rep}/{buyers} buyers = {share:.1%}")
    console.print(
        f"time between visits: median {gaps.median_days:g} days, mean {gaps.mean_days:.1f} over {gaps.gaps} returns"
    )


@analytics_app.command("demand")
def demand_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the CSV files.")] = Path("."),
    database_url: Annotated[str | None, typer.Option(help="Another shop database.")] = None,
) -> None:
    """What shoppers want and cannot get (out of stock, not sold), by week, and what is rising."""
    from growth.exports import export_rows
    from growth.retention import write_csv

    wing = _wing(database_url)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = write_csv(out_dir / "demand.csv", export_rows(wing, "demand"))
    up = export_rows(wing, "rising")
    write_csv(out_dir / "rising.csv", up)
    console.print(f"{n} rows -> {out_dir / 'demand.csv'}; rising -> {out_dir / 'rising.csv'}")
    for r in up[:10]:
        console.print(
            f"  {r['level']:8} {r['label'][:50]:50} {r['this_week']:4} ({r['change']:+d})"
        )


@analytics_app.command("sentiment")
def sentiment_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for sentiment.csv.")] = Path("."),
    alert: Annotated[
        bool, typer.Option("--alert", help="Post due alerts to SHOPMATE_ALERT_WEBHOOK_URL.")
    ] = False,
) -> None:
    """Negative-sentiment topics by week (CSV); with --alert, post the topics over the threshold."""
    from growth.exports import export_rows
    from growth.retention import write_csv

    wing = _wing()
    out_dir.mkdir(parents=True, exist_ok=True)
    n = write_csv(out_dir / "sentiment.csv", export_rows(wing, "sentiment"))
    console.print(f"{n} rows -> {out_dir / 'sentiment.csv'}")
    for a in wing.due_alerts():
        console.print(
            f"[yellow]over the threshold[/yellow]: {a.topic} {a.negative}/{a.total} negative in {a.hours} h"
        )
    if alert:
        if not wing.alerts.webhook_url:
            console.print("[red]--alert needs SHOPMATE_ALERT_WEBHOOK_URL[/red]")
            raise typer.Exit(2)
        sent = wing.check_alerts()
        console.print(f"posted {len(sent)} alert(s) to the webhook")
