"""Reading a shopper's message into the policy's `Signals`: intent scores, sentiment, how
close it is to what the shop sells and to a past question, whether it is about the
shopper's own order, refers back, names a product, asks for products or a fact.

    signals = SignalReader(router, recommender, grounder, repo).read(state, text, vec, evidence)
"""

from __future__ import annotations

import re

import numpy as np

from bot.answerer import Evidence
from bot.fact_asks import asks
from bot.intents import IntentRouter
from bot.policy import PRODUCT_MIN, Signals, asks_for_person
from bot.product_grounding import ProductGrounder
from bot.search_constraints import asks_for_products, open_request
from bot.sentiment import is_angry, sentiment
from bot.slots import (
    asks_about_it,
    asks_for_variant,
    budget,
    colour,
    is_no,
    is_yes,
    order_id,
    refines_search,
    size,
    wants_cheaper,
)
from bot.state import DialogueState
from recommender.recommender import Recommender
from shop.repository import ShopRepository

# the shopper's own order, not ordering in general ("if I order on a Sunday…" is policy)
_ORDER_WORDS = re.compile(
    r"(?i)\b(?:my|our|an|the|this|that|his|her)\s+(?:\w+\s+){0,2}?"
    r"(?:orders?|parcels?|package|purchases?|shipment|stuff)\b"
    r"|\b(?:my|our)\s+(?:\w+\s+){0,2}?deliver(?:y|ies)\b"
    r"|\bI\s+(?:have\s+|had\s+|just\s+|already\s+|recently\s+)?(?:ordered|bought|purchased|placed)\b"
    r"|\b(?:orders?|parcels?|package|purchase|shipment)\s+(?:hasn'?t|has not|never|didn'?t|is late|arrived|came)\b"
)
_GENERAL = re.compile(
    r"(?i)\b(?:if|when|once|before|after)\s+(?:i|we|you|someone)\s+(?:order|buy|purchase|place)"
)
_REFERS_BACK = re.compile(r"(?i)\b(it|this|that|them|these|those|one)\b")


def remember_slots(st: DialogueState, text: str) -> None:
    """Order number, budget, colour and size the message gives, kept for later turns."""
    st.order_id = order_id(text) or st.order_id
    st.budget_max = budget(text) or st.budget_max
    st.colour = colour(text) or st.colour
    st.size = size(text) or st.size


class SignalReader:
    def __init__(
        self,
        router: IntentRouter,
        recommender: Recommender,
        grounder: ProductGrounder,
        repo: ShopRepository,
    ) -> None:
        self.router, self.recommender, self.grounder, self.repo = (
            router,
            recommender,
            grounder,
            repo,
        )

    def read(self, st: DialogueState, text: str, vec: np.ndarray, evidence: Evidence) -> Signals:
        refining = refines_search(text) and st.last_query is not None and st.last_action == "search"
        product_score = self.recommender.catalog_match(vec)
        grounded = self.grounder.ground(text, vec, None)  # does the message name a product?
        on_page = st.product_in_focus is not None
        return Signals(
            intent_scores=self.router.scores(text, vec),
            sentiment=sentiment(text),
            product_score=product_score,
            past_question_score=evidence.past_score,
            mentions_order=order_id(text) is not None,
            order_context=(bool(_ORDER_WORDS.search(text)) and not _GENERAL.search(text))
            or order_id(text) is not None,
            refers_back=bool(_REFERS_BACK.search(text)),
            has_history=bool(st.user_id and self.repo.recent_events(st.user_id, limit=1)),
            angry=is_angry(text),
            refines_search=refining,
            asks_about_focus=on_page and not refining and asks_for_variant(text),
            asks_about_it=on_page and asks_about_it(text),
            is_yes=is_yes(text),
            is_no=is_no(text),
            wants_cheaper=wants_cheaper(text),
            asks_for_person=asks_for_person(text),
            asks_for_products=asks_for_products(text, self.grounder.vocabulary())
            or (open_request(text) and product_score >= PRODUCT_MIN),
            names_product=grounded.clearly,
            asks_fact=bool(asks(text)),
        )
