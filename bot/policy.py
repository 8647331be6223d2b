"""Pure dialogue policy: what the bot does next, whether it may suggest products, when a person takes over.

Every decision is a function of the dialogue state and this turn's signals, so it is
tested with tables of cases (tests/bot/test_policy.py) and replayed in the scenario suite.
"""

from __future__ import annotations

import re
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

NEVER_SUGGEST = {"complaint", "cancel_order", "return_refund", "human_agent", "order_status"}


@dataclass(frozen=True)
class Signals:
    intent_scores: Mapping[str, float]  # classifier probabilities per intent
    sentiment: float  # -1 .. 1
    product_score: float  # similarity of the best in-stock catalog match
    past_question_score: float  # similarity of the closest past shopper question
    mentions_order: bool = False  # an order id is in the message
    order_context: bool = False  # the message talks about an order, parcel or purchase
    refers_back: bool = False  # "it", "this", "them": about what was discussed before
    has_history: bool = False  # a signed-in shopper with events to personalise from
    angry: bool = False  # words of strong anger (furious, scam, worst…)
    refines_search: bool = False  # "under £130 please" right after a product search
    # "what about navy?" while a product is in focus (and no search is being refined): a
    # question about that product, however the classifier reads its three words
    asks_about_focus: bool = False
    # "are these nickel free?", "what bulb does it take?" on a product page: about that
    # product, unless it is about the shop's policies ("does it ship to Canada?")
    asks_about_it: bool = False
    is_yes: bool = False
    is_no: bool = False
    wants_cheaper: bool = False
    # "I want to talk to a person" in so many words, whatever else the message says
    asks_for_person: bool = False
    asks_for_products: bool = False  # "do you sell hats?", "t-shirts under £20"
    names_product: bool = False  # one product named clearly (its SKU, most of its title)
    asks_fact: bool = False  # price, stock, size, material… of a product


_PERSON = r"(?:a |an |some |your |one of your |a real |a live |an actual )?(?:real |live |actual )?(?:person|human|agent|someone|somebody|people|staff|representative|rep|operator|manager|colleague)"
_ASKS_FOR_PERSON = re.compile(
    rf"(?i)\b(?:talk|speak|chat|get through)\s+(?:to|with)\s+{_PERSON}\b"
    rf"|\b(?:get|give|put) me (?:through to )?{_PERSON}\b"
    rf"|\b(?:connect|transfer|pass) me (?:to|with) {_PERSON}\b"
    r"|\b(?:want|need|like|prefer|ask for|request)\b[^.?!,]{0,12}\b(?:person|human|agent)\b"
    r"|\b(?:human|person|agent),? please\b"
)


def asks_for_person(text: str) -> bool:
    """Does the shopper ask for a person in so many words ("I want to talk to a person",
    "can I speak with someone", "get me a human")? Honoured in any state, also in the middle
    of a complaint or a pending question, where the classifier may read the message as
    something else ("My parcel is damaged, I want to talk to a person" reads as a complaint)."""
    return bool(_ASKS_FOR_PERSON.search(text))


ORDER_INTENTS = {"order_status", "cancel_order"}
# intents a request for products never overrides
POLICY = {"shipping", "payment", "account", "contact"}
NOT_A_SEARCH = {*ORDER_INTENTS, "complaint", "human_agent", "return_refund", "recommendation"}
# read as they are even when they name a colour or size ("the blue one broke", "return the red")
NOT_ABOUT_A_VARIANT = {*ORDER_INTENTS, "return_refund", "complaint", "human_agent"}


def top_intent(s: Signals) -> str:
    return max(s.intent_scores, key=lambda k: s.intent_scores[k])


def effective_intent(s: Signals, state: DialogueState) -> str:
    """The top intent, except that order intents need an order to be about
    ("noise-cancelling headphones" is not a cancellation): then the runner-up; a colour
    or size on its own asks about the product in focus; and a whereabouts question about
    "it" after order talk tracks that order."""
    if s.asks_about_focus and top_intent(s) not in NOT_ABOUT_A_VARIANT:
        return "product_question"
    if s.asks_about_it and top_intent(s) not in NOT_ABOUT_A_VARIANT | POLICY:
        return "product_question"
    ranked = sorted(s.intent_scores, key=lambda k: -s.intent_scores[k])
    earlier = state.order_id is not None or state.order_talk  # an order "it" can refer to
    if earlier and s.refers_back and ranked[0] == "contact":
        # "can you just tell me where it is?" after "my order never arrived": "it" is the
        # order, not the shop (a question about the shop says "you", "your shop")
        return "order_status"
    for intent in ranked:
        if intent in ORDER_INTENTS and not (s.order_context or (earlier and s.refers_back)):
            continue
        return intent
    return ranked[0]


def decide(state: DialogueState, s: Signals) -> str:
    """The next action: silent | confirm | abort | handoff | greet | decline | order_status |
    cancel_order | start_return | cheaper | search | recommend | complaint | answer."""
    if state.handoff == "human":
        return "silent"
    if s.asks_for_person:  # before a pending yes/no: "no, I want to talk to a person"
        return "handoff"
    if state.pending is not None:
        if s.is_yes:
            return "confirm"
        if s.is_no:
            return "abort"
    intent = effective_intent(s, state)
    if intent == "human_agent" and s.intent_scores[intent] >= HUMAN_MIN:
        return "handoff"
    if s.sentiment <= STRONG_NEGATIVE or s.angry:
        return "handoff"
    if s.wants_cheaper and state.last_products:
        return "cheaper"
    named = s.names_product and (s.asks_fact or intent in {"small_talk", "out_of_scope"})
    if named and intent not in NOT_A_SEARCH and intent not in POLICY:
        return "answer"  # "shure earphones price?", "what is RP-demo_7?"
    if s.refines_search:
        return "search"
    if intent == "small_talk":
        return "greet"
    if intent == "out_of_scope":
        return "decline"
    if intent == "order_status":
        return "order_status"
    if intent == "cancel_order":
        return "cancel_order"
    if intent == "return_refund" and (s.mentions_order or (state.order_id and s.refers_back)):
        return "start_return"
    if intent == "complaint":
        return "complaint"
    if s.asks_for_products and intent not in NOT_A_SEARCH and not s.asks_about_it:
        return "search"
    if s.past_question_score < PAST_QUESTION_MIN:
        if intent == "product_search" and s.product_score >= PRODUCT_MIN:
            return "search"
        if intent == "recommendation" and (s.product_score >= PRODUCT_MIN or s.has_history):
            return "recommend"
    return "answer"


def may_suggest(state: DialogueState, s: Signals, action: str) -> bool:
    """May product cards go with this reply?

    Asked-for products (a search, a recommendation request) are shown unless a person is
    being fetched or has the chat. Unasked-for suggestions come only after product talk,
    never to an unhappy shopper, in a complaint, refund, cancellation or handoff, and at
    most MAX_SUGGESTION_TURNS times per session.
    """
    if state.handoff != "none" or state.pending is not None:
        return False
    if action in {"search", "recommend", "cheaper"}:
        return True
    if top_intent(s) in NEVER_SUGGEST or action in {"complaint", "handoff", "decline", "abort"}:
        return False
    if s.sentiment <= NO_SUGGESTION_SENTIMENT or state.suggestion_turns >= MAX_SUGGESTION_TURNS:
        return False
    return (
        action == "answer"
        and top_intent(s) == "product_question"
        and state.product_in_focus is not None
    )


def must_hand_off_after_answer(state: DialogueState, grounded: bool) -> bool:
    """The judge said "no answer" twice in a row."""
    return not grounded and state.no_answer_streak + 1 >= NO_ANSWER_HANDOFF
