"""Training data for the QA models from a running shop: each past answer of the demo
shop is matched to the knowledge passage it came from (real MiniLM, real Chroma)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from finetune.qa_data import QAData
from finetune.shop_qa import label_evidence, shop_qa_files
from retrieval.store import Hit
from shopmate.cli import app
from shopmate.wiring import KNOWLEDGE, QA_HISTORY


def test_past_answers_find_the_page_they_came_from(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    knowledge = services.store.scan(KNOWLEDGE)
    history = services.store.scan(QA_HISTORY)
    kb, train, stats = shop_qa_files(knowledge, history, services.embedder.encode, tmp_path)
    assert stats["labelled"] >= 0.5 * stats["questions"], stats
    data = QAData.load(kb, train, need_answers=True)  # the qa format every trainer reads
    source = {p.id: str(p.metadata.get("source")) for p in knowledge}
    returns = [
        q for q in data.questions if "refund" in q.answer.lower() and "return" in q.question.lower()
    ]
    assert returns
    hits = sum(source[q.evidence_ids[0]] == "kb/returns.md" for q in returns)
    assert hits >= 0.6 * len(returns), [source[q.evidence_ids[0]] for q in returns]


def test_another_products_facts_are_never_evidence() -> None:
    passages = [
        Hit("a", "the red tent sleeps two", 1.0, {"product_id": "p1"}),
        Hit("b", "returns are free for 30 days", 1.0, {}),
    ]
    history = [
        Hit(
            "q1",
            "how many sleep in it?",
            1.0,
            {"answer": "the tent sleeps two", "product_id": "p2"},
        ),
        Hit("q2", "same tent?", 1.0, {"answer": "the tent sleeps two", "product_id": "p1"}),
        Hit("q3", "hello", 1.0, {"answer": ""}),
    ]

    def encode(texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        return np.array([[1.0, 0.0] if "tent" in t else [0.0, 1.0] for t in texts])

    rows, stats = label_evidence(passages, history, encode, min_score=0.5)
    assert [(r["id"], r["evidence_ids"]) for r in rows] == [("q2", ["a"])]
    assert stats == {"questions": 3, "labelled": 1, "no_answer": 1, "below_min_score": 1}
    with pytest.raises(ValueError, match="no past answer matches"):
        shop_qa_files(passages, history[:1], encode, Path("unused"), min_score=0.5)


def test_judge_needs_kb_and_train_or_the_shop() -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["finetune", "judge", "--from-shop", "--kb", "kb.jsonl"])
    assert both.exit_code == 2 and "not both" in both.output
    neither = runner.invoke(app, ["finetune", "judge"])
    assert neither.exit_code == 2 and "--from-shop" in neither.output
