"""Routing a shopper's message to what the bot should do with it.

A nearest-prototype classifier over sentence embeddings: each intent has a few
example utterances; a message takes the intent of its most similar example.
(The dialogue-engine issue replaces this with a head trained on support data;
the interface stays `classify(text) -> IntentResult`.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.embedder import Embedder

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "product_search": (
        "I need something for hiking in the rain",
        "I'm looking for a warm jacket",
        "can you recommend running shoes",
        "show me tents for two people",
        "what do you have for camping",
        "I want a gift for my dad who likes cooking",
        "do you sell backpacks",
        "suggest a good sleeping bag",
        "any boots for winter walks?",
        "I'm shopping for kids' clothes",
        "do you have waterproof trousers?",
        "have you got any lightweight stoves",
    ),
    "question": (
        "what is your return policy?",
        "how long does shipping take?",
        "can I pay with PayPal?",
        "how do I reset my password",
        "where is my order",
        "is this jacket waterproof?",
        "what sizes does it come in",
        "do you ship internationally",
        "how do I get a refund",
        "what does the warranty cover",
        "how do I wash the fleece",
        "can I cancel my order",
        "how should I clean my hiking boots",
        "how do I look after a down jacket",
        "what size should I order",
    ),
    "human_agent": (
        "I want to talk to a person",
        "let me speak to a human agent",
        "connect me with customer service",
        "can I talk to someone real",
    ),
    "greeting": ("hello", "hi there", "good morning", "thanks, bye", "thank you"),
}


@dataclass(frozen=True)
class IntentResult:
    intent: str
    score: float


class IntentRouter:
    """Nearest example utterance wins."""

    def __init__(
        self, embedder: Embedder, prototypes: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.embedder = embedder
        self.prototypes = prototypes or PROTOTYPES
        if not self.prototypes or any(not v for v in self.prototypes.values()):
            raise ValueError("every intent needs at least one example utterance")
        self._labels: list[str] = []
        self._vecs: np.ndarray | None = None

    def warm_up(self) -> None:
        if self._vecs is None:
            texts = [t for ex in self.prototypes.values() for t in ex]
            self._labels = [label for label, ex in self.prototypes.items() for _ in ex]
            self._vecs = self.embedder.encode(texts)

    def scores(self, text: str, vec: np.ndarray | None = None) -> dict[str, float]:
        """Best similarity of the message to each intent's examples."""
        self.warm_up()
        assert self._vecs is not None
        v = self.embedder.encode_one(text) if vec is None else vec
        out: dict[str, float] = {}
        for label, sim in zip(self._labels, (self._vecs @ v).tolist(), strict=True):
            out[label] = max(out.get(label, -1.0), float(sim))
        return out

    def classify(self, text: str, vec: np.ndarray | None = None) -> IntentResult:
        scores = self.scores(text, vec)
        label = max(scores, key=lambda k: scores[k])
        return IntentResult(label, scores[label])
