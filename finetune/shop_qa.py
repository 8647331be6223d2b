"""Training data for the QA models from a running shop: its knowledge and its past answers.

A shop's support history has questions and the answers its team gave, but not which
knowledge passage each answer came from, which the judge (and the matcher and
generator) learn from. Each past answer is matched to the passage it is most similar
to (MiniLM cosine, answer against passage) among the passages of its product and the
shop-wide ones; a match below `min_score` leaves the question out (an answer from
outside the knowledge base teaches nothing about it). The result is written in the qa
format of DATASETS.md, so every `shopmate finetune ...` command reads it.

    kb, train, stats = shop_qa_files(store.scan("knowledge"), store.scan("qa_history"),
                                     embedder.encode, Path("var/shop-qa"))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.store import Hit

Encode = Callable[[list[str]], np.ndarray]


def label_evidence(
    passages: Sequence[Hit], history: Sequence[Hit], encode: Encode, min_score: float = 0.5
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Question rows {"id", "question", "product_id", "answer", "evidence_ids"} for the past
    answers that a passage supports (cosine >= min_score), and counts of what was left out."""
    rows = [h for h in history if str(h.metadata.get("answer") or "").strip()]
    if not passages or not rows:
        return [], {"questions": len(history), "labelled": 0, "no_answer": len(history) - len(rows)}
    pv = encode([p.text for p in passages])
    av = encode([str(h.metadata["answer"]) for h in rows])
    owner = np.array([str(p.metadata.get("product_id") or "") for p in passages])
    sims = av @ pv.T
    out, weak = [], 0
    for i, h in enumerate(rows):
        product = str(h.metadata.get("product_id") or "")
        s = sims[i].copy()
        s[(owner != "") & (owner != product)] = -np.inf  # another product's facts never count
        best = int(np.argmax(s))
        if not np.isfinite(s[best]) or s[best] < min_score:
            weak += 1
            continue
        out.append(
            {
                "id": h.id,
                "question": h.text,
                "product_id": product or None,
                "answer": str(h.metadata["answer"]),
                "evidence_ids": [passages[best].id],
            }
        )
    return out, {
        "questions": len(history),
        "labelled": len(out),
        "no_answer": len(history) - len(rows),
        "below_min_score": weak,
    }


def shop_qa_files(
    passages: Sequence[Hit],
    history: Sequence[Hit],
    encode: Encode,
    out_dir: Path,
    min_score: float = 0.5,
) -> tuple[Path, Path, dict[str, Any]]:
    """Write out_dir/kb.jsonl and out_dir/train.jsonl; returns their paths and the counts."""
    rows, stats = label_evidence(passages, history, encode, min_score)
    if not rows:
        raise ValueError(
            f"no past answer matches a knowledge passage (cosine >= {min_score}): the shop needs "
            f"knowledge (`shopmate ingest`) and past answers to train on ({stats})"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    kb, train = out_dir / "kb.jsonl", out_dir / "train.jsonl"
    with kb.open("w", encoding="utf-8") as f:
        for p in passages:
            row = {
                "id": p.id,
                "text": p.text,
                "product_id": p.metadata.get("product_id") or None,
                "source": str(p.metadata.get("source") or ""),
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with train.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return kb, train, stats
