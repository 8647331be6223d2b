"""Tests of the chat rendering (ui.render) and the Gradio shopper chat (ui.gradio_app)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import gradio as gr
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from gradio.state_holder import SessionState

from bot.types import BotReply, Citation, ProductCard
from ui.gradio_app import ERROR_MESSAGE, build_chat_ui, mount_chat_ui
from ui.render import (
    CSS,
    format_price,
    render_card,
    render_cards,
    render_reply,
    render_sources,
    shorten,
)

HOSTILE = "<script>alert(1)</script>"

JACKET = ProductCard(
    id="p-1",
    title="Stormproof rain jacket",
    price=89.0,
    category="jackets",
    reason="waterproof and breathable",
    brand="Nordwand",
)
RETURNS = Citation(
    id="kb-returns-1",
    title="Returns policy",
    source="kb/returns.md",
    snippet="You can return any item within 30 days of delivery.",
)
SHIPPING = Citation(
    id="kb-shipping-1",
    title="Shipping",
    source="kb/shipping.md",
    snippet="Orders ship within 2 business days.",
)


def fixed_reply() -> BotReply:
    return BotReply(
        reply="You can return items within **30 days**.",
        citations=[RETURNS],
        products=[JACKET],
        intent="question",
    )


# --- render.py ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "expected"),
    [(89, "€89.00"), (89.5, "€89.50"), (0, "€0.00"), (1234.567, "€1,234.57"), (9.999, "€10.00")],
)
def test_format_price(price: float, expected: str) -> None:
    assert format_price(price) == expected


def test_hostile_product_fields_are_inert() -> None:
    card = ProductCard(
        id='x" onmouseover="alert(1)',
        title=HOSTILE,
        price=5,
        category="<img src=x onerror=alert(2)>",
        reason="<b>bold</b> & more",
        brand='"><svg onload=alert(3)>',
    )
    out = render_card(card)
    assert "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<img" not in out and "&lt;img src=x onerror=alert(2)&gt;" in out
    assert "<svg" not in out and "&quot;&gt;&lt;svg" in out
    assert "<b>" not in out and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in out
    # the id attribute cannot be broken out of
    assert 'data-product-id="x&quot; onmouseover=&quot;alert(1)"' in out


def test_hostile_citation_and_reply_text_are_inert() -> None:
    reply = BotReply(
        reply=f"Here you go {HOSTILE} <iframe src=//evil>",
        citations=[
            Citation(id="c", title=HOSTILE, source="<b>kb</b>.md", snippet="<img src=x onerror=1>")
        ],
    )
    out = render_reply(reply)
    assert "<script" not in out
    assert "<iframe" not in out
    assert "<img" not in out
    assert "<b>" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_reply_text_stays_markdown() -> None:
    out = render_reply(BotReply(reply="Returns are **free** within 30 days."))
    assert out == "Returns are **free** within 30 days."


def test_out_of_stock_badge_only_when_out_of_stock() -> None:
    assert "out of stock" not in render_card(JACKET)
    sold_out = ProductCard(
        id="p-2", title="Gaiters", price=19.9, category="accessories", reason="", in_stock=False
    )
    out = render_card(sold_out)
    assert '<span class="sm-badge sm-out-of-stock">out of stock</span>' in out
    assert "€19.90" in out
    assert "sm-card-reason" not in out  # no empty reason line


def test_card_shows_title_brand_category_price_and_reason_in_italics() -> None:
    out = render_card(JACKET)
    assert '<div class="sm-card-title">Stormproof rain jacket</div>' in out
    assert '<div class="sm-card-meta">Nordwand · jackets</div>' in out
    assert '<div class="sm-card-price">€89.00</div>' in out
    assert "<em>waterproof and breathable</em>" in out


def test_sources_are_numbered_in_order() -> None:
    out = render_sources([RETURNS, SHIPPING])
    assert out.startswith('<div class="sm-sources">')
    assert "Sources" in out
    items = re.findall(r'<li><span class="sm-source-title">([^<]*)</span>', out)
    assert items == ["Returns policy", "Shipping"]
    assert "<ol>" in out  # an ordered list numbers them 1., 2.
    # shoppers see the source's title, not the shop's internal file names
    assert "kb/returns.md" not in out and "kb/shipping.md" not in out


def test_long_snippets_are_shortened_and_flattened() -> None:
    long = Citation(id="c", title="T", source="s", snippet="word " * 200 + "\n\n# heading")
    out = render_sources([long])
    snippet = re.search(r'sm-source-snippet">([^<]*)<', out)
    assert snippet is not None
    assert len(snippet.group(1)) <= 160
    assert snippet.group(1).endswith("…")
    assert "\n" not in out  # a blank line would end the raw HTML block in Markdown


def test_shorten() -> None:
    assert shorten("short  text\nhere") == "short text here"
    assert shorten("alpha beta gamma delta", limit=12) == "alpha beta…"
    with pytest.raises(ValueError, match="limit must be > 0"):
        shorten("x", limit=0)


def test_no_cards_section_without_products() -> None:
    reply = BotReply(reply="Shipping takes 2-4 days.", citations=[SHIPPING])
    out = render_reply(reply)
    assert "sm-cards" not in out
    assert "sm-card" not in out
    assert render_cards([]) == ""


def test_no_sources_section_without_citations() -> None:
    out = render_reply(BotReply(reply="Hello!", products=[JACKET]))
    assert "sm-sources" not in out
    assert render_sources([]) == ""


def test_reply_order_text_then_sources_then_cards() -> None:
    out = render_reply(fixed_reply())
    text_at = out.index("30 days")
    sources_at = out.index('class="sm-sources"')
    cards_at = out.index('class="sm-cards"')
    assert text_at < sources_at < cards_at
    # blocks are separated by blank lines so Markdown sees raw HTML blocks
    assert '\n\n<div class="sm-sources">' in out and '\n\n<div class="sm-cards">' in out


def test_css_styles_the_classes_used() -> None:
    for cls in ("sm-card", "sm-cards", "sm-sources", "sm-card-price", "sm-out-of-stock"):
        assert f".{cls}" in CSS
    assert "flex-wrap: wrap" in CSS
    assert "border-radius" in CSS


# --- gradio_app.py -----------------------------------------------------------


class RecordingEngine:
    """A tiny engine behind our own respond() interface, returning a fixed reply."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str | None, str]] = []
        self.fail = fail

    def respond(self, session_id: str, user_id: str | None, message: str) -> BotReply:
        self.calls.append((session_id, user_id, message))
        if self.fail:
            raise RuntimeError("engine exploded")
        return fixed_reply()


def _dependency(blocks: gr.Blocks, api_name: str) -> Any:
    return next(fn for fn in blocks.fns.values() if fn.api_name == api_name)


def _call_chat(
    blocks: gr.Blocks, state: SessionState, message: str, history: Any
) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """Run one turn through Gradio's own pre/post-processing, as the frontend does.

    The send button triggers three chained steps; each gets the frontend payloads of its
    inputs (State inputs are read from the session ``state``, their payload is None).
    Returns the final chat history and the textbox/button updates of step 1 and step 3.
    """

    def run(api_name: str, inputs: list[Any]) -> list[Any]:
        dep = _dependency(blocks, api_name)
        out = asyncio.run(blocks.process_api(block_fn=dep, inputs=inputs, state=state))
        return list(out["data"])

    # step 1 inputs: (textbox, chatbot) -> (chatbot, textbox, pending State, send button)
    shown, locked_box, _, locked_button = run("add_message", [message, history])
    if message.strip():
        assert shown[-1]["role"] == "user"  # the message shows before the engine answers
    assert locked_box["interactive"] is False and locked_box["value"] == ""
    assert locked_button["interactive"] is False
    # step 2 inputs: (chatbot, pending, session, reply ids, last id States) -> chatbot, ...
    history, _ids, _last, _timer = run("chat", [shown, None, None, None, None])
    # step 3: no inputs -> (textbox, send button, pending State)
    unlocked_box, unlocked_button, _ = run("unlock_input", [])
    assert unlocked_box["interactive"] is True and unlocked_button["interactive"] is True
    return history, locked_box, unlocked_box


def _texts(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(m["role"], "".join(c["text"] for c in m["content"])) for m in history]


def test_chat_appends_user_message_and_rendered_reply() -> None:
    engine = RecordingEngine()
    blocks = build_chat_ui(engine.respond, shop_name="Test shop")
    state = SessionState(blocks)

    history, _, _ = _call_chat(blocks, state, "  What is your return policy?  ", [])
    assert _texts(history) == [
        ("user", "What is your return policy?"),
        ("assistant", render_reply(fixed_reply())),
    ]
    session_id, user_id, message = engine.calls[0]
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert user_id is None  # no ?user= on the page: anonymous
    assert message == "What is your return policy?"

    # second turn in the same browser session: same session id
    history, _, _ = _call_chat(blocks, state, "And shipping?", history)
    assert [role for role, _ in _texts(history)] == ["user", "assistant"] * 2
    assert engine.calls[1] == (session_id, None, "And shipping?")

    # another browser session gets another id
    _call_chat(blocks, SessionState(blocks), "hi", [])
    assert engine.calls[2][0] != session_id


def test_chat_ignores_empty_messages() -> None:
    engine = RecordingEngine()
    blocks = build_chat_ui(engine.respond)
    history, _, _ = _call_chat(blocks, SessionState(blocks), "   \n ", [])
    assert history == []
    assert engine.calls == []


def test_chat_escapes_the_shoppers_own_message() -> None:
    blocks = build_chat_ui(RecordingEngine().respond)
    history, _, _ = _call_chat(blocks, SessionState(blocks), HOSTILE, [])
    assert _texts(history)[0] == ("user", "&lt;script&gt;alert(1)&lt;/script&gt;")


def test_chat_shows_polite_error_when_engine_fails(caplog: pytest.LogCaptureFixture) -> None:
    blocks = build_chat_ui(RecordingEngine(fail=True).respond)
    with caplog.at_level("ERROR", logger="ui.gradio_app"):
        history, _, _ = _call_chat(blocks, SessionState(blocks), "hello", [])
    assert _texts(history) == [("user", "hello"), ("assistant", ERROR_MESSAGE)]
    assert "engine exploded" in caplog.text


def test_ui_has_the_element_ids_and_examples() -> None:
    blocks = build_chat_ui(RecordingEngine().respond, shop_name="Alpine <Outfitters>")
    config = blocks.get_config_file()
    by_id = {c["props"].get("elem_id"): c for c in config["components"]}
    assert by_id["sm-chat"]["type"] == "chatbot"
    assert by_id["sm-input"]["type"] == "textbox"
    assert by_id["sm-send"]["type"] == "button"
    assert "sm-shopper" not in by_id  # no debug fields in front of shoppers
    assert by_id["sm-chat"]["props"]["sanitize_html"] is True
    markdown = [c for c in config["components"] if c["type"] == "markdown"]
    assert any("Alpine &lt;Outfitters&gt;" in c["props"]["value"] for c in markdown)
    # the example questions sit in the empty chat, visible on first load
    samples = [e["text"] for e in by_id["sm-chat"]["props"]["examples"]]
    assert samples == [
        "What is your return policy?",
        "I need something for hiking in the rain",
        "How long does shipping take?",
    ]


def test_mounted_on_fastapi_serves_html_with_css() -> None:
    app = FastAPI()
    blocks = build_chat_ui(RecordingEngine().respond)
    app = gr.mount_gradio_app(app, blocks, path="/ui", css=CSS)
    with TestClient(app) as client:
        page = client.get("/ui/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<html" in page.text.lower()
        assert client.get("/ui/config").json()["css"] == CSS


def test_mount_chat_ui_passes_css() -> None:
    app = mount_chat_ui(FastAPI(), RecordingEngine().respond, path="/shop-ui")
    with TestClient(app) as client:
        page = client.get("/shop-ui/")
        assert page.status_code == 200
        assert ".sm-card" in client.get("/shop-ui/config").json()["css"]


def test_card_image_link_and_unsafe_urls() -> None:
    tile = render_card(JACKET, "£")
    assert 'class="sm-card-img sm-card-tile"' in tile and ">J<" in tile  # jackets' initial
    assert "£89.00" in tile and "<a " not in tile
    shown = render_card(JACKET, "£", "https://cdn.example/j.jpg", "/products/p-1")
    assert '<img class="sm-card-img" src="https://cdn.example/j.jpg"' in shown
    assert '<a href="/products/p-1"' in shown
    hostile = render_card(JACKET, "£", "javascript:alert(1)", "javascript:alert(1)")
    assert "javascript:" not in hostile and "sm-card-tile" in hostile
    assert format_price(None) == "price on the product page"


def test_a_persons_reply_is_marked() -> None:
    from ui.render import render_person_message

    out = render_person_message("Hi, Sam <b>here</b>", "Alpine <Outfitters>")
    assert "A person from Alpine &lt;Outfitters&gt;" in out and "&lt;b&gt;here" in out


class LoopRecorder:
    """The chat's Conversation interface over a list, as the engine's repository keeps it."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str]] = []
        self.state = "none"
        self.thumbs: list[tuple[str, int, str]] = []

    def conversation(self) -> Any:
        from ui.gradio_app import Conversation

        return Conversation(
            lambda s, after: ([r for r in self.rows if r[0] > after], self.state),
            lambda s: max([r[0] for r in self.rows], default=0),
            lambda s, u, mid, t: self.thumbs.append((s, mid, t)),
        )


def test_silent_turn_adds_no_bubble_and_the_timer_brings_the_persons_reply() -> None:
    from ui.gradio_app import make_poll_fn, make_reply_fn

    loop = LoopRecorder()
    loop.rows = [(1, "shopper", "hi"), (2, "bot", "hello")]

    def silent(session_id: str, user_id: str | None, message: str) -> BotReply:
        loop.rows.append((3, "shopper", message))
        return BotReply("", handoff=True, handoff_state="human", action="silent")

    reply = make_reply_fn(silent, "£", loop.conversation())
    history, ids, last, timer = reply(
        [{"role": "user", "content": "anyone?"}], "anyone?", "s", {}, 2
    )
    assert [m["role"] for m in history] == ["user"] and ids == {} and last == 3
    assert timer.active is True  # a person has the chat: keep asking for their replies
    loop.state = "human"
    loop.rows.append((4, "agent", "Sam here"))
    poll = make_poll_fn(loop.conversation(), "Test shop")
    history, last, timer = poll(history, "s", last, "")
    assert last == 4 and "A person from Test shop" in history[-1]["content"]
    assert timer.active is True
    loop.state = "none"
    loop.rows.append((5, "bot", "Our team has handed this chat back to me"))
    history, last, timer = poll(history, "s", last, "")
    assert "handed this chat back" in history[-1]["content"] and timer.active is False
    assert poll(history, "s", last, "pending turn")[0] == history  # a turn in flight: wait


def test_a_reply_is_tied_to_its_stored_id() -> None:
    from ui.gradio_app import make_reply_fn

    loop = LoopRecorder()

    def answer(session_id: str, user_id: str | None, message: str) -> BotReply:
        loop.rows += [(7, "shopper", message), (8, "bot", "30 days")]
        return fixed_reply()

    reply = make_reply_fn(answer, "£", loop.conversation())
    history, ids, last, timer = reply([{"role": "user", "content": "q"}], "q", "s", {}, 0)
    assert history[1]["role"] == "assistant" and "30 days" in history[1]["content"]
    assert ids == {1: 8} and last == 8 and timer.active is False
