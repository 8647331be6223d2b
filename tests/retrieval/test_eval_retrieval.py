"""Retrieval metrics (hand-computed), the evaluation runner and `shopmate eval retrieval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from retrieval.evaluation import (
    EvalDataError,
    RetrievalEvaluator,
    load_kb,
    load_questions,
    percentile_ms,
    recall_at_k,
    reciprocal_rank,
    score_rankings,
)
from shopmate.cli_eval import eval_app
from tests.retrieval_fixtures import QUESTIONS, SMALL_KB, write_jsonl

HETPQA = Path(__file__).resolve().parents[3] / "shared" / "data" / "qa" / "hetpqa"
# mounted the way shopmate/cli.py mounts it
CLI = typer.Typer()
CLI.add_typer(eval_app, name="eval")
METRICS = {"recall@1", "recall@5", "recall@10", "mrr@10", "p50_ms", "p95_ms"}


def test_recall_and_reciprocal_rank_by_hand() -> None:
    ranked = ["a", "b", "c", "d", "e"]
    assert recall_at_k(ranked, {"c"}, 1) == 0.0
    assert recall_at_k(ranked, {"c"}, 3) == 1.0
    assert recall_at_k(ranked, {"b", "e", "z"}, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, {"b", "e", "z"}, 10) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked, {"c", "e"}, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"e"}, 4) == 0.0
    assert reciprocal_rank([], {"a"}, 10) == 0.0
    with pytest.raises(ValueError, match="k must be > 0"):
        recall_at_k(ranked, {"a"}, 0)
    with pytest.raises(ValueError, match="relevant"):
        recall_at_k(ranked, set(), 1)


def test_score_rankings_means_and_percentiles_by_hand() -> None:
    rankings = [["a", "b"], ["x", "y", "a"], ["q"]]
    gold = [{"a"}, {"a"}, {"a"}]
    s = score_rankings(rankings, gold, [0.010, 0.020, 0.030])
    assert s.recall_at_1 == pytest.approx(1 / 3)
    assert s.recall_at_5 == s.recall_at_10 == pytest.approx(2 / 3)
    assert s.mrr_at_10 == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert s.p50_ms == pytest.approx(20.0)
    assert s.p95_ms == pytest.approx(29.0)  # linear interpolation between 20 and 30 ms
    assert set(s.as_dict()) == METRICS
    assert percentile_ms([0.001] * 5, 95) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        score_rankings([["a"]], [{"a"}, {"b"}], [0.1])


def test_loaders_name_the_line_and_the_format(tmp_path: Path) -> None:
    bad_q = tmp_path / "q.jsonl"
    bad_q.write_text(json.dumps(QUESTIONS[0]) + "\n" + json.dumps({"question": "hi?"}) + "\n")
    with pytest.raises(EvalDataError, match=r"q.jsonl:2: 'evidence_ids' must be a non-empty list"):
        load_questions(bad_q)
    bad_q.write_text('{"question": ""}\n')
    with pytest.raises(EvalDataError, match=r"q.jsonl:1: missing 'question'"):
        load_questions(bad_q)
    bad_q.write_text("[1, 2]\n")
    with pytest.raises(EvalDataError, match=r"q.jsonl:1: expected one JSON object per line"):
        load_questions(bad_q)
    with pytest.raises(EvalDataError, match="file not found"):
        load_questions(tmp_path / "nope.jsonl")
    kb = tmp_path / "kb.jsonl"
    kb.write_text('{"id": "a", "text": "x"}\n{"text": "no id"}\n')
    with pytest.raises(EvalDataError, match=r"kb.jsonl:2: 'id' must be a non-empty string"):
        load_kb(kb)
    (tmp_path / "kb.csv").write_text("id,text\na,x\n")
    with pytest.raises(EvalDataError, match=r"must be a \.jsonl file"):
        load_kb(tmp_path / "kb.csv")
    assert [q.evidence_ids for q in load_questions(write_jsonl(bad_q, QUESTIONS[:2]))] == [
        ("k4",),
        ("k2",),
    ]


def test_runner_scores_three_models_in_both_scopes(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    kb = write_jsonl(tmp_path / "kb.jsonl", SMALL_KB)
    qs = write_jsonl(tmp_path / "q.jsonl", QUESTIONS)
    by_scope = {}
    for scope in ("global", "product"):
        r = RetrievalEvaluator(embedder, scope=scope, show_progress=False).evaluate(kb, qs)
        assert (r.scope, r.n_questions, r.n_passages) == (scope, len(QUESTIONS), len(SMALL_KB))
        assert set(r.models) == {"bm25", "dense", "hybrid"}
        for m in r.models.values():
            assert 0 <= m.recall_at_1 <= m.recall_at_5 <= m.recall_at_10 <= 1
            assert 0 < m.p50_ms <= m.p95_ms
        by_scope[scope] = r
    for scope, r in by_scope.items():
        assert r.models["hybrid"].recall_at_5 == 1.0, scope
        assert r.models["hybrid"].mrr_at_10 >= r.models["bm25"].mrr_at_10, scope
    # the product scope never ranks other products' passages
    assert (
        by_scope["product"].models["dense"].mrr_at_10
        >= by_scope["global"].models["dense"].mrr_at_10
    )


def test_runner_refuses_evidence_missing_from_the_kb(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    kb = write_jsonl(tmp_path / "kb.jsonl", SMALL_KB[:3])
    qs = write_jsonl(tmp_path / "q.jsonl", QUESTIONS[:1])
    with pytest.raises(EvalDataError, match=r"cites \['k4'\]"):
        RetrievalEvaluator(embedder, show_progress=False).evaluate(kb, qs)
    no_product = write_jsonl(tmp_path / "q2.jsonl", [{**QUESTIONS[1], "product_id": None}])
    with pytest.raises(EvalDataError, match="product scope needs one"):
        RetrievalEvaluator(embedder, scope="product", show_progress=False).evaluate(kb, no_product)


def test_cli_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    kb = write_jsonl(tmp_path / "kb.jsonl", SMALL_KB)
    qs = write_jsonl(tmp_path / "q.jsonl", QUESTIONS)
    out = tmp_path / "out" / "retrieval.json"
    args = ["retrieval", "--kb", str(kb), "--questions", str(qs), "--scope", "product"]
    result = CliRunner().invoke(CLI, ["eval", *args, "--json", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    for word in ("bm25", "dense", "hybrid", "Recall@10", "MRR@10", "p95 ms", "product scope"):
        assert word in result.output
    data = json.loads(out.read_text())
    assert data["scope"] == "product" and data["n_questions"] == len(QUESTIONS)
    assert set(data["models"]) == {"bm25", "dense", "hybrid"}
    assert all(set(m) == METRICS for m in data["models"].values())


def test_cli_explains_bad_input(tmp_path: Path) -> None:
    kb = write_jsonl(tmp_path / "kb.jsonl", SMALL_KB)
    missing = CliRunner().invoke(
        CLI, ["eval", "retrieval", "--kb", str(kb), "--questions", str(tmp_path / "none.jsonl")]
    )
    assert missing.exit_code == 2 and "none.jsonl: file not found" in missing.output
    broken = tmp_path / "q.jsonl"
    broken.write_text(json.dumps(QUESTIONS[0]) + "\n{oops\n")
    bad = CliRunner().invoke(
        CLI, ["eval", "retrieval", "--kb", str(kb), "--questions", str(broken)]
    )
    assert bad.exit_code == 2 and "q.jsonl:2: not valid JSON" in bad.output
    assert "evidence_ids" in bad.output  # says what a row must look like
    wrong_scope = CliRunner().invoke(
        CLI, ["eval", "retrieval", "--kb", str(kb), "--questions", str(broken), "--scope", "shop"]
    )
    assert wrong_scope.exit_code == 2 and "global" in wrong_scope.output


@pytest.mark.slow
@pytest.mark.skipif(not (HETPQA / "dev.jsonl").exists(), reason="hetPQA not under ../shared/data")
def test_hybrid_beats_both_on_hetpqa_dev(embedder) -> None:  # type: ignore[no-untyped-def]
    r = RetrievalEvaluator(embedder, scope="global", show_progress=False).evaluate(
        HETPQA / "kb.jsonl", HETPQA / "dev.jsonl"
    )
    mrr = {name: m.mrr_at_10 for name, m in r.models.items()}
    assert mrr["hybrid"] > max(mrr["dense"], mrr["bm25"]), mrr
