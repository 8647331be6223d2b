"""The answerability judge: a BERT cross-encoder that scores whether a passage answers a question.

It reranks retrieved passages (it fits `retrieval.hybrid.Reranker`) and decides when
the bot must not answer: when even the best passage scores below the calibrated
threshold, the bot offers a person instead. Trained by `finetune/judge.py`; this
class only loads the artifact.

A passage can answer the question perfectly and still be about another product ("how
many motors does it have?" — "the box contains 3 motors", of a different kit): text
alone cannot tell those apart. So the judge's probability fuses the cross-encoder's
logit with whether the passage belongs to the product the question is about, with
weights fitted on held-out training questions (`fusion.json`); where the product is
unknown it uses the fit without that feature.

    judge = AnswerabilityJudge.load(Path("var/models/judge"))
    hits = judge.rerank("does it fit a 2012 elantra?", hits, product_id="B007NWDT9M")
    judge.clears(hits, "B007NWDT9M")  # the best hit, by its score and its lead, clears the cut
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.embedder import require_recorded_embedder
from retrieval.store import Hit

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
# the reply is written from the best passage and those the judge scores within this much of
# it: a 135M generator given the top 3 picks the wrong one more often than the judge does
# (hetPQA held-out training questions: citation precision 0.58 from the top 3, 0.70 from
# this band, 0.65 from the best alone; docs/benchmarks.md, "Fine-tuned QA")
CONTENDER_BAND = 0.1
FUSION_FILE = "fusion.json"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0))), dtype=np.float32)


@dataclass(frozen=True)
class ScoreFusion:
    """How the judge turns its cross-encoder logit into P(passage answers), and how sure
    the bot may be that the best passage is the one that answers.

    P(answers) = sigmoid(a * logit + c * same_product + d * cosine + b), where `cosine` is
    the retriever's similarity of question and passage; (a0, d0, b0) when no product is
    known. d = d0 = 0 (judges calibrated before the cosine was a feature) ignores it.

    The answer gate: confidence = sigmoid(ga * best + gm * (best - runner_up) + gb), the
    probability that the best passage is the evidence, from its P(answers) and its lead
    over the next passage (a clear winner is far more often right than a near tie); the
    `0` fields for product-unknown scores. Without a fitted gate (`gated` False) the
    confidence is the best P(answers) itself.
    """

    a: float = 1.0  # weight of the cross-encoder logit, product known
    c: float = 0.0  # weight of "the passage is about the question's product"
    b: float = 0.0
    a0: float = 1.0  # weight of the logit and bias when the product is unknown
    b0: float = 0.0
    d: float = 0.0  # weight of the retriever's cosine, product known
    d0: float = 0.0  # ... and unknown
    gated: bool = False
    ga: float = 1.0
    gm: float = 0.0
    gb: float = 0.0
    ga0: float = 1.0
    gm0: float = 0.0
    gb0: float = 0.0

    @property
    def uses_cosine(self) -> bool:
        return bool(self.d or self.d0)

    def apply(
        self,
        logits: np.ndarray,
        same_product: np.ndarray | Sequence[bool | None] | None = None,
        cosine: np.ndarray | Sequence[float] | None = None,
    ) -> np.ndarray:
        """P(answers) per logit; `same_product[i]` None (or the whole argument None): the
        product of pair i is unknown, so the product-unknown fit scores it. `cosine`: the
        retriever's similarity per pair, needed when the fit uses it."""
        logits = np.asarray(logits, dtype=np.float64)
        if cosine is None:
            if self.uses_cosine:
                raise ValueError(
                    "this judge was calibrated with the retriever's cosine: pass cosine= "
                    "(one similarity per passage)"
                )
            cos = np.zeros_like(logits)
        else:
            cos = np.asarray(cosine, dtype=np.float64).reshape(-1)
            if cos.shape != logits.shape:
                raise ValueError(
                    f"cosine needs one value per logit, got {cos.shape} for {logits.shape}"
                )
        text_only = self.a0 * logits + self.d0 * cos + self.b0
        if same_product is None:
            return _sigmoid(text_only)
        flags = list(same_product)
        known = np.array([f is not None for f in flags], dtype=bool)
        same = np.array([bool(f) for f in flags], dtype=np.float64)
        fused = self.a * logits + self.c * same + self.d * cos + self.b
        return _sigmoid(np.where(known, fused, text_only))

    def confidence(self, best: float, runner_up: float | None, product_known: bool = True) -> float:
        """P(the best passage is the evidence) from its score and the next one's (None: it
        was the only candidate, so it leads by its whole score)."""
        if not self.gated:
            return float(best)
        lead = best - (runner_up if runner_up is not None else 0.0)
        w = (self.ga, self.gm, self.gb) if product_known else (self.ga0, self.gm0, self.gb0)
        return float(_sigmoid(np.array([w[0] * best + w[1] * lead + w[2]]))[0])

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, path: Path) -> ScoreFusion:
        """The artifact's fusion.json; the plain sigmoid of the logit when there is none."""
        return cls(**json.loads(path.read_text())) if path.exists() else cls()


class AnswerabilityJudge:
    """Scores (question, passage) pairs with a cross-encoder; scores are probabilities."""

    def __init__(
        self,
        model_path: Path,
        threshold: float = DEFAULT_THRESHOLD,
        batch_size: int = 32,
        fusion: ScoreFusion | None = None,
        threshold_text: float | None = None,
    ) -> None:
        if not Path(model_path).is_dir():
            raise ValueError(f"judge model folder not found: {model_path}")
        for name, t in (("threshold", threshold), ("threshold_text", threshold_text)):
            if t is not None and not 0.0 <= t <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {t}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        self.model_path = Path(model_path)
        self.threshold = threshold  # for fused scores: the question's product known
        # for logit-only scores (product unknown, or a shop-wide passage such as a policy);
        # the two fits have different scales, so each has its own calibrated cut
        self.threshold_text = threshold if threshold_text is None else threshold_text
        self.batch_size = batch_size
        self.fusion = fusion or ScoreFusion()
        # the fingerprint of the bi-encoder whose cosines the fusion was fitted on
        self.cosine_embedder: str | None = None
        self.artifact: Path | None = None
        self._model: CrossEncoder | None = None

    @classmethod
    def load(cls, artifact: Path, threshold: float | None = None) -> AnswerabilityJudge:
        """An artifact folder of `train_judge` (model/, metrics.json with the threshold, fusion.json)."""
        model = artifact / "model"
        if not model.is_dir():
            raise ValueError(
                f"{artifact} is not a judge artifact (no model/ folder): "
                "train one with `shopmate finetune judge`"
            )
        metrics = artifact / "metrics.json"
        saved = json.loads(metrics.read_text()) if metrics.exists() else {}
        if threshold is None:
            threshold = float(saved.get("answer_threshold", DEFAULT_THRESHOLD))
        text = saved.get("answer_threshold_text")
        if text is None:
            log.warning(
                "judge %s has no threshold for questions without a product; it will rarely "
                "answer them: run `shopmate finetune judge --recalibrate --out %s ...`",
                artifact,
                artifact,
            )
        judge = cls(
            model,
            threshold,
            fusion=ScoreFusion.read(artifact / FUSION_FILE),
            threshold_text=None if text is None else float(text),
        )
        judge.cosine_embedder = saved.get("cosine_embedder")
        judge.artifact = artifact
        judge.warm_up()
        return judge

    def check_embedder(self, fingerprint: str, name: str) -> None:
        """Refuse to serve next to an embedder other than the one whose cosines the fusion
        was fitted on: its similarities have another scale, and the gate would answer too
        often or hardly ever."""
        if not self.fusion.uses_cosine:
            return
        require_recorded_embedder(
            self.cosine_embedder,
            fingerprint,
            name,
            f"judge {self.artifact or self.model_path} was calibrated on the cosines of",
            f"run `shopmate finetune judge --recalibrate --out {self.artifact or '<judge>'} "
            "--kb ... --train ... --matcher <the bot's embedder folder>`",
        )

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            log.info("loading answerability judge from %s", self.model_path)
            self._model = CrossEncoder(str(self.model_path), device="cpu", local_files_only=True)

    def logits(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """The cross-encoder's raw score of each (question, text) pair."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        self.warm_up()
        assert self._model is not None
        import torch

        scores = self._model.predict(
            [(question, t) for t in texts],
            batch_size=self.batch_size,
            show_progress_bar=False,
            activation_fn=torch.nn.Identity(),
            convert_to_numpy=True,
        )
        return np.asarray(scores, dtype=np.float32).reshape(-1)

    def score(
        self,
        question: str,
        texts: Sequence[str],
        same_product: Sequence[bool | None] | None = None,
        cosine: Sequence[float] | None = None,
    ) -> np.ndarray:
        """P(passage answers the question) for each text; `same_product[i]`: text i is about
        the product the question is about (None: unknown, for that text or for all);
        `cosine[i]`: the retriever's similarity of question and text i."""
        for name, extra in (("same_product", same_product), ("cosine", cosine)):
            if extra is not None and len(extra) != len(texts):
                raise ValueError(
                    f"{name} needs one value per text, got {len(extra)} for {len(texts)}"
                )
        return self.fusion.apply(self.logits(question, texts), same_product, cosine)

    @staticmethod
    def same_product(hit: Hit, product_id: str | None) -> bool | None:
        """Whether a hit is about `product_id`: None when the product is unknown or the hit
        is shop-wide (a policy or FAQ names no product)."""
        owner = hit.metadata.get("product_id")
        return None if not product_id or not owner else str(owner) == product_id

    def rerank(self, query: str, hits: Sequence[Hit], product_id: str | None = None) -> list[Hit]:
        """The hits reordered by the judge, best first; Hit.score becomes the judge's probability
        (Hit.cosine keeps the retriever's similarity).

        With `product_id` (the product the shopper is looking at), a hit about another
        product scores lower and one about this product higher; shop-wide hits, and every
        hit when the product is unknown, are scored without product context."""
        flags = [self.same_product(h, product_id) for h in hits]
        cosine = [h.similarity for h in hits]
        scores = self.score(query, [h.text for h in hits], flags, cosine)
        order = np.argsort(-scores, kind="stable")
        return [
            Hit(hits[i].id, hits[i].text, float(scores[i]), hits[i].metadata, cosine[i])
            for i in order
        ]

    def confidence(
        self, best_score: float, runner_up: float | None = None, product_known: bool = True
    ) -> float:
        """P(the best passage is the one that answers), from its score and the next one's."""
        return self.fusion.confidence(best_score, runner_up, product_known)

    def gate(self, ranked_scores: Sequence[float], product_known: bool = True) -> float:
        """`confidence` for scores sorted best first (0 when there are none)."""
        if not len(ranked_scores):
            return 0.0
        runner_up = ranked_scores[1] if len(ranked_scores) > 1 else None
        return self.confidence(ranked_scores[0], runner_up, product_known)

    def answers(self, ranked_scores: Sequence[float], product_known: bool = True) -> bool:
        """Whether the bot may answer from the best of these scores (sorted best first): the
        gate against the calibrated threshold of its kind, product known (fused scores) or
        not (scores without product context)."""
        cut = self.threshold if product_known else self.threshold_text
        return self.gate(ranked_scores, product_known) >= cut

    @staticmethod
    def contenders(ranked: Sequence[Hit], band: float = CONTENDER_BAND) -> list[Hit]:
        """The best of `rerank`'s hits and those scored within `band` of it: the passages
        the judge cannot tell apart, which the reply is written from."""
        return list(ranked[: in_band([h.score for h in ranked], band)])

    def clears(self, hits: Sequence[Hit], product_id: str | None) -> bool:
        """`answers` for the best of hits that `rerank` scored with the same `product_id`."""
        if not hits:
            return False
        known = self.same_product(hits[0], product_id) is not None
        return self.answers([h.score for h in hits[:2]], known)


def in_band(ranked_scores: Sequence[float], band: float = CONTENDER_BAND) -> int:
    """How many of these scores (sorted best first) lie within `band` of the best."""
    return (
        sum(1 for x in ranked_scores if x >= ranked_scores[0] - band) if len(ranked_scores) else 0
    )
