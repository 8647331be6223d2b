"""Pure dialogue policy: what the bot does next, whether it may suggest products, when a person takes over.

Every decision is a function of the dialogue state and this turn's signals, so it is
tested with tables of cases (tests/test_policy.py) and replayed in the scenario suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.state import DialogueState

HUMAN_MIN = 0.5  # probability of human_agent needed to hand off on request
STRONG_NEGATIVE = -0.75  # sentiment at or below this hands off ("worst service, furious")
NO_SUGGESTION_SENTIMENT = -0.2  # no products for a shopper who is unhappy
PRODUCT_MIN = 0.25  # best catalog match needed before we show products
PAST_QUESTION_MIN = 0.8  # a past shopper question this close means it is a question
MAX_SUGGESTION_TURNS = 3  # replies with product cards per session
NO_ANSWER_HANDOFF = 2  # consecutive unanswerable questions before a person is fetched

INFO_INTENTS = {"return_refund", "shipping", "payment", "account", "product_question"}
SHOPPING_INTENTS = {"product_search", "recommendation"}
NEVER_SUGGEST = {"complaint", "cancel_order", "return_refund", "human_agent", "order_status"}


@dataclass(frozen=True)
class Signals:
    intent_scores: Mapping[str, float]  # classifier probabilities per intent
    sentiment: float  # -1 .. 1
    product_score: float  # similarity of the best in-stock catalog match
    past_question_score: float  # similarity of the closest past shopper question
    mentions_order: bool = False
    is_yes: bool = False
    is_no: bool = False
    wants_cheaper: bool = False


def top_intent(s: Signals) -> str:
    return max(s.intent_scores, key=lambda k: s.intent_scores[k])


def decide(state: DialogueState, s: Signals) -> str:
    """The next action: silent | confirm | abort | handoff | greet | decline | order_status |
    cancel_order | start_return | cheaper | search | recommend | complaint | answer."""
    if state.handoff == "human":
        return "silent"
    if state.pending is not None:
        if s.is_yes:
            return "confirm"
        if s.is_no:
            return "abort"
    intent = top_intent(s)
    if intent == "human_agent" and s.intent_scores[intent] >= HUMAN_MIN:
        return "handoff"
    if s.sentiment <= STRONG_NEGATIVE:
        return "handoff"
    if s.wants_cheaper and state.last_products:
        return "cheaper"
    if intent == "small_talk":
        return "greet"
    if intent == "out_of_scope":
        return "decline"
    if intent == "order_status":
        return "order_status"
    if intent == "cancel_order":
        return "cancel_order"
    if intent == "return_refund" and s.mentions_order:
        return "start_return"
    if intent == "complaint":
        return "complaint"
    if (
        intent in SHOPPING_INTENTS
        and s.product_score >= PRODUCT_MIN
        and s.past_question_score < PAST_QUESTION_MIN
    ):
        return "recommend" if intent == "recommendation" else "search"
    return "answer"


def may_suggest(state: DialogueState, s: Signals, action: str) -> bool:
    """Products only after product talk, never to an unhappy shopper, in a complaint, refund,
    cancellation or handoff, and only a few times per session."""
    if state.handoff != "none" or state.pending is not None:
        return False
    if top_intent(s) in NEVER_SUGGEST or action in {"complaint", "handoff", "decline", "abort"}:
        return False
    if s.sentiment <= NO_SUGGESTION_SENTIMENT:
        return False
    if state.suggestion_turns >= MAX_SUGGESTION_TURNS:
        return False
    return action in {"search", "recommend", "cheaper"} or (
        action == "answer"
        and top_intent(s) == "product_question"
        and state.product_in_focus is not None
    )


def must_hand_off_after_answer(state: DialogueState, grounded: bool) -> bool:
    """The judge said "no answer" twice in a row."""
    return not grounded and state.no_answer_streak + 1 >= NO_ANSWER_HANDOFF
