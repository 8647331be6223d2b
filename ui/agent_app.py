"""Agent assist in Gradio: a live queue of conversations handed to a person (waiting time,
last message, reason), and for the open one a live transcript, a drafted reply to what the
shopper actually asked with its sources, the customer and products to insert in one click.

The queue and the open transcript refresh every :data:`REFRESH_SECONDS` on their own. The
agent edits or approves the draft and sends it; sending takes the conversation, the bot goes
silent for it until the agent releases or resolves it, and the banner says so. Every sent
reply is saved with the question as a training pair. Shoppers', the knowledge base's and
the model's text is shown escaped (the chat sanitizes, and nothing is rendered as HTML).
"""

from __future__ import annotations

import html
import logging
from typing import Any

import gradio as gr

from bot.assist import AgentDesk, DeskView, Draft, QueueEntry, waiting_label

log = logging.getLogger(__name__)
REFRESH_SECONDS = 3.0
LAST_MESSAGE_CHARS = 90


def short(text: str, limit: int = LAST_MESSAGE_CHARS) -> str:
    """Cut at a word boundary, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def entry_label(e: QueueEntry) -> str:
    state = "with you" if e.state == "human" else "waiting"
    return (
        f"{waiting_label(e.waiting_seconds)} · {state} · {e.reason} — "
        f"“{short(e.last_message) or 'no message'}”"
    )


def queue_choices(desk: AgentDesk) -> list[tuple[str, str]]:
    return [(entry_label(e), e.session_id) for e in desk.entries()]


def banner(state: str | None) -> str:
    if state == "human":
        return (
            "### You are talking to the customer\n"
            "The bot is silent in this conversation until you release or resolve it; what "
            "you send reaches the shopper at once."
        )
    if state == "requested":
        return (
            "### Waiting for a person\n"
            "The shopper asked for a person. Send a reply (or **Take**) to start talking to them."
        )
    if state == "none":
        return "### Back with the bot\nThis conversation is no longer handed off."
    return "### Pick a conversation from the queue"


def transcript_messages(view: DeskView) -> list[dict[str, str]]:
    """The transcript as chat bubbles: the shopper on the right, bot and agent on the left."""
    out = []
    for role, text in view.packet.transcript:
        if role == "system":
            continue
        if role == "shopper":
            out.append({"role": "user", "content": html.escape(text)})
        else:
            who = "**You (agent)**" if role == "agent" else "**Bot**"
            out.append({"role": "assistant", "content": f"{who}: {html.escape(text)}"})
    return out


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
        f"[{i}] {c.title}: {c.snippet}" for i, c in enumerate(view.draft.citations, 1)
    )
    return (
        transcript,
        profile,
        suggestions,
        view.draft.text,
        sources or "no source found: write the reply yourself",
    )


def product_line(view: DeskView, product_id: str, currency: str) -> str:
    """How a suggested product is inserted into the reply."""
    title = next((t for pid, t, _ in view.profile.suggestions if pid == product_id), product_id)
    price, url = view.profile.details.get(product_id, (None, ""))
    line = title + (f" ({currency}{price:.2f})" if isinstance(price, int | float) else "")
    return line + (f": {url}" if url else "")


def build_agent_ui(
    desk: AgentDesk, *, shop_name: str = "shopmate", currency: str = "£"
) -> gr.Blocks:
    with gr.Blocks(title=f"{shop_name} · agent assist", analytics_enabled=False) as blocks:
        gr.Markdown(
            f"## Agent assist · {html.escape(shop_name)}\n"
            "Conversations handed to a person, oldest first; the list updates on its own."
        )
        current = gr.State(None)  # the Draft behind the text box, for the training pair
        opened = gr.State(None)  # the DeskView of the open conversation
        seen = gr.State(0)  # transcript length shown, to redraw only when it grows
        timer = gr.Timer(REFRESH_SECONDS)
        with gr.Row():
            with gr.Column(scale=2, min_width=260):
                queue = gr.Radio(choices=[], label="Queue", elem_id="sm-queue", interactive=True)
                empty = gr.Markdown("_No conversation is waiting._", elem_id="sm-queue-empty")
            with gr.Column(scale=4):
                state_banner = gr.Markdown(banner(None), elem_id="sm-desk-state")
                transcript = gr.Chatbot(
                    label="Conversation",
                    elem_id="sm-transcript",
                    height=360,
                    sanitize_html=True,
                    latex_delimiters=[],
                )
                draft = gr.Textbox(
                    label="Your reply (drafted from the shop's knowledge: edit, then send)",
                    lines=5,
                    elem_id="sm-draft",
                )
                sources = gr.Textbox(
                    label="Sources of the draft", lines=3, interactive=False, elem_id="sm-sources"
                )
                with gr.Row():
                    send = gr.Button("Send reply", variant="primary", elem_id="sm-send-reply")
                    take = gr.Button("Take", elem_id="sm-take")
                    release = gr.Button("Release to the bot", elem_id="sm-release")
                    resolve = gr.Button("Resolve", elem_id="sm-resolve")
                status = gr.Markdown(elem_id="sm-desk-status")
            with gr.Column(scale=2, min_width=240):
                profile = gr.Textbox(
                    label="Customer", lines=8, interactive=False, elem_id="sm-profile"
                )
                products = gr.Dataset(
                    components=[gr.Textbox(render=False)],
                    type="index",
                    label="Suggested products: click to insert into the reply",
                    samples=[],
                    elem_id="sm-products",
                )
                product_ids = gr.State([])

        def refresh(session_id: str | None) -> tuple[Any, Any]:
            choices = queue_choices(desk)
            ids = [sid for _, sid in choices]
            keep = session_id if session_id in ids else None
            return gr.Radio(choices=choices, value=keep), gr.Markdown(visible=not choices)

        def on_open(session_id: str | None) -> tuple[Any, ...]:
            if not session_id:
                return (banner(None), [], "", "", "", gr.Dataset(samples=[]), [], None, None, 0)
            view = desk.open(session_id)
            _, prof, _, text, src = describe(view)
            sugg = view.profile.suggestions
            return (
                banner(view.packet.state),
                transcript_messages(view),
                prof,
                text,
                src,
                gr.Dataset(samples=[[f"{t} — {r}"] for _, t, r in sugg]),
                [pid for pid, _, _ in sugg],
                view.draft,
                view,
                len(view.packet.transcript),
            )

        def tick(session_id: str | None, shown: int) -> tuple[Any, ...]:
            """The queue, and the open conversation's transcript when it has grown."""
            q, empty_note = refresh(session_id)
            if not session_id:
                return q, empty_note, gr.skip(), gr.skip(), shown
            packet = desk.engine.packet(session_id)
            if len(packet.transcript) == shown:
                return q, empty_note, gr.skip(), banner(packet.state), shown
            view = DeskView(packet, Draft("", ""), desk.profile(None))
            return (
                q,
                empty_note,
                transcript_messages(view),
                banner(packet.state),
                len(packet.transcript),
            )

        def on_send(session_id: str | None, text: str, d: Draft | None) -> tuple[Any, ...]:
            if not session_id:
                return "Pick a conversation first.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                desk.send(session_id, text, d)
            except ValueError as e:
                return f"Not sent: {e}.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
            view = desk.open(session_id)
            return (
                "Sent: the shopper sees it now.",
                transcript_messages(view),
                banner(view.packet.state),
                "",
                len(view.packet.transcript),
            )

        def on_take(session_id: str | None) -> tuple[str, str]:
            if not session_id:
                return "Pick a conversation first.", banner(None)
            desk.take(session_id)
            return "You have this conversation.", banner("human")

        def on_move(session_id: str | None, move: str) -> tuple[str, str]:
            if not session_id:
                return "Pick a conversation first.", banner(None)
            getattr(desk.engine, move)(session_id)
            note = {
                "release": "Released: the bot answers again and has told the shopper so.",
                "resolve": "Resolved.",
            }[move]
            return note, banner("none")

        def insert(index: int, ids: list[str], text: str, view: DeskView | None) -> str:
            if view is None or not 0 <= index < len(ids):
                return text
            line = product_line(view, ids[index], currency)
            return f"{text.rstrip()}\n{line}".strip()

        def on_refresh() -> tuple[Any, Any]:
            return refresh(None)

        blocks.load(on_refresh, outputs=[queue, empty], api_name="on_refresh")
        timer.tick(
            tick,
            inputs=[queue, seen],
            outputs=[queue, empty, transcript, state_banner, seen],
            show_progress="hidden",
        )
        queue.input(
            on_open,
            api_name="on_open",
            inputs=queue,
            outputs=[
                state_banner,
                transcript,
                profile,
                draft,
                sources,
                products,
                product_ids,
                current,
                opened,
                seen,
            ],
        )
        products.click(insert, inputs=[products, product_ids, draft, opened], outputs=draft)
        send.click(
            on_send,
            inputs=[queue, draft, current],
            outputs=[status, transcript, state_banner, draft, seen],
        )
        take.click(on_take, inputs=queue, outputs=[status, state_banner])
        release.click(lambda s: on_move(s, "release"), inputs=queue, outputs=[status, state_banner])
        resolve.click(
            lambda s: on_move(s, "resolve"), inputs=queue, outputs=[status, state_banner]
        ).then(refresh, inputs=queue, outputs=[queue, empty])
    return blocks
