"""Training data of the answerability judge: which (question, passage) pairs it learns from.

Negatives per question, in this order: the other passages of its own product (same
product, so only the text decides whether they answer), the matcher's top passages,
BM25's. `listwise_rows` turns them into (question, evidence, negative_1..n) rows for the
listwise loss; `judge_pairs` into labelled pairs for binary cross-entropy.

    negs = mine_negatives(questions, dense_rankings, {}, passages, same_product=2, n_dense=1)
    dataset, n = listwise_rows(questions, negs, by_id, seed=0)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from finetune.qa_data import QAExample
from retrieval.chunking import Passage


def judge_pairs(
    questions: Sequence[QAExample], rankings: Sequence[Sequence[str]], by_id: dict[str, Passage]
) -> tuple[list[tuple[str, str]], list[int]]:
    """(question, passage) pairs of every gold passage and every retrieved non-gold passage."""
    pairs, labels = [], []
    for q, ranked in zip(questions, rankings, strict=True):
        gold = set(q.evidence_ids)
        for pid in dict.fromkeys([*q.evidence_ids, *ranked]):
            pairs.append((q.question, by_id[pid].text))
            labels.append(int(pid in gold))
    return pairs, labels


def mine_negatives(
    questions: Sequence[QAExample],
    dense: Sequence[Sequence[str]],
    bm25: dict[str, list[str]],
    passages: Sequence[Passage],
    same_product: int,
    n_dense: int,
    allowed: set[str] | None = None,
    seed: int = 0,
) -> list[list[str]]:
    """Non-evidence passage ids per question: up to `same_product` of its own product's
    (seeded pick), `n_dense` from its dense ranking, then its BM25 ones; no repeats."""
    rng = random.Random(seed)
    by_product: dict[str, list[str]] = {}
    for p in passages:
        by_product.setdefault(p.product_id or "", []).append(p.id)
    out = []
    for q, ranked in zip(questions, dense, strict=True):
        gold = set(q.evidence_ids)

        def ok(pid: str, gold: set[str] = gold) -> bool:
            return pid not in gold and (allowed is None or pid in allowed)

        own = [p for p in by_product.get(q.product_id or "", []) if q.product_id and ok(p)]
        rng.shuffle(own)
        picked = own[:same_product]
        picked += [p for p in ranked if ok(p) and p not in picked][:n_dense]
        picked += [p for p in bm25.get(q.id, []) if p not in picked]
        out.append(picked)
    return out


def listwise_rows(
    questions: Sequence[QAExample],
    negs: Sequence[list[str]],
    by_id: dict[str, Passage],
    seed: int,
    max_rows: int = 0,
) -> tuple[Any, int]:
    """(question, evidence, negative_1..n) rows, one per evidence passage; every row gets
    as many negatives as the question with the most (short lists repeat their own)."""
    from datasets import Dataset

    n = max((len(x) for x in negs), default=0)
    cols: dict[str, list[str]] = {"question": [], "positive": []}
    cols |= {f"negative_{k + 1}": [] for k in range(n)}
    for q, ns in zip(questions, negs, strict=True):
        if not ns:
            continue
        for e in q.evidence_ids:
            cols["question"].append(q.question)
            cols["positive"].append(by_id[e].text)
            for k in range(n):
                cols[f"negative_{k + 1}"].append(by_id[ns[k % len(ns)]].text)
    dataset = Dataset.from_dict(cols).shuffle(seed=seed)
    if max_rows and len(dataset) > max_rows:
        dataset = dataset.select(range(max_rows))
    return dataset, len(dataset)
