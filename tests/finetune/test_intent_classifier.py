"""The intent classifier: metrics against hand-computed values, training on tiny real-format data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.intent_classifier import IntentClassifier
from finetune.classification import accuracy, macro_f1, per_class_f1
from finetune.intents import (
    IntentDataError,
    IntentTrainConfig,
    load_intent_rows,
    split,
    train_intents,
)


def test_metrics_by_hand() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    assert accuracy(gold, pred) == pytest.approx(3 / 5)
    # a: tp1 fp1 fn1 -> 0.5 ; b: tp2 fp1 fn0 -> 0.8 ; c: tp0 -> 0
    assert per_class_f1(gold, pred) == pytest.approx({"a": 0.5, "b": 0.8, "c": 0.0})
    assert macro_f1(gold, pred) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    with pytest.raises(ValueError, match="same length"):
        accuracy(["a"], [])


TINY = {
    "track_order": [
        "where is my order",
        "has my parcel shipped yet",
        "track my package please",
        "when will my order arrive",
        "what's the status of order 1234",
        "my delivery status",
    ],
    "get_refund": [
        "I want my money back",
        "how do I get a refund",
        "refund me please",
        "can I be reimbursed for this",
        "I'd like a refund for my jacket",
        "give me back my money",
    ],
    "contact_human_agent": [
        "let me talk to a person",
        "I need a human",
        "connect me to an agent",
        "is there a real person",
        "speak to someone please",
        "transfer me to customer service",
    ],
}


def write_tiny(path: Path) -> Path:
    with path.open("w") as f:
        for intent, texts in TINY.items():
            for i, t in enumerate(texts):
                f.write(
                    json.dumps(
                        {
                            "id": f"{intent}{i}",
                            "text": t,
                            "intent": intent,
                            "category": "X",
                            "response": "",
                        }
                    )
                    + "\n"
                )
    return path


def test_split_is_fixed_and_complete(tmp_path: Path) -> None:
    rows = load_intent_rows(write_tiny(tmp_path / "d.jsonl"))
    a_train, a_test = split(rows, 0.2, seed=0)
    b_train, b_test = split(rows, 0.2, seed=0)
    assert (a_train, a_test) == (b_train, b_test)
    assert len(a_test) == round(0.2 * len(rows)) and sorted(a_train + a_test) == sorted(rows)


def test_training_learns_and_writes_an_artifact(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data = write_tiny(tmp_path / "d.jsonl")
    out = train_intents(
        IntentTrainConfig(data=data, out=tmp_path / "intents", epochs=40, holdout=0.0),
        embedder,
        progress=False,
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["loss_last"] < metrics["loss_first"] / 3
    clf = IntentClassifier.load(out, embedder)
    assert [
        p.label for p in clf.predict(["where's my parcel?", "I want a refund", "get me a human"])
    ] == ["track_order", "get_refund", "contact_human_agent"]
    assert all(0.0 < p.confidence <= 1.0 for p in clf.predict(["hello"]))
    assert not (tmp_path / "intents.tmp").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "hi", "intent": "a"}\n{broken\n', r":2: not valid JSON"),
        ('{"text": "", "intent": "a"}\n', r":1: each row needs non-empty 'text' and 'intent'"),
        (
            '{"text": "hi", "intent": "a"}\n{"text": "yo", "intent": "a"}\n',
            "at least two different intents",
        ),
    ],
)
def test_bad_data_is_refused_with_the_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "d.jsonl").write_text(content)
    with pytest.raises(IntentDataError, match=message):
        load_intent_rows(tmp_path / "d.jsonl")


def test_eval_intents_command(tmp_path: Path) -> None:
    from shopmate.cli import app

    data = write_tiny(tmp_path / "d.jsonl")
    out = tmp_path / "r.json"
    r = CliRunner().invoke(
        app, ["eval", "intents", "--data", str(data), "--test", str(data), "--json", str(out)]
    )
    assert r.exit_code == 0, r.output
    result = json.loads(out.read_text())
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0 and result["n"] == 18
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    r = CliRunner().invoke(app, ["eval", "intents", "--data", str(bad)])
    assert r.exit_code == 2 and "not valid JSON" in r.output
