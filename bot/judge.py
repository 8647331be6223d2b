"""The answerability judge: a BERT cross-encoder that scores whether a passage answers a question.

It reranks retrieved passages (it fits `retrieval.hybrid.Reranker`) and decides when
the bot must not answer: when even the best passage scores below the calibrated
threshold, the bot offers a person instead. Trained by `finetune/judge.py`; this
class only loads the artifact.

    judge = AnswerabilityJudge.load(Path("var/models/judge"))
    hits = judge.rerank("does it fit a 2012 elantra?", hits)   # Hit.score = P(answers)
    judge.answerable(hits[0].score)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.store import Hit

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5


class AnswerabilityJudge:
    """Scores (question, passage) pairs with a cross-encoder; scores are probabilities."""

    def __init__(
        self, model_path: Path, threshold: float = DEFAULT_THRESHOLD, batch_size: int = 32
    ) -> None:
        if not Path(model_path).is_dir():
            raise ValueError(f"judge model folder not found: {model_path}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be a probability in [0, 1], got {threshold}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        self.model_path = Path(model_path)
        self.threshold = threshold
        self.batch_size = batch_size
        self._model: CrossEncoder | None = None

    @classmethod
    def load(cls, artifact: Path, threshold: float | None = None) -> AnswerabilityJudge:
        """An artifact folder of `train_judge` (model/ + metrics.json with the threshold)."""
        model = artifact / "model"
        if not model.is_dir():
            raise ValueError(
                f"{artifact} is not a judge artifact (no model/ folder): "
                "train one with `shopmate finetune judge`"
            )
        if threshold is None:
            metrics = artifact / "metrics.json"
            saved = json.loads(metrics.read_text()) if metrics.exists() else {}
            threshold = float(saved.get("answer_threshold", DEFAULT_THRESHOLD))
        judge = cls(model, threshold)
        judge.warm_up()
        return judge

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            log.info("loading answerability judge from %s", self.model_path)
            self._model = CrossEncoder(str(self.model_path), device="cpu", local_files_only=True)

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """P(passage answers the question) for each text."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        assert self._model is not None
        scores = self._model.predict(
            [(question, t) for t in texts],
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(scores, dtype=np.float32).reshape(-1)

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """The hits reordered by the judge, best first; Hit.score becomes the judge's probability."""
        scores = self.score(query, [h.text for h in hits])
        order = np.argsort(-scores, kind="stable")
        return [Hit(hits[i].id, hits[i].text, float(scores[i]), hits[i].metadata) for i in order]

    def answerable(self, best_score: float) -> bool:
        return best_score >= self.threshold
