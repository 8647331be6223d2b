"""Question-answering data for the matcher, the judge and the generator.

Reads the qa format of DATASETS.md — a kb (`{"id", "text", "product_id", "source"}`)
and questions (`{"id", "question", "product_id", "answer", "answers", "evidence_ids"}`)
— checks that every cited passage exists, holds out a fixed share of the questions
(for thresholds and early checks: nothing is ever tuned on the evaluation set), and
mines hard negatives with BM25 (the passages that share the question's words but are
not its evidence).

    data = QAData.load(Path("kb.jsonl"), Path("train.jsonl"))
    train, held = data.split(holdout=0.1, seed=0)
    negatives = bm25_negatives(data, train, per_question=1)
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.grounding import content_words
from retrieval.bm25 import BM25Index
from retrieval.chunking import Passage
from retrieval.evaluation import KB_FORMAT, EvalDataError, load_kb

QA_FORMAT = (
    'one JSON object per line: {"id", "question", "product_id", "answer", '
    '"evidence_ids": [passage ids]} ("answers": [more references] optional)'
)


class QADataError(ValueError):
    """A kb or questions file is unusable; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class QAExample:
    id: str
    question: str
    product_id: str | None
    answer: str  # the reference answer ("" when the file has none)
    answers: tuple[str, ...]  # every reference answer, `answer` first
    evidence_ids: tuple[str, ...]


def load_qa(path: Path, need_answers: bool = False) -> list[QAExample]:
    """Questions with their evidence ids (and reference answers, required when need_answers)."""
    if not path.is_file():
        raise QADataError(f"{path}: file not found (expected {QA_FORMAT})")
    out: list[QAExample] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise QADataError(f"{path}: not UTF-8 text; expected {QA_FORMAT}") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise QADataError(f"{path}:{n}: not valid JSON ({e.msg}); expected {QA_FORMAT}") from e
        if not isinstance(row, dict):
            raise QADataError(f"{path}:{n}: expected {QA_FORMAT}, got {type(row).__name__}")
        question, evidence = row.get("question"), row.get("evidence_ids")
        if not isinstance(question, str) or not question.strip():
            raise QADataError(
                f"{path}:{n}: missing 'question' (non-empty text); expected {QA_FORMAT}"
            )
        if (
            not isinstance(evidence, list)
            or not evidence
            or not all(isinstance(e, str) and e for e in evidence)
        ):
            raise QADataError(
                f"{path}:{n}: 'evidence_ids' must be a non-empty list of passage ids, got {evidence!r}"
            )
        answers = [
            a for a in [row.get("answer"), *(row.get("answers") or [])] if isinstance(a, str)
        ]
        answers = list(dict.fromkeys(a.strip() for a in answers if a.strip()))
        if need_answers and not answers:
            raise QADataError(
                f"{path}:{n}: no reference 'answer' (non-empty text); expected {QA_FORMAT}"
            )
        product = row.get("product_id")
        out.append(
            QAExample(
                id=str(row.get("id") or f"line{n}"),
                question=question.strip(),
                product_id=str(product) if product not in (None, "") else None,
                answer=answers[0] if answers else "",
                answers=tuple(answers),
                evidence_ids=tuple(evidence),
            )
        )
    if not out:
        raise QADataError(f"{path}: no questions; expected {QA_FORMAT}")
    return out


@dataclass(frozen=True)
class QAData:
    """A kb and the questions about it, checked against each other."""

    passages: list[Passage]
    questions: list[QAExample]

    @classmethod
    def load(cls, kb: Path, questions: Path, need_answers: bool = False) -> QAData:
        try:
            passages = load_kb(kb)
        except (EvalDataError, ValueError) as e:
            raise QADataError(f"{e} (expected {KB_FORMAT})") from e
        qs = load_qa(questions, need_answers)
        ids = {p.id for p in passages}
        for q in qs:
            missing = [e for e in q.evidence_ids if e not in ids]
            if missing:
                raise QADataError(
                    f"{questions}: question {q.id!r} cites {missing}, which {kb} does not hold "
                    "(pass the kb the questions were written against)"
                )
        return cls(passages, qs)

    @property
    def by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    def split(self, holdout: float, seed: int) -> tuple[list[QAExample], list[QAExample]]:
        """A fixed shuffled split of the questions: (train, held out)."""
        if not 0.0 <= holdout < 1.0:
            raise ValueError(f"holdout must be in [0, 1), got {holdout}")
        idx = list(range(len(self.questions)))
        random.Random(seed).shuffle(idx)
        cut = len(idx) - round(holdout * len(idx))
        return [self.questions[i] for i in idx[:cut]], [self.questions[i] for i in idx[cut:]]


def bm25_index(passages: Sequence[Passage]) -> BM25Index:
    return BM25Index().build(
        [p.id for p in passages],
        [p.text for p in passages],
        [{"product_id": p.product_id or ""} for p in passages],
    )


def bm25_negatives(
    passages: Sequence[Passage],
    questions: Sequence[QAExample],
    per_question: int = 1,
    depth: int = 10,
    seed: int = 0,
    index: BM25Index | None = None,
    other_products: bool = False,
    allowed: set[str] | None = None,
) -> dict[str, list[str]]:
    """Question id -> ids of passages BM25 ranks high but that are not its evidence.

    Negatives are drawn from the top `depth` non-evidence passages, the higher ranked
    first; a question without any BM25 match gets random passages instead. Only ids in
    `allowed` are used when it is given. With
    `other_products`, passages of the question's own product are never negatives
    (another review or bullet of the same product often answers it too: a false negative).
    """
    if per_question <= 0 or depth < per_question:
        raise ValueError(f"need 0 < per_question <= depth, got {per_question}, {depth}")
    index = index or bm25_index(passages)
    rng = random.Random(seed)
    out: dict[str, list[str]] = {}
    product = {p.id: p.product_id for p in passages}
    for q in questions:
        gold = set(q.evidence_ids)
        own = q.product_id if other_products and q.product_id else None
        hits = index.search(q.question, k=depth + len(gold) + (50 if own or allowed else 0))
        ranked = [
            h.id
            for h in hits
            if h.id not in gold
            and (own is None or product[h.id] != own)
            and (allowed is None or h.id in allowed)
        ]
        ranked = ranked[:depth]
        tries = 0
        while len(ranked) < per_question and tries < 100 * per_question:
            tries += 1
            pid = passages[rng.randrange(len(passages))].id
            if (
                pid not in gold
                and pid not in ranked
                and (own is None or product[pid] != own)
                and (allowed is None or pid in allowed)
            ):
                ranked.append(pid)
        out[q.id] = ranked[:per_question]
    return out


def distractors(
    passages: Sequence[Passage], questions: Sequence[QAExample], per_question: int, seed: int
) -> dict[str, list[str]]:
    """Question id -> non-evidence passages: its own product's first (most words shared with
    the question first, as a product-scoped retriever would rank them), then BM25 hits."""
    by_product: dict[str, list[Passage]] = {}
    for p in passages:
        by_product.setdefault(p.product_id or "", []).append(p)
    bm25 = bm25_negatives(passages, questions, per_question, depth=max(10, per_question), seed=seed)
    out = {}
    for q in questions:
        qw = set(content_words(q.question))
        own = [p for p in by_product.get(q.product_id or "\0", []) if p.id not in q.evidence_ids]
        own.sort(key=lambda p: (-len(qw & set(content_words(p.text))), p.id))
        ids = [p.id for p in own] + [p for p in bm25.get(q.id, []) if p not in q.evidence_ids]
        out[q.id] = list(dict.fromkeys(ids))[:per_question]
    return out
