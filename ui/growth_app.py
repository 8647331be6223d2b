"""Growth tabs of the admin panel: experiments, retention, demand, sentiment — charts and CSV.

Called inside the admin `gr.Blocks`; every figure comes from shop/ (ab_report, retention,
demand, sentiment_watch). A source switch shows the shop itself or the last
`shopmate simulate` run, so the whole loop can be seen before going live.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from shop.ab_report import ExperimentReport, build_report
from shop.demand import demand_by_week, rising
from shop.experiments import ExperimentStore
from shop.growth_exports import EXPORTS, export_rows
from shop.repository import ShopRepository
from shop.retention import (
    active_users,
    activity,
    repeat_purchase_rate,
    time_between_visits,
    weekly_cohorts,
)
from shop.sentiment_watch import negative_topics
from shop.stats import p_text
from shop.tracking import Tracker
from shopmate.simulate import last_simulation
from shopmate.wiring import Services
from ui.offpolicy_panel import offpolicy_panel, size_lines

SHOP, SIMULATION = "this shop", "last simulation"
SHORT = {
    "suggestion_ctr": "CTR",
    "add_to_cart_rate": "cart",
    "conversion": "bought",
    "resolved_without_person": "no person",
    "thumbs_up_rate": "thumbs up",
    "return_7d": "7d return",
    "return_30d": "30d return",
    "handoff_rate": "handoff",
    "complaint_rate": "complaint",
}
MIN_COHORT = 5  # smaller weekly cohorts are left out of the chart (they stay in the CSV)


@lru_cache(maxsize=4)
def _repo_at(url: str) -> ShopRepository:
    return ShopRepository.from_url(url)


def source_repo(svc: Services, source: str) -> tuple[ShopRepository, datetime | None]:
    """The database to read and the end of its observed data (None: now)."""
    if source == SIMULATION and (run := last_simulation(svc.settings.data_dir)):
        return _repo_at(run["database_url"]), datetime.fromisoformat(run["data_end"])
    return svc.repo, None


def report_frames(rep: ExperimentReport) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(return rates per variant, differences from the control per metric, comparisons)."""
    returns = pd.DataFrame(
        [
            {"bar": f"{m.key.split('_')[1]} {f.variant}", "rate": round(f.rate, 4)}
            for m in rep.metrics
            if m.key.startswith("return_")
            for f in m.figures
        ]
    )
    several = len(rep.variants) > 2
    diffs = pd.DataFrame(
        [
            {
                "metric": SHORT.get(m.key, m.key) + (f" ({c.variant})" if several else ""),
                "points": round(100 * c.diff, 1),
            }
            for m in rep.metrics
            for c in m.comparisons
        ]
    )
    comps = pd.DataFrame(
        [
            {
                "metric": m.label,
                "variant vs control": f"{c.variant} vs {rep.control}",
                "difference (points)": round(100 * c.diff, 1),
                "95% CI": f"{100 * c.ci[0]:+.1f} to {100 * c.ci[1]:+.1f}",
                "p": p_text(c.p_value),
                "verdict": c.verdict.split(": ", 2)[-1] if ": " in c.verdict else c.verdict,
            }
            for m in rep.metrics
            for c in m.comparisons
        ]
    )
    return returns, diffs, comps


def retention_frames(repo: ShopRepository) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """(cohort curves, DAU/WAU/MAU, gaps histogram, summary text)."""
    tracker = Tracker(repo)
    act = activity(tracker)
    cohorts = weekly_cohorts(act)
    curves = pd.DataFrame(
        [
            {
                "weeks since first visit": k,
                "retained": round(r, 4),
                "cohort": f"{c.week.isoformat()} (n={c.size})",
            }
            for c in [c for c in cohorts if c.size >= MIN_COHORT][-8:]
            for k, r in enumerate(c.retention)
        ]
    )
    days = active_users(act)
    active = pd.DataFrame(
        [
            {"day": pd.Timestamp(d.day), "shoppers": n, "series": name}
            for d in days
            for name, n in (("DAU", d.dau), ("WAU", d.wau), ("MAU", d.mau))
        ]
        + [
            {
                "day": pd.Timestamp(d.day),
                "shoppers": round(100 * d.stickiness, 1),
                "series": "DAU/MAU %",
            }
            for d in days
        ]
    )
    gaps = time_between_visits(act)
    hist = pd.DataFrame([{"days between visits": k, "returns": n} for k, n in gaps.histogram])
    rep, buyers, share = repeat_purchase_rate(activity(tracker, ("purchase",)))
    last = days[-1] if days else None
    text = (
        f"**Repeat-purchase rate** {share:.1%} ({rep} of {buyers} buyers bought on two or more days) · "
        f"**time between visits** median {gaps.median_days:g} days, mean {gaps.mean_days:.1f} ({gaps.gaps} returns)"
        + (
            f" · **last day** DAU {last.dau}, WAU {last.wau}, MAU {last.mau}, DAU/MAU {last.stickiness:.2f}"
            if last
            else ""
        )
    )
    return curves, active, hist, text


def demand_frames(repo: ShopRepository) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = demand_by_week(Tracker(repo), repo)
    top = [r for r in rising(rows) if r.level != "category"][:10]
    rising_df = pd.DataFrame(
        [{"wanted": r.label[:40], "this week": r.this_week, "change": r.change} for r in top]
    )
    cats = [r for r in rows if r.level == "category"]
    totals: dict[str, int] = {}
    for r in cats:
        totals[r.key] = totals.get(r.key, 0) + r.interest
    keep = set(sorted(totals, key=lambda k: -totals[k])[:5])
    weekly = pd.DataFrame(
        [
            {"week": r.week.isoformat(), "interest": r.interest, "category": r.label}
            for r in cats
            if r.key in keep
        ]
    )
    return rising_df, weekly


def sentiment_frame(repo: ShopRepository) -> pd.DataFrame:
    rows = [r for r in negative_topics(repo) if r.negative]
    return pd.DataFrame(
        [
            {"week": r.week.isoformat(), "negative share": round(r.share, 3), "topic": r.topic}
            for r in rows
        ]
    )


def _empty(*cols: str, numeric: tuple[str, ...] = ("rate",)) -> pd.DataFrame:
    """An empty frame whose column types match the full one (plots keep their encoding)."""
    return pd.DataFrame({c: pd.Series([], dtype=float if c in numeric else str) for c in cols})


def growth_tabs(blocks: gr.Blocks, services: Callable[[], Services]) -> None:
    """Add the growth tabs to the open `blocks` (and fill them when the page loads)."""
    with gr.Tab("Experiments", elem_id="sm-growth-experiments"):
        with gr.Row():
            source = gr.Radio([SHOP, SIMULATION], value=SHOP, label="Data", scale=2)
            name = gr.Dropdown(label="Experiment", choices=[], scale=2)
            load_btn = gr.Button("Show report", scale=1)
        verdicts = gr.Markdown(elem_id="sm-exp-summary")
        with gr.Row():
            returns_plot = gr.BarPlot(
                x="bar",
                y="rate",
                title="Return rate by variant (7 and 30 days)",
                y_lim=[0, 1],
                elem_id="sm-exp-returns",
                sort=None,
                scale=1,
            )
            rates_plot = gr.BarPlot(
                x="metric",
                y="points",
                title="Difference from the control, in points (see the table for intervals)",
                elem_id="sm-exp-rates",
                sort=None,
                scale=2,
            )
        comps = gr.Dataframe(label="Differences, 95% intervals, tests", interactive=False)
        offpolicy_panel(services)

        def names(src: str) -> Any:
            repo, _ = source_repo(services(), src)
            choices = [e.name for e in ExperimentStore(repo).all()]
            return gr.update(choices=choices, value=choices[0] if choices else None)

        def show(src: str, exp_name: str | None) -> tuple[Any, ...]:
            repo, end = source_repo(services(), src)
            store = ExperimentStore(repo)
            exp = store.get(exp_name) if exp_name else None
            if exp is None:
                return (
                    "No experiment yet: create one (`shopmate experiments create`) or run `shopmate simulate`.",
                    _empty("bar", "rate"),
                    _empty("metric", "points", numeric=("points",)),
                    _empty("metric"),
                )
            rep = build_report(exp, store.tracker.events(), end or datetime.now(UTC))
            returns, diffs, table = report_frames(rep)
            head = f"**{rep.experiment}** · " + ", ".join(
                f"{v}: {n} shoppers" for v, n in rep.exposed.items()
            )
            lines = [
                f"- {'guardrail · ' if m.guardrail else ''}{c.verdict}"
                for m in rep.metrics
                for c in m.comparisons
            ]
            sizes = "\n".join(f"- {x}" for x in size_lines(rep))
            text = head + "\n\n" + "\n".join(lines) + "\n\n**Size for a 10% lift**\n\n" + sizes
            return text, returns, diffs, table

        source.change(names, inputs=source, outputs=name)
        load_btn.click(
            show, inputs=[source, name], outputs=[verdicts, returns_plot, rates_plot, comps]
        )
        name.change(
            show, inputs=[source, name], outputs=[verdicts, returns_plot, rates_plot, comps]
        )

    with gr.Tab("Retention", elem_id="sm-growth-retention"):
        r_source = gr.Radio([SHOP, SIMULATION], value=SHOP, label="Data")
        r_summary = gr.Markdown(elem_id="sm-retention-summary")
        with gr.Row():
            curves = gr.LinePlot(
                x="weeks since first visit",
                y="retained",
                color="cohort",
                title="Weekly cohorts: share still active",
                y_lim=[0, 1],
                elem_id="sm-retention-curves",
            )
            active = gr.LinePlot(
                x="day",
                y="shoppers",
                color="series",
                title="DAU, WAU, MAU and DAU/MAU %",
                elem_id="sm-retention-active",
            )
        gaps = gr.BarPlot(
            x="days between visits",
            y="returns",
            title="Time between visits",
            sort=None,
            elem_id="sm-retention-gaps",
        )

        def show_retention(src: str) -> tuple[Any, ...]:
            repo, _ = source_repo(services(), src)
            c, a, h, text = retention_frames(repo)
            top = float(h["returns"].max()) if len(h) else 1.0
            return text, c, a, gr.update(value=h, y_lim=[0, max(1.0, top * 1.1)])

        r_source.change(show_retention, inputs=r_source, outputs=[r_summary, curves, active, gaps])

    with gr.Tab("Demand & sentiment", elem_id="sm-growth-demand"):
        with gr.Row():
            rising_plot = gr.BarPlot(
                x="wanted",
                y="this week",
                title="Rising interest in what shoppers cannot get",
                sort="-y",
                x_label_angle=-30,
                elem_id="sm-demand-rising",
            )
            weekly_plot = gr.LinePlot(
                x="week",
                y="interest",
                color="category",
                title="Out-of-stock interest by week",
                elem_id="sm-demand-weekly",
            )
        demand_btn = gr.Button("Refresh")
        sentiment_plot = gr.LinePlot(
            x="week",
            y="negative share",
            color="topic",
            title="Negative sentiment by topic",
            y_lim=[0, 1],
        )

        def show_demand() -> tuple[Any, ...]:
            repo = services().repo
            r, w = demand_frames(repo)
            return r, w, sentiment_frame(repo)

        demand_btn.click(show_demand, outputs=[rising_plot, weekly_plot, sentiment_plot])

    with gr.Tab("Exports", elem_id="sm-growth-exports"):
        table = gr.Dropdown(
            list(EXPORTS), value=EXPORTS[0], label="Table (counts and shares, no shopper ids)"
        )
        e_source = gr.Radio([SHOP, SIMULATION], value=SHOP, label="Data")
        export_btn = gr.Button("Export CSV")
        out_file = gr.File(label="CSV")

        def export(tbl: str, src: str) -> str:
            from shop.retention import write_csv

            repo, _ = source_repo(services(), src)
            path = Path(tempfile.mkdtemp(prefix="shopmate-export-")) / f"{tbl}.csv"
            write_csv(path, export_rows(repo, tbl))
            return str(path)

        export_btn.click(export, inputs=[table, e_source], outputs=out_file)

    def first_load() -> tuple[Any, ...]:
        return (names(SHOP), *show_retention(SHOP), *show_demand())

    blocks.load(
        first_load,
        outputs=[name, r_summary, curves, active, gaps, rising_plot, weekly_plot, sentiment_plot],
    )
