"""Admin in Gradio: knowledge-base status, model versions, and charts of how the assistant does
(conversation volume, share answered without a person, product-card click-through, thumbs)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from shop.analytics import DayFigures, daily_figures
from shopmate.wiring import KNOWLEDGE, QA_HISTORY, Services
from ui.growth_app import growth_tabs


def figures_frame(rows: list[DayFigures]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": [r.day.isoformat() for r in rows],
            "conversations": [r.conversations for r in rows],
            "answered without a person": [round(r.answered_without_person, 3) for r in rows],
            "card click-through": [round(r.card_click_through, 3) for r in rows],
            "thumbs up": [r.thumbs_up for r in rows],
            "thumbs down": [r.thumbs_down for r in rows],
        }
    )


def status_text(svc: Services) -> str:
    s = svc.settings
    return "\n".join(
        [
            f"products indexed: {svc.store.count('products')} (catalog: {svc.repo.count_products()})",
            f"knowledge passages: {svc.store.count(KNOWLEDGE)}; past answers: {svc.store.count(QA_HISTORY)}",
            f"embedder: {svc.embedder.model_path}",
            f"intent head: {', '.join(sorted(p.name for p in s.models_dir.glob('shop-intents-*'))) or 'not trained yet'}",
            f"replies worded by: {s.generator}"
            + (" (with tool calling)" if s.tool_calling else ""),
            f"vector store: {s.chroma_url or s.chroma_path}",
        ]
    )


def build_admin_ui(services: Callable[[], Services], *, shop_name: str = "shopmate") -> gr.Blocks:
    with gr.Blocks(title=f"{shop_name} · admin", analytics_enabled=False) as blocks:
        gr.Markdown(f"# {html.escape(shop_name)} admin")
        status = gr.Textbox(label="Status", lines=6, interactive=False, elem_id="sm-admin-status")
        refresh = gr.Button("Refresh")
        volume = gr.BarPlot(x="day", y="conversations", title="Conversations per day")
        answered = gr.LinePlot(
            x="day",
            y="answered without a person",
            title="Share answered without a person",
            y_lim=[0, 1],
        )
        ctr = gr.LinePlot(
            x="day",
            y="card click-through",
            title="Product-card click-through (added to cart)",
            y_lim=[0, 1],
        )
        table = gr.Dataframe(label="Daily figures", interactive=False)

        def load() -> tuple[Any, ...]:
            svc = services()
            frame = figures_frame(daily_figures(svc.repo))
            return status_text(svc), frame, frame, frame, frame

        refresh.click(load, outputs=[status, volume, answered, ctr, table])
        blocks.load(load, outputs=[status, volume, answered, ctr, table])
        growth_tabs(blocks, services)  # experiments, retention, demand, sentiment, exports
    return blocks
