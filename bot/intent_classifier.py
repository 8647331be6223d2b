"""The intent classifier: a trained linear head over frozen MiniLM sentence vectors.

Training lives in `finetune/intents.py`; this module only loads an artifact and scores.

    clf = IntentClassifier.load(Path("var/models/intents"), embedder)
    clf.predict(["where is my parcel?"])[0].label  # "track_order"
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder

SCALE = 5.0  # unit-length inputs are scaled so a linear head can produce confident logits


@dataclass(frozen=True)
class IntentPrediction:
    label: str
    confidence: float  # softmax probability of the label


class IntentClassifier:
    """softmax(W · (SCALE · embed(text)) + b) over the labels seen in training."""

    def __init__(
        self, embedder: Embedder, labels: list[str], weight: np.ndarray, bias: np.ndarray
    ) -> None:
        if not labels:
            raise ValueError("an intent classifier needs at least one label")
        if weight.shape[0] != len(labels) or bias.shape != (len(labels),):
            raise ValueError(
                f"weight {weight.shape} and bias {bias.shape} do not match {len(labels)} labels"
            )
        self.embedder = embedder
        self.labels = list(labels)
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)

    @classmethod
    def load(cls, path: Path, embedder: Embedder) -> IntentClassifier:
        if not (path / "head.npz").exists():
            raise FileNotFoundError(
                f"{path} has no head.npz: train one with `shopmate finetune intents`"
            )
        data = np.load(path / "head.npz")
        labels = json.loads((path / "labels.json").read_text())
        return cls(embedder, labels, data["weight"], data["bias"])

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.savez(path / "head.npz", weight=self.weight, bias=self.bias)
        (path / "labels.json").write_text(json.dumps(self.labels, indent=1))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = (SCALE * np.asarray(vectors, dtype=np.float32)) @ self.weight.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def predict_vectors(self, vectors: np.ndarray) -> list[IntentPrediction]:
        p = self.probabilities(vectors)
        idx = p.argmax(axis=1)
        return [IntentPrediction(self.labels[i], float(p[r, i])) for r, i in enumerate(idx)]

    def predict(self, texts: list[str]) -> list[IntentPrediction]:
        return self.predict_vectors(self.embedder.encode(texts))
