"""The admin panel's off-policy estimate of a candidate policy (inside the Experiments tab).

`offpolicy_panel(estimate)` lays out the accordion; `estimate(logs, policy, on_policy,
campaign)` returns a sentence and a table with the live (logged) policy's observed CTR
beside the candidate's IPW, SNIPS and DR estimates from the same logs, handed in by the
app factory (shopmate/growth_panel.py, over growth/offpolicy.py). Logs are an Open Bandit
Dataset folder or, left empty, the shop's own cards with their logged propensities.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import pandas as pd

# (logs, candidate policy, the candidate's own logs, campaign) -> (sentence, table)
Estimate = Callable[[str, str, str, str], tuple[str, pd.DataFrame]]


def offpolicy_panel(estimate: Estimate) -> None:
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
            estimate,
            inputs=[logs, policy, on_policy, campaign],
            outputs=[text, table],
        )
