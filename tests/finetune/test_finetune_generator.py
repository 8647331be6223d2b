"""LoRA on the real SmolLM2 for a few steps on tiny grounded triples: the adapter changes the
model and lowers its loss on its own training triples; served merged, it streams; and
`shopmate eval qa`'s runner produces every row on tiny artifacts. The training targets
are replies the grounding check keeps (hand-checked cases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.grounding import check
from finetune.generator import (
    GeneratorTrainConfig,
    _batches,
    cosine_ranker,
    encode_example,
    grounded_answer,
    mean_loss,
    train_generator,
    triples,
)
from finetune.judge import JudgeTrainConfig, train_judge
from finetune.matcher import MatcherTrainConfig, train_matcher
from finetune.qa_data import QAData, bm25_negatives, distractors
from finetune.qa_eval import METRICS, QAEvaluator
from finetune.qa_metrics import token_f1
from shopmate.models import minilm_path, prepare_llm
from tests.finetune.test_matcher_and_judge import write_qa


@pytest.fixture(scope="module")
def llm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_llm(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, llm_dir: Path) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("qa")
    kb, qs = write_qa(tmp)
    cfg = GeneratorTrainConfig(
        kb=kb, train=qs, base=llm_dir, ranker=minilm_path(), out=tmp / "models" / "generator", passages=2,
        max_examples=6, batch_size=3, max_steps=8, lr=5e-3, lora_layers=4, holdout=0.0,
        target_modules=("q_proj", "v_proj"), gen_check=0,
    )  # fmt: skip
    train_generator(cfg, progress=False)
    return kb, qs, tmp / "models"


@pytest.mark.parametrize(
    ("answers", "passages", "gold", "expected"),
    [  # the reference when the check keeps it, citing the gold passage that supports it
        (["it has three motors."], ["a red car.", "it has three motors inside."], [1],
         ("it has three motors.", [1])),
        # a paraphrase the passage does not support: the passage's closest words
        (["the doll wears size 14 clothing."], ["fits size 14 outfits and shoes, sold apart."],
         [0], ("size 14", [0])),
        # the reference's yes/no leads; JSON-like braces are dropped
        (["yes, you need an app."], ['req: { value:"free app on ios" }', "blue."], [0],
         ("Yes, app", [0])),
        (["no."], ["made of wood.", "it does not float."], [1], ("no.", [1])),
    ],
)  # fmt: skip
def test_grounded_targets(
    answers: list[str], passages: list[str], gold: list[int], expected: tuple[str, list[int]]
) -> None:
    text, cite = grounded_answer(answers, passages, gold)
    assert (text, cite) == expected
    assert check(f"{text} [{cite[0] + 1}]", passages).ok


def test_retrieval_order_numbers_passages_as_the_retriever_ranks_them(tmp_path: Path) -> None:
    kb, qs = write_qa(tmp_path)
    data = QAData.load(kb, qs, need_answers=True)
    pool = distractors(data.passages, data.questions, 8, seed=0)
    sim = cosine_ranker(minilm_path(), data.passages, data.questions)
    ts = triples(data.questions, data.by_id, pool, 3, 0, similarity=sim)
    text_id = {p.text: p.id for p in data.passages}
    assert len(ts) == len(data.questions)
    for q, t in zip(data.questions, ts, strict=True):
        ids = [text_id[x] for x in t.passages]
        scores = sim(q, ids)
        assert scores == sorted(scores, reverse=True)  # [1] is the ranker's best
        assert t.gold == [ids.index(q.evidence_ids[0])]  # the gold is always shown
        # the distractors are the pool's best by the ranker, not just its first
        others = [p for p in pool[q.id] if p not in ids]
        shown = [s for p, s in zip(ids, scores, strict=True) if p not in q.evidence_ids]
        assert not others or min(shown) >= max(sim(q, others))
    # MiniLM ranks the evidence first for most questions of this tiny shop
    assert sum(t.gold == [0] for t in ts) > len(ts) / 2


def test_passage_mix_varies_the_prompts_as_the_judge_does(tmp_path: Path) -> None:
    kb, qs = write_qa(tmp_path)
    data = QAData.load(kb, qs, need_answers=True)
    pool = distractors(data.passages, data.questions, 8, seed=0)
    sim = cosine_ranker(minilm_path(), data.passages, data.questions)
    many = data.questions * 20  # the draw is per question: enough of them to see the weights
    sizes = [
        len(t.passages)
        for t in triples(many, data.by_id, pool, 3, 0, similarity=sim, mix=(0.6, 0.2, 0.2))
    ]
    share = {k: sizes.count(k) / len(sizes) for k in (1, 2, 3)}
    assert set(sizes) == {1, 2, 3}
    assert share[1] == pytest.approx(0.6, abs=0.08) and share[3] == pytest.approx(0.2, abs=0.08)
    only = triples(data.questions, data.by_id, pool, 3, 0, similarity=sim, mix=(1.0,))
    assert all(t.passages == [data.by_id[q.evidence_ids[0]].text] and t.gold == [0]
               for q, t in zip(data.questions, only, strict=True))  # fmt: skip
    with pytest.raises(ValueError, match="passage_mix"):
        train_generator(
            GeneratorTrainConfig(kb=kb, train=qs, base=tmp_path, passage_mix=(0.0, 0.0))
        )


def test_lora_lowers_the_loss_on_its_own_triples(trained: tuple[Path, Path, Path], llm_dir: Path) -> None:  # fmt: skip
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kb, qs, models = trained
    adapter = models / "generator" / "adapter"
    assert (adapter / "adapter_config.json").exists()
    metrics = json.loads((models / "generator" / "metrics.json").read_text())
    assert metrics["steps"] == 8 and metrics["trainable_params"] > 0

    data = QAData.load(kb, qs, need_answers=True)
    negs = bm25_negatives(data.passages, data.questions, 2)
    tok = AutoTokenizer.from_pretrained(str(llm_dir))
    grounded = triples(data.questions, data.by_id, negs, 2, 0, "grounded")
    assert all(check(t.target, t.passages).ok and t.gold for t in grounded)
    reference = triples(data.questions, data.by_id, negs, 2, 0, "reference")
    assert [t.target for t in reference] == [
        f"{q.answer} " + " ".join(f"[{i + 1}]" for i in t.gold)
        for q, t in zip([q for q in data.questions if q.answer], reference, strict=True)
    ]  # the reference answer as it is, citing the evidence
    # the loss on the triples it was trained on (the recipe's default target)
    ts = triples(data.questions, data.by_id, negs, 2, 0, GeneratorTrainConfig.target)
    rows = [encode_example(tok, t.question, t.passages, t.target) for t in ts]
    batches = _batches(rows, 4, tok.eos_token_id)
    base = AutoModelForCausalLM.from_pretrained(str(llm_dir))
    before = mean_loss(base, batches)
    tuned = PeftModel.from_pretrained(base, str(adapter))
    after = mean_loss(tuned, batches)
    assert after < before - 0.1, (before, after)


def test_served_with_the_adapter_it_streams(trained: tuple[Path, Path, Path], llm_dir: Path) -> None:  # fmt: skip
    from langchain_core.messages import HumanMessage

    from bot.llm import LocalChatModel

    chat = LocalChatModel.load(llm_dir, 8, adapter=trained[2] / "generator" / "adapter")
    chunks = [str(c.content) for c in chat.stream([HumanMessage("Say hello.")])]
    assert len(chunks) > 1 and chat.count_tokens("".join(chunks)) > 0
    with pytest.raises(ValueError, match="not a LoRA adapter"):
        LocalChatModel.load(llm_dir, 8, adapter=trained[2])


def test_eval_qa_scores_every_row(trained: tuple[Path, Path, Path], llm_dir: Path) -> None:
    kb, qs, models = trained
    train_matcher(
        MatcherTrainConfig(kb=kb, train=qs, base=minilm_path(), out=models / "matcher", holdout=0.0, batch_size=4, max_steps=1),
        progress=False,
    )  # fmt: skip
    train_judge(
        JudgeTrainConfig(kb=kb, train=qs, base=minilm_path(), matcher=minilm_path(), out=models / "judge", holdout=0.0, batch_size=4, max_steps=1, rerank_depth=10),
        progress=False,
    )  # fmt: skip
    report = QAEvaluator(
        models, llm_dir, minilm_path(), depth=10, generate_limit=3, max_new_tokens=8,
        progress=False, quantize="int8",
    ).evaluate(kb, qs)  # fmt: skip
    assert report.as_dict()["generator_weights"] == "int8"  # as the bot serves them
    assert set(report.models) == {
        "base-matcher", "ft-matcher", "ft-matcher+judge", "ft-matcher+judge (no product)",
        "base-generator", "ft-generator",
    }  # fmt: skip
    for name, row in report.models.items():
        assert set(METRICS) <= set(row), name
        for k in ("token_f1", "rouge_l", "abstain_rate", "p95_s"):
            v = row[k]
            assert v is not None and v >= 0.0, (name, k)
    assert report.models["ft-matcher+judge"]["auc"] is not None
    assert report.models["base-matcher"]["auc"] is None
    assert report.n_generated == 3
    # --replies: one record per generator row and scored question, consistent with the rows
    assert len(report.replies) == 2 * 3
    by_id = {q.id: q for q in QAData.load(kb, qs, need_answers=True).questions}
    for r in report.replies:
        assert r["model"] in ("base-generator", "ft-generator")
        assert set(r["cited_ids"]) <= set(r["passage_ids"])
        assert r["token_f1"] == pytest.approx(token_f1(r["reply"], by_id[r["question_id"]].answers))
    for name in ("base-generator", "ft-generator"):
        f1 = [r["token_f1"] for r in report.replies if r["model"] == name]
        assert report.models[name]["token_f1"] == pytest.approx(sum(f1) / len(f1))
    with pytest.raises(ValueError, match="lacks"):
        QAEvaluator(models / "nowhere", llm_dir, minilm_path())
    with pytest.raises(ValueError, match="'none' or 'int8'"):
        QAEvaluator(models, llm_dir, minilm_path(), quantize="int4")
    # shop scope, the bot on a product page: the matchers search the whole kb (the same
    # rows as global scope), the judge also gets the product's own passages
    shop = QAEvaluator(models, None, minilm_path(), scope="shop", depth=10, progress=False)
    rows = shop.evaluate(kb, qs).models
    for name in ("base-matcher", "ft-matcher"):
        assert rows[name]["mrr@10"] == pytest.approx(report.models[name]["mrr@10"])
    assert rows["ft-matcher+judge"]["auc"] is not None and "ft-generator" not in rows
    with pytest.raises(ValueError, match="'global', 'product' or 'shop'"):
        QAEvaluator(models, None, minilm_path(), scope="everywhere")  # type: ignore[arg-type]
