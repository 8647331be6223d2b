"""The skeleton's intent router on the real MiniLM: a table of shopper messages."""

from __future__ import annotations

import pytest

from bot.intents import IntentRouter


@pytest.fixture(scope="module")
def router(embedder):  # type: ignore[no-untyped-def]
    r = IntentRouter(embedder)
    r.warm_up()
    return r


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("What is your return policy?", "question"),
        ("how much does delivery to Ireland cost", "question"),
        ("can I change the address on my order", "question"),
        ("do you accept Apple Pay", "question"),
        ("I need something for hiking in the rain", "product_search"),
        ("looking for a present for a 6 year old", "product_search"),
        ("recommend me a lightweight tent", "product_search"),
        ("I want to speak to a real person", "human_agent"),
        ("get me a human please", "human_agent"),
        ("hello!", "greeting"),
    ],
)
def test_routing_table(router: IntentRouter, text: str, intent: str) -> None:
    assert router.classify(text).intent == intent


def test_router_needs_examples(embedder) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="at least one example"):
        IntentRouter(embedder, {"question": ()})
