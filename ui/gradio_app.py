"""The shopper chat UI built with Gradio 6.

The UI only presents: it calls the dialogue engine through one callable,
``respond(session_id, user_id, message) -> BotReply``, and renders the result with
:mod:`ui.render`. Each browser session gets its own ``session_id``. With a
:class:`Conversation` (``conversation_of(engine)``) the chat also closes the handoff loop:
while a person is asked for or has the chat, a timer fetches what they write and shows it
marked as from a person; the bot's "you're back with me" note arrives the same way; and
thumbs on a reply are stored against that reply's id.

The shopper is anonymous unless the page is opened with ``?user=<shopper id>`` (the demo's
way of playing a signed-in shopper, believed only on a loopback server; a shop signs its
shoppers in through the widget).

Gradio 6 takes custom CSS at launch/mount time, not in ``gr.Blocks(...)`` (a ``css=``
there only warns and is dropped by ``gr.mount_gradio_app``). Use :func:`mount_chat_ui`,
or pass :data:`ui.render.CSS` yourself::

    app = FastAPI()
    mount_chat_ui(app, engine.respond, path="/ui", conversation=conversation_of(lambda: engine))
    # or: gr.mount_gradio_app(app, build_chat_ui(engine.respond), path="/ui", css=CSS)
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr
from fastapi import FastAPI

from bot.engine import MessageError
from bot.types import BotReply
from ui.render import CSS, render_person_message, render_reply, render_user_message

if TYPE_CHECKING:
    from bot.engine import ChatEngine

logger = logging.getLogger(__name__)

Respond = Callable[[str, str | None, str], BotReply]
ChatHistory = list[dict[str, Any]]
POLL_SECONDS = 2.0  # how often an open chat asks for a person's replies during a handoff

EXAMPLE_QUESTIONS = [
    "What is your return policy?",
    "I need something for hiking in the rain",
    "How long does shipping take?",
]
ERROR_MESSAGE = (
    "Sorry, something went wrong on our side and I could not answer that. "
    "Please try again in a moment."
)


@dataclass(frozen=True)
class Conversation:
    """What the chat needs beyond answering, as plain callables (the engine's repository in
    the app; anything with the same shape in tests)."""

    # (session id, after id) -> ([(id, role, text)] of bot and agent messages, handoff state)
    messages_after: Callable[[str, int], tuple[list[tuple[int, str, str]], str]]
    last_message_id: Callable[[str], int]  # the session's newest message id
    feedback: Callable[[str, str | None, int, str], None]  # session, user, message id, up|down
    # product ids -> {id: (image url, page url)} for the cards, where the catalog has them
    product_links: Callable[[list[str]], dict[str, tuple[str, str]]] = lambda ids: {}


def conversation_of(engine: Callable[[], ChatEngine]) -> Conversation:
    """The handoff loop, thumbs and product links over a dialogue engine (a callable, so a web
    app can build the UI before its lifespan has loaded the engine)."""

    def messages_after(session_id: str, after: int) -> tuple[list[tuple[int, str, str]], str]:
        e = engine()
        rows = e.repo.messages_after(session_id, after, roles=("bot", "agent"))
        return rows, e.state(session_id).handoff

    def feedback(session_id: str, user_id: str | None, message_id: int, thumbs: str) -> None:
        engine().repo.add_feedback(session_id, user_id, thumbs, None, "", message_id=message_id)

    def product_links(ids: list[str]) -> dict[str, tuple[str, str]]:
        found = engine().repo.get_products(ids)
        out = {}
        for pid, p in found.items():
            images = getattr(p, "images", ()) or ()
            out[pid] = (str(images[0]) if images else "", str(getattr(p, "url", "") or ""))
        return out

    return Conversation(
        messages_after, lambda s: engine().repo.last_message_id(s), feedback, product_links
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


def unlock_input() -> tuple[gr.Textbox, gr.Button, str]:
    """Last step of a turn (runs even if the reply step failed): re-enable the input and
    clear the pending message (a timer tick waits while one is pending)."""
    return gr.Textbox(interactive=True), gr.Button(interactive=True), ""


def shopper_of(request: gr.Request | None) -> str | None:
    """The shopper id from the page's ``?user=`` parameter, if any."""
    if request is None:
        return None
    value = (request.query_params.get("user") or "").strip()
    return value[:128] or None


def make_reply_fn(
    respond: Respond,
    currency: str = "€",
    conversation: Conversation | None = None,
) -> Callable[..., tuple[ChatHistory, dict[int, int], int, gr.Timer]]:
    """Second step of a turn: ask the engine and append the rendered reply.

    The returned function takes ``(history, pending_message, session_id, reply_ids,
    last_id, request)`` as Gradio passes them and returns the history, the map from chat
    position to stored reply id (for thumbs), the newest message id seen and the poll
    timer (running while a person is asked for or has the chat). An exception in
    ``respond`` is logged and shown to the shopper as a polite error message. While a
    person has the chat the bot adds no bubble: the person's reply comes by the timer.
    """

    def reply(
        history: ChatHistory | None,
        pending_message: str,
        session_id: str,
        reply_ids: dict[int, int] | None,
        last_id: int,
        request: gr.Request | None = None,
    ) -> tuple[ChatHistory, dict[int, int], int, gr.Timer]:
        history = list(history or [])
        ids = dict(reply_ids or {})
        if not pending_message:
            return history, ids, last_id, gr.Timer(active=False)
        handoff = "none"
        try:
            answer = respond(session_id, shopper_of(request), pending_message)
            handoff = answer.handoff_state
            links = (
                conversation.product_links([p.id for p in answer.products])
                if conversation and answer.products
                else {}
            )
            content = render_reply(answer, currency, links) if answer.reply.strip() else ""
        except MessageError as e:  # e.g. an over-long message: say what is accepted
            content = html.escape(f"Sorry, I can't take that one: {e}. Could you shorten it?")
        except Exception:
            logger.exception("respond() failed for session %s", session_id)
            content = html.escape(ERROR_MESSAGE)
        if content:
            history.append({"role": "assistant", "content": content})
        if conversation is not None:
            try:
                last_id = conversation.last_message_id(session_id)
            except Exception:
                logger.exception("could not read the newest message id")
            if content and handoff != "human":
                ids[len(history) - 1] = last_id
        return history, ids, last_id, gr.Timer(active=handoff != "none")

    return reply


def make_poll_fn(
    conversation: Conversation, shop_name: str
) -> Callable[..., tuple[ChatHistory, int, gr.Timer]]:
    """A timer tick during a handoff: append what a person (or the bot, handed the chat
    back) wrote since ``last_id``; stop the timer once the bot has the chat again."""

    def poll(
        history: ChatHistory | None, session_id: str, last_id: int, pending: str
    ) -> tuple[ChatHistory, int, gr.Timer]:
        history = list(history or [])
        if pending:  # a turn is being answered; it brings its own reply
            return history, last_id, gr.Timer(active=True)
        rows, state = conversation.messages_after(session_id, last_id)
        for mid, role, text in rows:
            last_id = max(last_id, mid)
            content = (
                render_person_message(text, shop_name)
                if role == "agent"
                else render_user_message(text)
            )
            history.append({"role": "assistant", "content": content})
        return history, last_id, gr.Timer(active=state != "none")

    return poll


def build_chat_ui(
    respond: Respond,
    *,
    shop_name: str = "shopmate demo shop",
    currency: str = "€",
    conversation: Conversation | None = None,
) -> gr.Blocks:
    """Build the shopper chat as a ``gr.Blocks`` (not launched, not mounted).

    Element ids for browser tests: ``sm-chat`` (chatbot), ``sm-input`` (message box),
    ``sm-send`` (send button).
    """
    reply = make_reply_fn(respond, currency, conversation)
    # analytics off: a shop's customer chat must not phone home to Gradio's servers.
    with gr.Blocks(title=f"{shop_name} · shopmate", analytics_enabled=False) as blocks:
        gr.Markdown(
            f"## {html.escape(shop_name)}\nAsk about orders, delivery, returns or products. "
            "Answers come with their sources; ask for a person at any time.",
            elem_id="sm-header",
        )
        session_id = gr.State(new_session_id)  # callable: called once per browser session
        pending = gr.State("")  # the message being answered, handed from step 1 to step 2
        reply_ids = gr.State({})  # chat position -> stored reply id, for thumbs
        last_id = gr.State(0)  # the newest message of the session this page has shown
        timer = gr.Timer(POLL_SECONDS, active=False)
        chatbot = gr.Chatbot(
            elem_id="sm-chat",
            label="Chat",
            height="62vh",
            min_height=320,
            sanitize_html=True,  # second line of defence after ui.render's escaping
            allow_tags=False,  # keep no non-standard tags; the card markup is standard HTML
            latex_delimiters=[],  # prices like "$5 ... $9" must not turn into LaTeX
            placeholder="**Hi! I'm the shop's assistant.** Pick a question or type your own.",
            examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
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

        def example(evt: gr.SelectData) -> str:
            value = evt.value if isinstance(evt.value, dict) else {}
            return str(value.get("text", ""))

        # A turn in three steps: show the shopper's message at once (and lock the input),
        # ask the engine, unlock the input. `.then` runs even when the step before failed.
        chatbot.example_select(example, outputs=[textbox], queue=False).then(
            fn=add_user_message,
            inputs=[textbox, chatbot],
            outputs=[chatbot, textbox, pending, send],
            queue=False,
        ).then(
            fn=reply,
            inputs=[chatbot, pending, session_id, reply_ids, last_id],
            outputs=[chatbot, reply_ids, last_id, timer],
        ).then(fn=unlock_input, outputs=[textbox, send, pending], queue=False)
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
            inputs=[chatbot, pending, session_id, reply_ids, last_id],
            outputs=[chatbot, reply_ids, last_id, timer],
            api_name="chat",
        ).then(
            fn=unlock_input,
            outputs=[textbox, send, pending],
            api_name="unlock_input",
            api_visibility="private",
            queue=False,
        )
        if conversation is not None:
            poll = make_poll_fn(conversation, shop_name)
            timer.tick(
                poll,
                inputs=[chatbot, session_id, last_id, pending],
                outputs=[chatbot, last_id, timer],
                api_visibility="private",
                show_progress="hidden",
            )

            def thumbs(
                ids: dict[int, int],
                session: str,
                data: gr.LikeData,
                request: gr.Request,
            ) -> None:
                index = data.index if isinstance(data.index, int) else data.index[0]
                message_id = ids.get(index) or ids.get(str(index))  # type: ignore[call-overload]
                if message_id is None:  # a person's reply or an error: nothing stored to rate
                    return
                up = data.liked is True or data.liked == "Like"
                conversation.feedback(
                    session, shopper_of(request), int(message_id), "up" if up else "down"
                )

            chatbot.like(thumbs, inputs=[reply_ids, session_id], api_visibility="private")
    return blocks


def mount_chat_ui(
    app: FastAPI,
    respond: Respond,
    *,
    path: str = "/ui",
    shop_name: str = "shopmate demo shop",
    currency: str = "€",
    conversation: Conversation | None = None,
) -> FastAPI:
    """Build the chat and mount it on ``app`` at ``path``, with the card CSS."""
    blocks = build_chat_ui(
        respond, shop_name=shop_name, currency=currency, conversation=conversation
    )
    return gr.mount_gradio_app(app, blocks, path=path, css=CSS)
