"""Pure routing policy: what the bot does with a message, from the signals it has.

The intent router's similarities alone confuse "do you price match?" (a policy
question) with a product request; the evidence the shop holds settles it: a
message becomes a product search only when it reads like one AND the catalog
has something close to it AND it is not a question the shop's team has already
answered. Everything else is a question, which the answerer answers from the
knowledge base or hands to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

HUMAN_MIN = 0.55  # "let me talk to a person" must be unmistakable
GREETING_MIN = 0.6
PRODUCT_MIN = 0.25  # best catalog match needed before we show products
PAST_QUESTION_MIN = 0.8  # a past shopper question this close means it is a question


@dataclass(frozen=True)
class RouteSignals:
    intent_scores: Mapping[str, float]  # best similarity to each intent's examples
    product_score: float  # similarity of the best catalog match
    past_question_score: float  # similarity of the closest past shopper question


def route(s: RouteSignals) -> str:
    """One of: human_agent, greeting, product_search, question."""
    scores = s.intent_scores
    top = max(scores, key=lambda k: scores[k])
    if top == "human_agent" and scores[top] >= HUMAN_MIN:
        return "human_agent"
    if top == "greeting" and scores[top] >= GREETING_MIN:
        return "greeting"
    wants_products = scores.get("product_search", 0.0) > scores.get("question", 0.0)
    if (
        wants_products
        and s.product_score >= PRODUCT_MIN
        and s.past_question_score < PAST_QUESTION_MIN
    ):
        return "product_search"
    return "question"
