"""`shopmate eval shop` on a dev shop the code was not written for, through the served engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finetune.shop_eval import QuestionError, load_questions
from shopmate.cli import app

SHOP = Path(__file__).resolve().parents[2] / "bench" / "shops" / "woocommerce-sample"


def test_eval_shop_builds_the_shop_and_scores_every_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_settings: object
) -> None:
    # the models (intent head) of the session's demo data dir; the shop itself is built fresh
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(demo_settings.data_dir))  # type: ignore[attr-defined]
    out = tmp_path / "out.json"
    r = CliRunner().invoke(
        app,
        [
            "eval",
            "shop",
            "--shop",
            str(SHOP),
            "--questions",
            str(SHOP / "questions.jsonl"),
            "--json",
            str(out),
            "--no-progress",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "woocommerce export, 18 products" in r.output and "search precision" in r.output
    got = json.loads(out.read_text())
    assert got["total"] == 40
    assert set(got["by_kind"]) == {
        "policy",
        "product_fact",
        "product_search",
        "recommendation",
        "unanswerable",
    }
    # a floor against regressions (docs/benchmarks.md has the current figure)
    assert got["right"] >= 32, got["wrong"]
    assert got["by_kind"]["unanswerable"]["right"] == got["by_kind"]["unanswerable"]["total"]
    assert all({"id", "question", "reply", "why", "answer"} <= set(w) for w in got["wrong"])


def test_bad_question_files_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "q.jsonl"
    p.write_text('{"question": "hi", "kind": "policy"}\n{"question": "x", "kind": "chat"}\n')
    with pytest.raises(QuestionError, match=r"q.jsonl:2: kind 'chat' is not one of"):
        load_questions(p)
    p.write_text('{"question": "hi", "kind": "policy", "must_match": ["("]}\n')
    with pytest.raises(QuestionError, match=r":1: must_match '\(' is not a regex"):
        load_questions(p)


def test_served_qa_asks_on_the_product_page_and_scores_citations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_settings: object
) -> None:
    monkeypatch.setenv("SHOPMATE_DATA_DIR", str(demo_settings.data_dir))  # type: ignore[attr-defined]
    kb = tmp_path / "kb.jsonl"
    rows = [
        {"id": "k1", "text": "The kettle holds 1.7 litres of water.", "product_id": "P1"},
        {"id": "k2", "text": "The kettle body is brushed stainless steel.", "product_id": "P1"},
        {"id": "k3", "text": "This lamp takes an E27 bulb up to 60 watts.", "product_id": "P2"},
    ]
    kb.write_text("".join(json.dumps({**r, "source": "test"}) + "\n" for r in rows))
    qs = tmp_path / "q.jsonl"
    q = [
        ("q1", "how many litres does it hold?", "P1", "1.7 litres", ["k1"]),
        ("q2", "what bulb does it take?", "P2", "An E27 bulb, up to 60 W.", ["k3"]),
    ]
    qs.write_text(
        "".join(
            json.dumps(
                {
                    "id": i,
                    "question": t,
                    "product_id": p,
                    "answer": a,
                    "answers": [a],
                    "evidence_ids": e,
                }
            )
            + "\n"
            for i, t, p, a, e in q
        )
    )
    out = tmp_path / "out.json"
    args = ["eval", "served-qa", "--kb", str(kb), "--questions", str(qs), "--json", str(out)]
    r = CliRunner().invoke(app, [*args, "--no-progress"])
    assert r.exit_code == 0, r.output
    got = json.loads(out.read_text())
    assert got["summary"]["n"] == 2 and got["summary"]["answered"] == 2, got
    # answered from the page's own passage: the gold one is cited, the other product's never
    assert got["summary"]["citation_precision"] == 1.0
    assert [x["cited"][0] for x in got["replies"]] == ["k1", "k3"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "hi"}\n')
    r = CliRunner().invoke(app, ["eval", "served-qa", "--kb", str(kb), "--questions", str(bad)])
    assert r.exit_code == 2 and "bad.jsonl" in r.output
