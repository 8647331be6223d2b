"""Agent assist in Gradio: the handoff queue, and for the open conversation the transcript,
a drafted reply with its sources, the customer's profile and suggested products.

The agent edits or approves the draft and sends it; the engine goes silent for that
conversation until the agent releases or resolves it. Every sent reply is saved with the
question as a training pair. Everything is shown as plain text (no HTML from shoppers,
the knowledge base or the model is ever rendered).
"""

from __future__ import annotations

import html
import logging

import gradio as gr

from bot.assist import AgentDesk, DeskView, Draft

log = logging.getLogger(__name__)


def queue_choices(desk: AgentDesk) -> list[tuple[str, str]]:
    return [
        (f"{p.session_id[:10]} · {p.state} · {p.summary[:70]}", p.session_id) for p in desk.queue()
    ]


def describe(view: DeskView) -> tuple[str, str, str, str, str]:
    """(transcript, profile, suggestions, draft, sources) as plain text."""
    p = view.packet
    transcript = "\n".join(f"{role}: {text}" for role, text in p.transcript)
    prof = view.profile
    if prof.user_id:
        lines = [f"shopper {prof.user_id}"]
        lines += [f"order {oid}: {status}, {total:.2f}" for oid, status, total in prof.orders]
        lines += [f"{kind}: {title}" for kind, title in prof.recent]
        profile = "\n".join(lines)
    else:
        profile = "anonymous shopper"
    shown = f"already shown: {', '.join(p.suggested)}\n" if p.suggested else ""
    suggestions = shown + "\n".join(f"{title} ({reason})" for _, title, reason in prof.suggestions)
    sources = "\n".join(
        f"[{i}] {c.title} ({c.source}): {c.snippet}" for i, c in enumerate(view.draft.citations, 1)
    )
    return (
        transcript,
        profile,
        suggestions,
        view.draft.text,
        sources or "no source found: write the reply yourself",
    )


def build_agent_ui(desk: AgentDesk, *, shop_name: str = "shopmate") -> gr.Blocks:
    with gr.Blocks(title=f"{shop_name} · agent assist", analytics_enabled=False) as blocks:
        gr.Markdown(
            f"# Agent assist · {html.escape(shop_name)}\n"
            "Conversations handed to a person, oldest first."
        )
        current = gr.State(None)  # the Draft behind the text box, for the training pair
        with gr.Row():
            queue = gr.Dropdown(choices=[], label="Queue", elem_id="sm-queue", scale=4)
            refresh = gr.Button("Refresh", elem_id="sm-refresh", scale=1)
        with gr.Row():
            with gr.Column(scale=3):
                transcript = gr.Textbox(
                    label="Transcript", lines=14, interactive=False, elem_id="sm-transcript"
                )
                draft = gr.Textbox(
                    label="Reply (drafted by the bot: edit, then send)", lines=5, elem_id="sm-draft"
                )
                sources = gr.Textbox(label="Sources of the draft", lines=4, interactive=False)
                with gr.Row():
                    send = gr.Button("Send reply", variant="primary", elem_id="sm-send-reply")
                    release = gr.Button("Release to the bot")
                    resolve = gr.Button("Resolve")
            with gr.Column(scale=2):
                profile = gr.Textbox(
                    label="Customer", lines=8, interactive=False, elem_id="sm-profile"
                )
                suggestions = gr.Textbox(label="Suggested products", lines=6, interactive=False)
        status = gr.Markdown()

        def on_refresh() -> gr.Dropdown:
            return gr.Dropdown(choices=queue_choices(desk))

        def on_open(session_id: str | None) -> tuple[str, str, str, str, str, Draft | None]:
            if not session_id:
                return "", "", "", "", "", None
            view = desk.open(session_id)
            return (*describe(view), view.draft)

        def on_send(session_id: str | None, text: str, d: Draft | None) -> tuple[str, str]:
            if not session_id:
                return "Pick a conversation first.", ""
            try:
                desk.send(session_id, text, d)
            except ValueError as e:
                return f"Not sent: {e}.", ""
            view = desk.open(session_id)
            return "Sent. You have this conversation until you release or resolve it.", describe(
                view
            )[0]

        def on_move(session_id: str | None, move: str) -> str:
            if not session_id:
                return "Pick a conversation first."
            getattr(desk.engine, move)(session_id)
            return {"release": "Released: the bot answers again.", "resolve": "Resolved."}[move]

        refresh.click(on_refresh, outputs=queue)
        blocks.load(on_refresh, outputs=queue)
        queue.change(
            on_open,
            inputs=queue,
            outputs=[transcript, profile, suggestions, draft, sources, current],
        )
        send.click(on_send, inputs=[queue, draft, current], outputs=[status, transcript])
        release.click(lambda s: on_move(s, "release"), inputs=queue, outputs=status)
        resolve.click(lambda s: on_move(s, "resolve"), inputs=queue, outputs=status).then(
            on_refresh, outputs=queue
        )
    return blocks
