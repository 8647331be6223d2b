"""The shopper chat UI built with Gradio 6.

The UI only presents: it calls the dialogue engine through one callable,
``respond(session_id, user_id, message) -> BotReply``, and renders the result with
:mod:`ui.render`. Each browser session gets its own ``session_id``.

Gradio 6 takes custom CSS at launch/mount time, not in ``gr.Blocks(...)`` (a ``css=``
there only warns and is dropped by ``gr.mount_gradio_app``). Use :func:`mount_chat_ui`,
or pass :data:`ui.render.CSS` yourself::

    app = FastAPI()
    mount_chat_ui(app, engine.respond, path="/ui")
    # or: gr.mount_gradio_app(app, build_chat_ui(engine.respond), path="/ui", css=CSS)
    # or: build_chat_ui(engine.respond).launch(css=CSS)
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr
from fastapi import FastAPI

from bot.types import BotReply
from ui.render import CSS, render_reply, render_user_message

logger = logging.getLogger(__name__)

Respond = Callable[[str, str | None, str], BotReply]
ChatHistory = list[dict[str, Any]]

EXAMPLE_QUESTIONS = [
    "What is your return policy?",
    "I need something for hiking in the rain",
    "How long does shipping take?",
]
ERROR_MESSAGE = (
    "Sorry, something went wrong on our side and I could not answer that. "
    "Please try again in a moment."
)


def new_session_id() -> str:
    """A fresh, unguessable id for one browser session."""
    return uuid.uuid4().hex


def add_user_message(
    message: str, history: ChatHistory | None
) -> tuple[ChatHistory, gr.Textbox, str, gr.Button]:
    """First step of a turn: show the shopper's message at once and lock the input.

    Returns ``(new_history, textbox_update, pending_message, send_button_update)``: the
    textbox is cleared, and textbox and send button are disabled until the turn ends, so
    a second question cannot overtake the first. ``pending_message`` is ``""`` for an
    empty message, which the second step then ignores.
    """
    history = list(history or [])
    text = (message or "").strip()
    if text:
        history.append({"role": "user", "content": render_user_message(text)})
    return history, gr.Textbox(value="", interactive=False), text, gr.Button(interactive=False)


def unlock_input() -> tuple[gr.Textbox, gr.Button]:
    """Last step of a turn (runs even if the reply step failed): re-enable the input."""
    return gr.Textbox(interactive=True), gr.Button(interactive=True)


def make_reply_fn(
    respond: Respond,
    currency: str = "€",
) -> Callable[[ChatHistory | None, str, str, str | None], ChatHistory]:
    """Second step of a turn: ask the engine and append the rendered reply.

    The returned function takes ``(history, pending_message, session_id, shopper_id)`` as
    Gradio passes them. An exception in ``respond`` is logged and shown to the shopper
    as a polite error message.
    """

    def reply(
        history: ChatHistory | None,
        pending_message: str,
        session_id: str,
        shopper_id: str | None,
    ) -> ChatHistory:
        history = list(history or [])
        if not pending_message:
            return history
        user_id = (shopper_id or "").strip() or None
        try:
            content = render_reply(respond(session_id, user_id, pending_message), currency)
        except Exception:
            logger.exception("respond() failed for session %s", session_id)
            content = html.escape(ERROR_MESSAGE)
        history.append({"role": "assistant", "content": content})
        return history

    return reply


def build_chat_ui(
    respond: Respond, *, shop_name: str = "shopmate demo shop", currency: str = "€"
) -> gr.Blocks:
    """Build the shopper chat as a ``gr.Blocks`` (not launched, not mounted).

    Element ids for browser tests: ``sm-chat`` (chatbot), ``sm-input`` (message box),
    ``sm-send`` (send button), ``sm-shopper`` (optional shopper id).
    """
    reply = make_reply_fn(respond, currency)
    # analytics off: a shop's customer chat must not phone home to Gradio's servers.
    with gr.Blocks(title=f"{shop_name} · shopmate", analytics_enabled=False) as blocks:
        gr.Markdown(f"# {html.escape(shop_name)}\nAsk about orders, shipping, returns or products.")
        session_id = gr.State(new_session_id)  # callable: called once per browser session
        pending = gr.State("")  # the message being answered, handed from step 1 to step 2
        chatbot = gr.Chatbot(
            elem_id="sm-chat",
            label="Chat",
            height="70vh",
            min_height=360,
            sanitize_html=True,  # second line of defence after ui.render's escaping
            allow_tags=False,  # keep no non-standard tags; the card markup is standard HTML
            latex_delimiters=[],  # prices like "$5 ... $9" must not turn into LaTeX
            placeholder="Ask me anything about the shop.",
        )
        with gr.Row():
            textbox = gr.Textbox(
                elem_id="sm-input",
                show_label=False,
                placeholder="Type your question and press Enter",
                lines=1,
                max_lines=6,
                scale=8,
                autofocus=True,
            )
            send = gr.Button("Send", elem_id="sm-send", variant="primary", scale=1, min_width=80)
        shopper = gr.Textbox(
            elem_id="sm-shopper",
            label="Shopper id",
            placeholder="optional; leave blank to chat anonymously",
            lines=1,
        )
        gr.Examples(
            examples=[[q] for q in EXAMPLE_QUESTIONS],
            inputs=[textbox],
            label="Try asking",
            cache_examples=False,
        )
        # A turn in three steps: show the shopper's message at once (and lock the input),
        # ask the engine, unlock the input. `.then` runs even when the step before failed.
        gr.on(
            triggers=[send.click, textbox.submit],
            fn=add_user_message,
            inputs=[textbox, chatbot],
            outputs=[chatbot, textbox, pending, send],
            api_name="add_message",
            api_visibility="private",
            queue=False,
        ).then(
            fn=reply,
            inputs=[chatbot, pending, session_id, shopper],
            outputs=[chatbot],
            api_name="chat",
        ).then(
            fn=unlock_input,
            outputs=[textbox, send],
            api_visibility="private",
            queue=False,
        )
    return blocks


def mount_chat_ui(
    app: FastAPI,
    respond: Respond,
    *,
    path: str = "/ui",
    shop_name: str = "shopmate demo shop",
    currency: str = "€",
) -> FastAPI:
    """Build the chat and mount it on ``app`` at ``path``, with the card CSS."""
    blocks = build_chat_ui(respond, shop_name=shop_name, currency=currency)
    return gr.mount_gradio_app(app, blocks, path=path, css=CSS)
