"""The dialogue policy is pure: tables of (state, signals) -> decision."""

from __future__ import annotations

import pytest

from bot.passage_units import join_units as _join
from bot.passage_units import units
from bot.policy import Signals, decide, may_suggest, must_hand_off_after_answer
from bot.state import DialogueState


def sig(
    intent: str,
    p: float = 0.9,
    sentiment: float = 0.0,
    product: float = 0.5,
    past: float = 0.3,
    **kw: bool,
) -> Signals:
    scores = {
        i: (p if i == intent else (1 - p) / 13)
        for i in (
            "order_status",
            "cancel_order",
            "return_refund",
            "shipping",
            "payment",
            "account",
            "contact",
            "product_question",
            "product_search",
            "recommendation",
            "complaint",
            "human_agent",
            "small_talk",
            "out_of_scope",
        )
    }
    return Signals(scores, sentiment, product, past, **kw)


def st(**kw: object) -> DialogueState:
    return DialogueState("s", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "signals", "action"),
    [
        (st(), sig("product_search"), "search"),
        (st(), sig("product_search", product=0.1), "answer"),  # nothing like it in the catalog
        (st(), sig("product_search", past=0.95), "answer"),  # shoppers asked exactly this before
        (st(), sig("recommendation"), "recommend"),
        (st(), sig("return_refund"), "answer"),
        (st(), sig("return_refund", mentions_order=True), "start_return"),
        (st(), sig("order_status", order_context=True), "order_status"),
        (st(), sig("cancel_order", order_context=True), "cancel_order"),
        (st(), sig("shipping", sentiment=-0.3, angry=True), "handoff"),  # "furious", "scam"
        (
            st(order_id="o1"),
            sig("return_refund", refers_back=True),
            "start_return",
        ),  # "how do I return it"
        (st(), sig("return_refund", refers_back=True), "answer"),  # no order talked about
        # "my order never arrived!" (no number), then "can you tell me where it is?"
        (st(order_talk=True), sig("order_status", refers_back=True), "order_status"),
        (st(), sig("order_status", refers_back=True), "answer"),  # "it" is not an order
        # "can you just tell me where it is?" reads as a contact question; "it" is the order
        (st(order_talk=True), sig("contact", refers_back=True), "order_status"),
        (st(order_id="o1"), sig("contact", refers_back=True), "order_status"),
        (st(), sig("contact", refers_back=True), "answer"),  # no order: where the shop is
        (st(order_talk=True), sig("contact"), "answer"),  # "what are your opening hours?"
        (st(), sig("recommendation", product=0.1, has_history=True), "recommend"),
        (st(), sig("recommendation", product=0.1), "answer"),  # anonymous and nothing close
        (st(last_query="rain jacket"), sig("small_talk", refines_search=True), "search"),
        # "what about navy?" with a product in focus, whatever the classifier made of it
        (st(product_in_focus="p1"), sig("shipping", asks_about_focus=True), "answer"),
        (st(product_in_focus="p1"), sig("complaint", asks_about_focus=True), "complaint"),
        (
            st(pending={"action": "cancel_order", "order_id": "o1"}),
            sig("small_talk", is_yes=True),
            "confirm",
        ),
        (
            st(pending={"action": "cancel_order", "order_id": "o1"}),
            sig("small_talk", is_no=True),
            "abort",
        ),
        (st(), sig("small_talk", is_yes=True), "greet"),  # a yes with nothing pending is just talk
        (st(), sig("human_agent"), "handoff"),
        (st(), sig("human_agent", p=0.3), "answer"),  # a vague mention is not a request
        (st(), sig("shipping", sentiment=-0.8), "handoff"),  # strong anger
        (st(), sig("return_refund", sentiment=-0.6), "answer"),  # unhappy, but answer the question
        (st(), sig("complaint", sentiment=-0.4), "complaint"),
        (st(last_products=["p1", "p2"]), sig("product_search", wants_cheaper=True), "cheaper"),
        (st(), sig("product_search", wants_cheaper=True), "search"),  # nothing shown yet
        (st(), sig("small_talk"), "greet"),
        (st(), sig("out_of_scope"), "decline"),
        (st(handoff="human"), sig("human_agent"), "silent"),
        # "My parcel is damaged, I want to talk to a person": a complaint that asks for a person
        (st(), sig("complaint", sentiment=-0.4, asks_for_person=True), "handoff"),
        # in so many words while a yes/no question is pending ("no, get me a human")
        (
            st(pending={"action": "cancel_order", "order_id": "o1"}),
            sig("small_talk", is_no=True, asks_for_person=True),
            "handoff",
        ),
        (st(pending={"action": "handoff_offer"}), sig("shipping", asks_for_person=True), "handoff"),
        (st(handoff="requested"), sig("order_status", asks_for_person=True), "handoff"),
        (st(handoff="human"), sig("complaint", asks_for_person=True), "silent"),  # already has one
    ],
)
def test_decide(state: DialogueState, signals: Signals, action: str) -> None:
    assert decide(state, signals) == action


@pytest.mark.parametrize(
    ("state", "signals", "action", "allowed"),
    [
        (st(), sig("product_search"), "search", True),
        (st(product_in_focus="p1"), sig("product_question"), "answer", True),
        (st(), sig("product_question"), "answer", False),  # no product in focus
        (st(), sig("shipping"), "answer", False),
        (st(), sig("complaint"), "complaint", False),
        (st(), sig("return_refund"), "answer", False),
        (st(), sig("cancel_order"), "cancel_order", False),
        (
            st(product_in_focus="p1"),
            sig("product_question", sentiment=-0.3),
            "answer",
            False,
        ),  # unhappy
        (st(handoff="requested"), sig("product_search"), "search", False),
        (st(suggestion_turns=3), sig("product_search"), "search", True),  # asked for: always shown
        (
            st(suggestion_turns=3, product_in_focus="p1"),
            sig("product_question"),
            "answer",
            False,
        ),  # cap
        (st(pending={"action": "cancel_order"}), sig("product_search"), "search", False),
    ],
)
def test_may_suggest(state: DialogueState, signals: Signals, action: str, allowed: bool) -> None:
    assert may_suggest(state, signals, action) is allowed


def test_order_intents_need_an_order() -> None:
    """'noise-cancelling headphones' scores cancel_order, but there is no order: the runner-up wins."""
    scores = {i: 0.0 for i in sig("small_talk").intent_scores}
    scores |= {"cancel_order": 0.6, "product_search": 0.3}
    s = Signals(scores, 0.0, 0.5, 0.2)
    assert decide(st(), s) == "search"
    assert decide(st(), Signals(scores, 0.0, 0.5, 0.2, order_context=True)) == "cancel_order"


def test_a_colour_on_its_own_asks_about_the_product_in_focus() -> None:
    from bot.policy import effective_intent
    from bot.slots import asks_for_variant

    assert asks_for_variant("what about navy?") and asks_for_variant("in UK 9?")
    assert not asks_for_variant("how long does delivery to Ireland take?")
    assert not asks_for_variant("do you have anything in red for a six year old?")  # too long
    focus = st(product_in_focus="p1")
    assert effective_intent(sig("shipping", asks_about_focus=True), focus) == "product_question"
    assert effective_intent(sig("shipping"), focus) == "shipping"
    assert effective_intent(sig("complaint", asks_about_focus=True), focus) == "complaint"


def test_second_unanswerable_question_hands_off() -> None:
    assert not must_hand_off_after_answer(st(no_answer_streak=0), grounded=False)
    assert must_hand_off_after_answer(st(no_answer_streak=1), grounded=False)
    assert not must_hand_off_after_answer(st(no_answer_streak=1), grounded=True)


def test_units_keep_list_items_apart() -> None:
    body = "We accept:\n\n- Visa and Mastercard\n- PayPal\n\n| Size | Chest |\n|---|---|\n| M | 100 |\n\nNo cash. Sorry."
    assert units(body) == [
        ("We accept:", False),
        ("Visa and Mastercard", True),
        ("PayPal", True),
        ("Size · Chest", True),
        ("M · 100", True),
        ("No cash.", False),
        ("Sorry.", False),
    ]
    assert _join(
        [("Intro.", False), ("a", True), ("b", True), ("End.", False), ("More.", False)]
    ) == ("Intro.\n- a\n- b\nEnd. More.")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("I want to talk to a person", True),
        ("My parcel is damaged, I want to talk to a person", True),
        ("can I speak with someone please", True),
        ("get me a human", True),
        ("I need a real person, not a bot", True),
        ("Could you put me through to an agent?", True),
        ("connect me with your staff", True),
        ("human please", True),
        ("I'd like to chat with a live agent", True),
        ("Is this a real person?", False),  # a question about the chat, not a request
        ("my son wants a jacket for a person his size", False),
        ("what is your return policy?", False),
        ("the agent at the door said the parcel was left", False),
        ("does it fit someone 190 cm tall?", False),
    ],
)
def test_asks_for_person(text: str, asks: bool) -> None:
    from bot.policy import asks_for_person

    assert asks_for_person(text) is asks
