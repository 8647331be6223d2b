"""Growth tabs of the admin panel: experiments, retention, demand, sentiment — charts and CSV.

Called inside the admin `gr.Blocks` with a `GrowthFigures`, handed in by the app factory
(shopmate/growth_panel.py reads them from the shop: ab_report, retention, demand,
sentiment_watch); this module only lays them out. A source switch shows the shop itself
or the last `shopmate simulate` run, so the whole loop can be seen before going live.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import gradio as gr
import pandas as pd

from ui.offpolicy_panel import offpolicy_panel

SHOP, SIMULATION = "this shop", "last simulation"


class GrowthFigures(Protocol):
    """The growth tabs' figures, ready to plot, for the shop or (`simulation`) its last
    simulated run."""

    def experiment_names(self, simulation: bool) -> list[str]: ...

    def experiment(
        self, simulation: bool, name: str
    ) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
        """(summary, return rates, differences, comparisons); None: no such experiment."""
        ...

    def retention(self, simulation: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        """(cohort curves, DAU/WAU/MAU, gaps histogram, summary)."""
        ...

    def demand(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(rising interest, weekly interest by category, negative sentiment by topic)."""
        ...

    def export_tables(self) -> list[str]: ...

    def export_csv(self, table: str, simulation: bool) -> Path: ...

    def estimate(
        self, logs: str, policy: str, on_policy: str, campaign: str = ""
    ) -> tuple[str, pd.DataFrame]:
        """A candidate policy's off-policy estimate beside the live CTR (offpolicy_panel)."""
        ...


def _empty(*cols: str, numeric: tuple[str, ...] = ("rate",)) -> pd.DataFrame:
    """An empty frame whose column types match the full one (plots keep their encoding)."""
    return pd.DataFrame({c: pd.Series([], dtype=float if c in numeric else str) for c in cols})


def growth_tabs(blocks: gr.Blocks, figures: Callable[[], GrowthFigures]) -> None:
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
        offpolicy_panel(lambda lg, p, on, c: figures().estimate(lg, p, on, c))

        def names(src: str) -> Any:
            choices = figures().experiment_names(src == SIMULATION)
            return gr.update(choices=choices, value=choices[0] if choices else None)

        def show(src: str, exp_name: str | None) -> tuple[Any, ...]:
            view = figures().experiment(src == SIMULATION, exp_name) if exp_name else None
            if view is None:
                return (
                    "No experiment yet: create one (`shopmate experiments create`) or run `shopmate simulate`.",
                    _empty("bar", "rate"),
                    _empty("metric", "points", numeric=("points",)),
                    _empty("metric"),
                )
            return view

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
            c, a, h, text = figures().retention(src == SIMULATION)
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
            return figures().demand()

        demand_btn.click(show_demand, outputs=[rising_plot, weekly_plot, sentiment_plot])

    with gr.Tab("Exports", elem_id="sm-growth-exports"):
        table = gr.Dropdown([], label="Table (counts and shares, no shopper ids)")
        e_source = gr.Radio([SHOP, SIMULATION], value=SHOP, label="Data")
        export_btn = gr.Button("Export CSV")
        out_file = gr.File(label="CSV")

        def export(tbl: str, src: str) -> str:
            return str(figures().export_csv(tbl, src == SIMULATION))

        def tables() -> Any:
            names = figures().export_tables()
            return gr.update(choices=names, value=names[0] if names else None)

        export_btn.click(export, inputs=[table, e_source], outputs=out_file)

    def first_load() -> tuple[Any, ...]:
        return (names(SHOP), *show_retention(SHOP), *show_demand(), tables())

    blocks.load(
        first_load,
        outputs=[
            name,
            r_summary,
            curves,
            active,
            gaps,
            rising_plot,
            weekly_plot,
            sentiment_plot,
            table,
        ],
    )
