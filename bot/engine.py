"""The dialogue engine: one shopper message in, one grounded reply out.

    engine = ChatEngine(embedder, router, answerer, recommender, repo)
    reply = engine.respond("session-1", "u0001", "what is your return policy?")

Routes by intent: questions are answered from the knowledge base with citations
(or handed to a person), product requests get product cards from the
recommender, which blends the request with the shopper's history. Every turn is
stored redacted through the shop repository.
"""

from __future__ import annotations

import logging

import numpy as np

from bot.answerer import Answerer, Evidence
from bot.intents import IntentRouter
from bot.policy import RouteSignals, route
from bot.redact import redact
from bot.types import BotReply, ProductCard
from recommender.recommender import Recommender, Suggestion
from retrieval.embedder import Embedder
from shop.repository import ShopRepository

log = logging.getLogger(__name__)

GREETING_REPLY = (
    "Hi! I can answer questions about orders, shipping, returns and our products, "
    "or help you find something. What can I do for you?"
)
HANDOFF_REQUESTED_REPLY = "Of course. I'm passing this conversation to a person from our support team; they'll reply here."
NO_PRODUCTS_REPLY = (
    "I couldn't find anything in stock that fits. Could you tell me a bit more about what you need?"
)


class MessageError(ValueError):
    """The shopper's message cannot be processed; the text says why."""


def card_of(s: Suggestion) -> ProductCard:
    p = s.product
    return ProductCard(p.id, p.title, p.price, p.category, s.reason, p.brand, p.in_stock)


class ChatEngine:
    """Answers, suggests or hands off; records every turn."""

    def __init__(
        self,
        embedder: Embedder,
        router: IntentRouter,
        answerer: Answerer,
        recommender: Recommender,
        repo: ShopRepository,
        suggestions_per_reply: int = 4,
        max_message_chars: int = 4000,
    ) -> None:
        if max_message_chars <= 0:
            raise ValueError(f"max_message_chars must be > 0, got {max_message_chars}")
        self.embedder = embedder
        self.router = router
        self.answerer = answerer
        self.recommender = recommender
        self.repo = repo
        self.suggestions_per_reply = suggestions_per_reply
        self.max_message_chars = max_message_chars

    def respond(self, session_id: str, user_id: str | None, message: str) -> BotReply:
        text = message.strip()
        if not text:
            raise MessageError(
                f"message is empty; send the shopper's text (1 to {self.max_message_chars} characters)"
            )
        if len(text) > self.max_message_chars:
            raise MessageError(
                f"message has {len(text)} characters; at most {self.max_message_chars} are accepted"
            )
        vec = self.embedder.encode_one(text)
        evidence = self.answerer.evidence(text, vec)
        intent = route(
            RouteSignals(
                intent_scores=self.router.scores(text, vec),
                product_score=self.recommender.catalog_match(vec),
                past_question_score=evidence.past_score,
            )
        )
        reply = self._reply(intent, text, vec, user_id, evidence)
        self.repo.add_messages(
            [
                (session_id, user_id, "shopper", redact(text), {"intent": intent}),
                (
                    session_id,
                    user_id,
                    "bot",
                    redact(reply.reply),
                    {
                        "citations": [c.id for c in reply.citations],
                        "products": [p.id for p in reply.products],
                        "handoff": reply.handoff,
                    },
                ),
            ]
        )
        log.info(
            "session=%s intent=%s citations=%d products=%d handoff=%s",
            session_id[:12],
            intent,
            len(reply.citations),
            len(reply.products),
            reply.handoff,
        )
        return reply

    def _reply(
        self, intent: str, text: str, vec: np.ndarray, user_id: str | None, evidence: Evidence
    ) -> BotReply:
        if intent == "human_agent":
            return BotReply(HANDOFF_REQUESTED_REPLY, intent=intent, handoff=True)
        if intent == "greeting":
            return BotReply(GREETING_REPLY, intent=intent)
        if intent == "product_search":
            k = max(self.suggestions_per_reply, 1)
            cards = [card_of(s) for s in self.recommender.recommend(user_id, context=text, k=k)]
            if not cards:
                return BotReply(NO_PRODUCTS_REPLY, intent=intent)
            names = ", ".join(c.title for c in cards[:3])
            return BotReply(
                f"Here are some products that fit what you're looking for: {names}.",
                products=cards,
                intent=intent,
            )
        answer = self.answerer.answer(text, vector=vec, evidence=evidence)
        return BotReply(answer.text, answer.citations, intent=intent, handoff=not answer.grounded)
