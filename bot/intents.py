"""The shop's intents and the router that recognises them.

Intents are predicted by the trained `IntentClassifier` (a head on MiniLM vectors).
shopmate ships its own training examples for the shop intents
(`bot/data/shop_intents.jsonl`); a shop retrains on its own tickets with
`shopmate finetune intents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.intent_classifier import IntentClassifier

SHOP_INTENTS = (
    "order_status", "cancel_order", "return_refund", "shipping", "payment", "account", "contact",
    "product_question", "product_search", "recommendation", "complaint", "human_agent",
    "small_talk", "out_of_scope",
)  # fmt: skip
SHOP_INTENT_DATA = Path(__file__).parent / "data" / "shop_intents.jsonl"


@dataclass(frozen=True)
class IntentResult:
    intent: str
    score: float  # the classifier's probability


class IntentRouter:
    """Intent probabilities for a message (its vector computed once by the engine)."""

    def __init__(self, classifier: IntentClassifier) -> None:
        missing = set(SHOP_INTENTS) - set(classifier.labels)
        if missing:
            raise ValueError(f"the intent classifier lacks the shop intents {sorted(missing)}")
        self.classifier = classifier

    def scores(self, text: str, vec: np.ndarray | None = None) -> dict[str, float]:
        v = self.classifier.embedder.encode_one(text) if vec is None else vec
        p = self.classifier.probabilities(v[None, :])[0]
        return {label: float(x) for label, x in zip(self.classifier.labels, p, strict=True)}

    def classify(self, text: str, vec: np.ndarray | None = None) -> IntentResult:
        scores = self.scores(text, vec)
        label = max(scores, key=lambda k: scores[k])
        return IntentResult(label, scores[label])
