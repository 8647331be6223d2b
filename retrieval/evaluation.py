"""Retrieval evaluation: pure metrics, and a runner that compares BM25, dense and hybrid.

The runner reads a knowledge base and questions in the qa format of
docs (`kb.jsonl`: {"id", "text", "product_id", "source"}; questions:
{"id", "question", "product_id", "evidence_ids", ...}), ingests the kb into Chroma
(a temporary one unless a store is given) and scores every model on the same
questions, in the "global" scope (the whole kb) or the "product" scope (only the
passages of the question's product). Latency is per query, including the query
embedding for the models that embed.

    report = RetrievalEvaluator(embedder, scope="product").evaluate(kb_path, questions_path)
    report.models["hybrid"].mrr_at_10
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from tqdm.auto import tqdm

from retrieval.bm25 import BM25Retriever
from retrieval.chunking import Passage
from retrieval.embedder import Embedder
from retrieval.hybrid import HybridRetriever
from retrieval.ingest import Ingestor, load_file
from retrieval.retriever import KnowledgeRetriever
from retrieval.store import Hit, VectorStore

log = logging.getLogger(__name__)

Scope = Literal["global", "product"]
SCOPES: tuple[Scope, ...] = ("global", "product")
MODELS = ("bm25", "dense", "hybrid")


class EvalDataError(ValueError):
    """A kb or questions file is not in the expected format; the message says where and why."""


class Retriever(Protocol):
    def retrieve(
        self, query: str, top_k: int | None = None, where: Mapping[str, Any] | None = None
    ) -> list[Hit]: ...


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found in the first k of the ranking."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    if not relevant:
        raise ValueError("recall needs at least one relevant id")
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1 / rank of the first relevant id within the first k, 0 when there is none."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    wanted = set(relevant)
    for rank, pid in enumerate(ranked[:k], 1):
        if pid in wanted:
            return 1.0 / rank
    return 0.0


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100, linear interpolation) of durations, in milliseconds."""
    if not seconds:
        raise ValueError("no durations")
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))


@dataclass(frozen=True)
class QAQuestion:
    id: str
    question: str
    product_id: str | None
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True)
class ModelScores:
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float
    p50_ms: float
    p95_ms: float

    def as_dict(self) -> dict[str, float]:
        return {
            "recall@1": self.recall_at_1,
            "recall@5": self.recall_at_5,
            "recall@10": self.recall_at_10,
            "mrr@10": self.mrr_at_10,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
        }


@dataclass(frozen=True)
class RetrievalReport:
    scope: Scope
    n_questions: int
    n_passages: int
    models: dict[str, ModelScores]

    def as_dict(self) -> dict[str, Any]:
        return {
            "models": {name: m.as_dict() for name, m in self.models.items()},
            "scope": self.scope,
            "n_questions": self.n_questions,
            "n_passages": self.n_passages,
        }


def score_rankings(
    rankings: Sequence[Sequence[str]], gold: Sequence[Collection[str]], seconds: Sequence[float]
) -> ModelScores:
    """Mean Recall@1/5/10 and MRR@10 over questions, p50/p95 of the query times."""
    if not (len(rankings) == len(gold) == len(seconds)) or not rankings:
        raise ValueError("need one ranking, one gold set and one duration per question")

    def mean(values: list[float]) -> float:
        return float(np.mean(values))

    return ModelScores(
        recall_at_1=mean([recall_at_k(r, g, 1) for r, g in zip(rankings, gold, strict=True)]),
        recall_at_5=mean([recall_at_k(r, g, 5) for r, g in zip(rankings, gold, strict=True)]),
        recall_at_10=mean([recall_at_k(r, g, 10) for r, g in zip(rankings, gold, strict=True)]),
        mrr_at_10=mean([reciprocal_rank(r, g, 10) for r, g in zip(rankings, gold, strict=True)]),
        p50_ms=percentile_ms(seconds, 50),
        p95_ms=percentile_ms(seconds, 95),
    )


def _rows(path: Path, expected: str) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise EvalDataError(f"{path}: file not found (expected {expected})")
    out = []
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise EvalDataError(
                        f"{path}:{n}: not valid JSON ({e.msg}); expected {expected}"
                    ) from e
                if not isinstance(row, dict):
                    raise EvalDataError(
                        f"{path}:{n}: expected {expected}, got {type(row).__name__}"
                    )
                out.append((n, row))
    except UnicodeDecodeError as e:
        raise EvalDataError(f"{path}: not UTF-8 text; expected {expected}") from e
    if not out:
        raise EvalDataError(f"{path}: no rows; expected {expected}")
    return out


KB_FORMAT = 'one JSON object per line: {"id", "text", "product_id", "source"}'
QUESTIONS_FORMAT = (
    'one JSON object per line: {"id", "question", "product_id", "evidence_ids": [passage ids]}'
)


def load_kb(path: Path) -> list[Passage]:
    """Passages of a kb.jsonl; every row needs an id (the questions cite them) and a text."""
    if path.suffix.lower() != ".jsonl":
        raise EvalDataError(f"{path}: the kb must be a .jsonl file with {KB_FORMAT}")
    for n, row in _rows(path, KB_FORMAT):
        if not isinstance(row.get("id"), str) or not row["id"]:
            raise EvalDataError(
                f"{path}:{n}: 'id' must be a non-empty string (questions cite it); expected {KB_FORMAT}"
            )
    return load_file(path)  # checks texts and duplicate ids (IngestError)


def load_questions(path: Path) -> list[QAQuestion]:
    out = []
    for n, row in _rows(path, QUESTIONS_FORMAT):
        question, evidence, product = (
            row.get("question"),
            row.get("evidence_ids"),
            row.get("product_id"),
        )
        if not isinstance(question, str) or not question.strip():
            raise EvalDataError(
                f"{path}:{n}: missing 'question' (non-empty text); expected {QUESTIONS_FORMAT}"
            )
        if (
            not isinstance(evidence, list)
            or not evidence
            or not all(isinstance(e, str) and e for e in evidence)
        ):
            raise EvalDataError(
                f"{path}:{n}: 'evidence_ids' must be a non-empty list of passage ids, got {evidence!r}"
            )
        if product is not None and not isinstance(product, str | int):
            raise EvalDataError(f"{path}:{n}: 'product_id' must be a string, got {product!r}")
        out.append(
            QAQuestion(
                id=str(row.get("id") or f"line{n}"),
                question=question,
                product_id=str(product) if product not in (None, "") else None,
                evidence_ids=tuple(evidence),
            )
        )
    return out


class RetrievalEvaluator:
    """Scores BM25, dense and hybrid retrieval side by side on one kb and its questions."""

    def __init__(
        self,
        embedder: Embedder,
        store: VectorStore | None = None,
        collection: str = "eval_kb",
        scope: Scope = "global",
        show_progress: bool = True,
    ) -> None:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
        if not collection:
            raise ValueError("collection name must not be empty")
        self.embedder = embedder
        self.store = store
        self.collection = collection
        self.scope = scope
        self.show_progress = show_progress

    def evaluate(self, kb_path: Path, questions_path: Path) -> RetrievalReport:
        passages = load_kb(kb_path)
        questions = load_questions(questions_path)
        kb_ids = {p.id for p in passages}
        for q in questions:
            missing = [e for e in q.evidence_ids if e not in kb_ids]
            if missing:
                raise EvalDataError(
                    f"{questions_path}: question {q.id!r} cites {missing} which {kb_path} does not hold"
                )
            if self.scope == "product" and q.product_id is None:
                raise EvalDataError(
                    f"{questions_path}: question {q.id!r} has no product_id; the product scope needs one"
                )
        if self.store is not None:
            return self._run(self.store, passages, questions)
        with tempfile.TemporaryDirectory(prefix="shopmate-eval-") as tmp:
            return self._run(VectorStore.open(path=Path(tmp)), passages, questions)

    def _run(
        self, store: VectorStore, passages: list[Passage], questions: list[QAQuestion]
    ) -> RetrievalReport:
        Ingestor(self.embedder, store).ingest(passages, self.collection, self.show_progress)
        n = store.count(self.collection)
        if n != len(passages):
            raise ValueError(
                f"collection {self.collection!r} holds {n} passages, the kb {len(passages)}: "
                "evaluate in a collection of its own"
            )
        bm25 = BM25Retriever(store, self.collection)
        models: dict[str, Retriever] = {
            "bm25": bm25,
            "dense": KnowledgeRetriever(self.embedder, store, self.collection),
            "hybrid": HybridRetriever(self.embedder, store, self.collection, bm25=bm25),
        }
        for model in models.values():  # builds the BM25 index, warms the encoder
            model.retrieve(questions[0].question, top_k=10)
        rankings: dict[str, list[list[str]]] = {m: [] for m in models}
        seconds: dict[str, list[float]] = {m: [] for m in models}
        for q in tqdm(questions, desc=f"{self.scope} queries", disable=not self.show_progress):
            where = {"product_id": q.product_id} if self.scope == "product" else None
            for name, model in models.items():
                t0 = time.perf_counter()
                hits = model.retrieve(q.question, top_k=10, where=where)
                seconds[name].append(time.perf_counter() - t0)
                rankings[name].append([h.id for h in hits])
        gold = [set(q.evidence_ids) for q in questions]
        return RetrievalReport(
            scope=self.scope,
            n_questions=len(questions),
            n_passages=n,
            models={m: score_rankings(rankings[m], gold, seconds[m]) for m in models},
        )
