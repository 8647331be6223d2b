"""Admin in Gradio: knowledge-base status, model versions, and charts of how the assistant does
(conversation volume, share answered without a person, product-card click-through, thumbs up
and down), each on a time axis with its y axis from 0.

The panel is handed an `AdminData` for the shop by the app factory (shopmate/admin_data.py
reads it from the shop's services) and lays it out; it imports no shop code.

    blocks = build_admin_ui(lambda: ShopAdminData(services), shop_name="Acme")
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

import gradio as gr
import pandas as pd

from ui.growth_app import GrowthFigures, growth_tabs


class DayRow(Protocol):
    """One day of the assistant's figures (growth.analytics.DayFigures)."""

    @property
    def day(self) -> date: ...
    @property
    def conversations(self) -> int: ...
    @property
    def answered_without_person(self) -> float: ...
    @property
    def cards_shown(self) -> int: ...
    @property
    def card_click_through(self) -> float: ...
    @property
    def thumbs_up(self) -> int: ...
    @property
    def thumbs_down(self) -> int: ...


class AdminData(GrowthFigures, Protocol):
    """What the admin panel reads from one shop, with the growth tabs' figures."""

    def status(self) -> str:
        """The status box: what is indexed and which models answer, one fact a line."""
        ...

    def daily_figures(self) -> Sequence[DayRow]: ...


def figures_frame(rows: Sequence[DayRow]) -> pd.DataFrame:
    """One row per day. Shares are None on days without their denominator (no conversation,
    no card shown), so a chart leaves a gap instead of drawing a false 0."""
    return pd.DataFrame(
        {
            "day": [r.day.isoformat() for r in rows],
            "conversations": [r.conversations for r in rows],
            "answered without a person": [
                round(r.answered_without_person, 3) if r.conversations else None for r in rows
            ],
            "card click-through": [
                round(r.card_click_through, 3) if r.cards_shown else None for r in rows
            ],
            "thumbs up": [r.thumbs_up for r in rows],
            "thumbs down": [r.thumbs_down for r in rows],
        }
    )


def chart_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The daily figures with the day as a date, for time axes with readable labels."""
    out = frame.copy()
    out["day"] = pd.to_datetime(out["day"])
    return out


def thumbs_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Thumbs per day in long form (day, thumbs, count) for one chart with a line per kind."""
    out = chart_frame(frame)
    long = out.melt(
        id_vars=["day"],
        value_vars=["thumbs up", "thumbs down"],
        var_name="thumbs",
        value_name="count",
    )
    long["thumbs"] = long["thumbs"].str.removeprefix("thumbs ")
    return long


def upper(values: pd.Series, floor: float = 1.0) -> float:
    """The top of a y axis that starts at 0: a little above the largest value."""
    top = pd.to_numeric(values, errors="coerce").max()
    return float(max(floor, (top if pd.notna(top) else 0) * 1.15))


def build_admin_ui(data: Callable[[], AdminData], *, shop_name: str = "shopmate") -> gr.Blocks:
    with gr.Blocks(title=f"{shop_name} · admin", analytics_enabled=False) as blocks:
        gr.Markdown(f"# {html.escape(shop_name)} admin")
        status = gr.Textbox(label="Status", lines=6, interactive=False, elem_id="sm-admin-status")
        refresh = gr.Button("Refresh")
        axes = {"x_title": "Day", "x_label_angle": -45, "height": 280}
        with gr.Row():
            volume = gr.LinePlot(
                x="day",
                y="conversations",
                title="Conversations per day",
                y_title="Conversations",
                elem_id="sm-chart-volume",
                **axes,  # type: ignore[arg-type]
            )
            answered = gr.LinePlot(
                x="day",
                y="answered without a person",
                title="Share answered without a person",
                y_title="Share (0-1)",
                y_lim=[0, 1],
                elem_id="sm-chart-answered",
                **axes,  # type: ignore[arg-type]
            )
        with gr.Row():
            ctr = gr.LinePlot(
                x="day",
                y="card click-through",
                title="Product-card click-through (added to cart)",
                y_title="Share (0-1)",
                y_lim=[0, 1],
                elem_id="sm-chart-ctr",
                **axes,  # type: ignore[arg-type]
            )
            thumbs = gr.LinePlot(
                x="day",
                y="count",
                color="thumbs",
                title="Thumbs up and down per day",
                y_title="Thumbs",
                color_map={"up": "#1f6f5c", "down": "#c0392b"},
                elem_id="sm-chart-thumbs",
                **axes,  # type: ignore[arg-type]
            )
        table = gr.Dataframe(label="Daily figures", interactive=False)

        def load() -> tuple[Any, ...]:
            shop = data()
            frame = figures_frame(shop.daily_figures())
            chart = chart_frame(frame)
            long = thumbs_frame(frame)
            shown = chart["card click-through"].notna().any()
            return (
                shop.status(),
                gr.LinePlot(value=chart, y_lim=[0, upper(chart["conversations"])]),
                chart,
                gr.LinePlot(
                    value=chart,
                    caption=None
                    if shown
                    else "No product cards were shown on these days: the line starts once "
                    "the bot shows some.",
                ),
                gr.LinePlot(value=long, y_lim=[0, upper(long["count"])]),
                frame,
            )

        outputs = [status, volume, answered, ctr, thumbs, table]
        refresh.click(load, outputs=outputs)
        blocks.load(load, outputs=outputs)
        growth_tabs(blocks, data)  # experiments, retention, demand, sentiment, exports
    return blocks
