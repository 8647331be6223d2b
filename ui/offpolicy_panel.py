"""The admin panel's experiment sizes and off-policy estimates (inside the Experiments tab).

`size_lines` says, for an experiment's main rates, how many impressions or shoppers per arm
the test needs and how far the data is from it; `estimate_view` puts the live (logged)
policy's observed CTR beside a candidate's IPW, SNIPS and DR estimates from the same logs
(shop/offpolicy.py). Logs are an Open Bandit Dataset folder or, left empty, the shop's own
cards with their logged propensities.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

from shop.ab_report import ExperimentReport
from shop.repository import ShopRepository
from shop.sample_size import required_per_arm
from shop.stats import wilson_interval
from shopmate.wiring import Services

SIZED = {"suggestion_ctr": "impressions", "conversion": "shoppers", "return_7d": "shoppers"}


def size_lines(rep: ExperimentReport, lift: float = 0.10, power: float = 0.8) -> list[str]:
    """One line per main rate: the size per arm for a relative `lift`, and the share of it
    the smallest arm has."""
    out = []
    for key, unit in SIZED.items():
        m = next((m for m in rep.metrics if m.key == key), None)
        if m is None:
            continue
        base = m.figures[0].rate
        if not 0 < base < 1:
            out.append(f"{m.label}: no size yet (the control's rate is {base:.0%}).")
            continue
        ans = required_per_arm(base, lift, power, rep.alpha)
        have = min(f.den for f in m.figures)
        out.append(
            f"{m.label}: {ans.n:,} {unit} per arm to detect {lift:+.0%} on {100 * base:.2f}% "
            f"(power {power:.0%}); the smallest arm has {have:,.0f} ({have / ans.n:.0%} of enough)."
        )
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.3f}%"


def estimate_view(
    repo: ShopRepository, logs: str, policy: str, on_policy: str, campaign: str = ""
) -> tuple[str, pd.DataFrame]:
    """(a sentence, a table: the live policy's observed CTR and the candidate's estimates);
    `repo` is read only when `logs` is empty."""
    from shop.bandit_logs import LogFormatError, impressions_from_events, load_obd
    from shop.candidate_policy import parse_policy
    from shop.offpolicy import estimate, subset
    from shop.tracking import Tracker

    empty = pd.DataFrame(columns=["policy", "figure", "CTR", "95% interval", "relative error"])
    try:
        if logs.strip():
            log = load_obd(Path(logs.strip()), campaign.strip() or None)
        else:
            types = {"suggestion_impression", "suggestion_click"}
            arms = impressions_from_events(Tracker(repo).events(types=types))
            if not arms:
                return "This shop has logged no suggestion cards yet.", empty
            log = arms["all"]
            log = subset(log, np.flatnonzero(np.isfinite(log.propensity)))
            if log.n == 0:
                return (
                    "No card carries a propensity: set SHOPMATE_SUGGESTION_EXPLORATION above 0, "
                    "or give an Open Bandit Dataset folder.",
                    empty,
                )
        truth = (
            load_obd(Path(on_policy.strip()), campaign.strip() or None)
            if on_policy.strip()
            else None
        )
        cand = parse_policy(policy.strip())
        res = estimate(log, cand.probs_at(log), cand.name, truth)
    except (LogFormatError, ValueError, OSError) as err:
        return f"**Cannot estimate:** {err}", empty
    live = wilson_interval(log.clicks, log.n)
    rows: list[dict[str, Any]] = [
        {
            "policy": f"live ({log.campaign} logs)",
            "figure": "observed",
            "CTR": _pct(res.logged_ctr),
            "95% interval": f"{_pct(live[0])} to {_pct(live[1])}",
            "relative error": "",
        }
    ]
    for k, e in res.estimators.items():
        rows.append(
            {
                "policy": res.policy,
                "figure": f"{k.upper()} estimate",
                "CTR": _pct(e.value),
                "95% interval": f"{_pct(e.ci[0])} to {_pct(e.ci[1])}",
                "relative error": f"{e.relative_error:.2f}" if e.relative_error is not None else "",
            }
        )
    if res.on_policy:
        rows.append(
            {
                "policy": res.policy,
                "figure": "observed (its own logs)",
                "CTR": _pct(res.on_policy.value),
                "95% interval": f"{_pct(res.on_policy.ci[0])} to {_pct(res.on_policy.ci[1])}",
                "relative error": "",
            }
        )
    text = (
        f"{res.n:,} logged impressions, {res.clicks} clicks; the weights amount to "
        f"{res.effective_n:,.0f} impressions. " + " ".join(res.notes)
    )
    return text, pd.DataFrame(rows)


def offpolicy_panel(services: Callable[[], Services]) -> None:
    """An accordion in the open Experiments tab: a candidate's estimate beside the live CTR."""
    with gr.Accordion("Off-policy estimate of a candidate policy", open=False):
        with gr.Row():
            logs = gr.Textbox(
                label="Logs (Open Bandit Dataset folder; empty: this shop's own cards)", scale=3
            )
            campaign = gr.Textbox(label="Campaign (if the folder holds several)", scale=1)
        with gr.Row():
            policy = gr.Textbox(label="Candidate: bts:PRIORS_FILE:CAMPAIGN or model:PATH", scale=3)
            on_policy = gr.Textbox(label="The candidate's own logs (optional)", scale=2)
        run = gr.Button("Estimate")
        text = gr.Markdown(elem_id="sm-offpolicy-summary")
        table = gr.Dataframe(label="Live beside the candidate", interactive=False)
        run.click(
            lambda lg, p, on, c: estimate_view(services().repo, lg, p, on, c),
            inputs=[logs, policy, on_policy, campaign],
            outputs=[text, table],
        )
