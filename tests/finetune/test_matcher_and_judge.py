"""The matcher and the judge train a few steps on tiny data and get better on their own pairs.

Real MiniLM, real sentence-transformers trainers; the data is written here (tmp_path).
Metric functions are checked against hand-computed values.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.judge import ScoreFusion
from finetune.judge import (
    JudgeTrainConfig,
    calibrate_answer_threshold,
    precision_lower_bound,
    recalibrate_judge,
    train_judge,
)
from finetune.judge_data import mine_negatives
from finetune.judge_fusion import cross_fitted, fit_fusion, fit_gate, fit_logistic
from finetune.matcher import MatcherTrainConfig, train_matcher
from finetune.qa_data import QAData, QADataError, QAExample, bm25_negatives, load_qa
from finetune.qa_eval import selective_precision
from finetune.qa_metrics import citation_precision, roc_auc, rouge_l, token_f1
from shopmate.models import minilm_path

PASSAGES = [
    ("k1", "p1", "the headlamp runs for 40 hours on three aaa batteries."),
    ("k2", "p1", "the headlamp strap is elastic and fits over a helmet."),
    ("k3", "p1", "this headlamp is rated ipx4 splash resistant, not waterproof."),
    ("k4", "p2", "the tent sleeps two people and packs down to 2 kg."),
    ("k5", "p2", "the tent poles are aluminium and the fly is silicone coated."),
    ("k6", "p2", "setting up the tent takes about five minutes with one person."),
    ("k7", "p3", "the kettle boils one litre of water in three minutes on gas."),
    ("k8", "p3", "the kettle handle folds flat and stays cool to the touch."),
    ("k9", "p3", "the kettle is made of hard anodised aluminium."),
    ("k10", "p4", "the gloves are lined with fleece and have touchscreen fingertips."),
    ("k11", "p4", "the gloves come in sizes small, medium and large."),
    ("k12", "p4", "machine wash the gloves cold and let them air dry."),
]
QUESTIONS = [
    ("how long do the batteries last in this lamp?", "k1", "about 40 hours."),
    ("can i wear it on my climbing helmet?", "k2", "yes, the strap fits over a helmet."),
    ("can i use it in heavy rain?", "k3", "it is splash resistant only."),
    ("how many people fit inside?", "k4", "two people."),
    ("what are the poles made of?", "k5", "aluminium."),
    ("is it quick to pitch alone?", "k6", "yes, about five minutes."),
    ("how fast does it heat water?", "k7", "a litre in three minutes."),
    ("does the grip get hot?", "k8", "no, it stays cool."),
    ("what metal is it?", "k9", "hard anodised aluminium."),
    ("will my phone screen work with these on?", "k10", "yes, touchscreen fingertips."),
    ("which sizes can i order?", "k11", "small, medium and large."),
    ("how do i clean them?", "k12", "machine wash cold, air dry."),
]


def write_qa(tmp: Path) -> tuple[Path, Path]:
    kb, qs = tmp / "kb.jsonl", tmp / "train.jsonl"
    kb.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "product_id": p, "source": "test"}) + "\n"
            for i, p, t in PASSAGES
        )
    )
    product = {i: p for i, p, _ in PASSAGES}
    qs.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"q{n}",
                    "question": q,
                    "product_id": product[e],
                    "answer": a,
                    "evidence_ids": [e],
                }
            )
            + "\n"
            for n, (q, e, a) in enumerate(QUESTIONS)
        )
    )
    return kb, qs


def margins(vectors_q: np.ndarray, vectors_p: np.ndarray, gold: list[int]) -> float:
    """Mean over questions of cos(q, gold) - best cos(q, other passage)."""
    sims = vectors_q @ vectors_p.T
    out = []
    for i, g in enumerate(gold):
        others = np.delete(sims[i], g)
        out.append(sims[i, g] - others.max())
    return float(np.mean(out))


def test_metrics_by_hand() -> None:
    assert token_f1("The strap fits [1].", ["strap fits over helmet"]) == pytest.approx(
        2 * 1.0 * 0.5 / 1.5
    )
    assert token_f1("", ["anything"]) == 0.0
    assert rouge_l("w b c d", ["b d e"]) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert roc_auc([0.9, 0.8, 0.1, 0.8], [1, 0, 0, 1]) == pytest.approx((1 + 1 + 1 + 0.5) / 4)
    assert citation_precision(["a", "b"], ["b"]) == 0.5
    assert citation_precision([], ["b"]) is None
    t, info = calibrate_answer_threshold(
        np.array([0.9, 0.8, 0.7, 0.2]),
        np.array([True, True, False, False]),
        0.9,
        min_support=1,
        confidence=0,
    )
    assert t == pytest.approx(0.8) and info["precision"] == 1.0
    # answering only the questions the judge is surest of: right, wrong, wrong, right
    qs = [QAExample(f"q{i}", "?", None, "", (), (g,)) for i, g in enumerate("axcx")]
    sel = selective_precision([["a"], ["b"], ["c"], ["d"]], qs, [0.9, 0.8, 0.1, 0.2])
    assert sel == pytest.approx(
        {
            "citation_precision@25%": 1.0,
            "citation_precision@50%": 0.5,
            "citation_precision@75%": 1 / 3,
        }
    )


def test_answer_threshold_keeps_its_promise_with_confidence() -> None:
    # 30 questions, best score first: the top 22 picks are right, the rest wrong. The point
    # estimate reaches 90% down to the 24th (22/24 = 0.917; 22/25 = 0.88). With 90%
    # confidence the Clopper-Pearson lower bound of k right out of k is 0.1 ** (1 / k):
    # 0.9006 at k = 22, 0.8960 at k = 21, and below 0.9 as soon as a wrong pick is in.
    scores = np.linspace(1.0, 0.01, 30)
    gold = np.arange(30) < 22
    t0, info0 = calibrate_answer_threshold(scores, gold, 0.9, confidence=0)
    t9, info9 = calibrate_answer_threshold(scores, gold, 0.9, confidence=0.9)
    assert t0 == pytest.approx(scores[23]) and info0["answered"] == pytest.approx(24 / 30)
    assert t9 == pytest.approx(scores[21]) and info9["answered"] == pytest.approx(22 / 30)
    assert info9["precision_lower_bound"] == pytest.approx(0.1 ** (1 / 22))
    assert "90% confidence" in info9["rule"]
    bound = precision_lower_bound(np.array([21.0, 0.0]), np.array([21.0, 5.0]), 0.9)
    assert bound == pytest.approx([0.1 ** (1 / 21), 0.0])
    # too few questions to promise it: the best-accuracy cut instead
    _, few = calibrate_answer_threshold(scores[:12], gold[:12], 0.9, confidence=0.9)
    assert few["rule"].startswith("best accuracy")


def test_logistic_fit_by_hand() -> None:
    # a binary feature with both classes at each value: the (almost unregularised) fit is
    # the log-odds of each group, logit(1/4) and logit(3/4)
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    (w,), b = fit_logistic(x[:, None], y, l2=1e-9)
    assert b == pytest.approx(np.log(1 / 3), abs=1e-4)
    assert w == pytest.approx(2 * np.log(3), abs=1e-4)
    with pytest.raises(ValueError, match="both classes"):
        fit_logistic(x[:, None], np.ones(8))
    fusion = ScoreFusion(a=2.0, c=1.0, b=-1.0, a0=0.5, b0=0.25)
    assert fusion.apply(np.array([1.0]), np.array([True]))[0] == pytest.approx(1 / (1 + np.exp(-2)))
    assert fusion.apply(np.array([1.0]))[0] == pytest.approx(1 / (1 + np.exp(-0.75)))
    # per pair: a shop-wide passage (None) is scored by the logit-only fit among fused ones
    mixed = fusion.apply(np.array([1.0, 1.0, 1.0]), [True, None, False])
    assert mixed == pytest.approx(1 / (1 + np.exp(-np.array([2.0, 0.75, 1.0]))))
    # the retriever's cosine as a third feature, in both fits; a fit that uses it needs it
    with_cos = ScoreFusion(a=2.0, c=1.0, b=-1.0, a0=0.5, b0=0.25, d=3.0, d0=-1.0)
    got = with_cos.apply(np.array([1.0, 1.0]), [True, None], cosine=np.array([0.5, 0.5]))
    assert got == pytest.approx(1 / (1 + np.exp(-np.array([3.5, 0.25]))))
    with pytest.raises(ValueError, match="cosine"):
        with_cos.apply(np.array([1.0]), [True])
    with pytest.raises(ValueError, match="one value per logit"):
        with_cos.apply(np.array([1.0]), [True], cosine=np.array([0.5, 0.5]))
    # the answer gate by hand: sigmoid(ga * best + gm * lead + gb); no gate: the best score
    assert fusion.confidence(0.7, 0.6) == pytest.approx(0.7)
    gated = replace(with_cos, gated=True, ga=1.0, gm=4.0, gb=-1.0, ga0=2.0, gm0=0.0, gb0=0.0)
    assert gated.confidence(0.7, 0.6) == pytest.approx(1 / (1 + np.exp(-(0.7 + 0.4 - 1.0))))
    assert gated.confidence(0.7, None) == pytest.approx(1 / (1 + np.exp(-(0.7 + 2.8 - 1.0))))
    assert gated.confidence(0.7, 0.6, product_known=False) == pytest.approx(1 / (1 + np.exp(-1.4)))


def test_fusion_learns_that_other_products_do_not_answer() -> None:
    rng = np.random.default_rng(0)
    n = 400
    labels = rng.random(n) < 0.2
    same = labels | (rng.random(n) < 0.1)  # evidence is always about the question's product
    logits = rng.normal(size=n) + labels  # a weak text score
    fusion = fit_fusion(logits, same.astype(float), labels.astype(int))
    assert fusion.c > 2 and fusion.a > 0 and fusion.a0 > 0
    fused = cross_fitted(logits, same.astype(float), labels.astype(int), np.arange(n) // 4)
    assert (
        roc_auc(fused.tolist(), labels.tolist()) > roc_auc(logits.tolist(), labels.tolist()) + 0.1
    )
    # a retriever's cosine that knows something the logit does not gets a positive weight
    # and lifts the held-out AUC further
    cosine = 0.4 + 0.2 * labels + 0.1 * rng.normal(size=n)
    with_cos = fit_fusion(logits, same.astype(float), labels.astype(int), cosine)
    assert with_cos.d > 1 and with_cos.d0 > 1 and with_cos.uses_cosine
    fused_cos = cross_fitted(
        logits, same.astype(float), labels.astype(int), np.arange(n) // 4, cosine=cosine
    )
    assert roc_auc(fused_cos.tolist(), labels.tolist()) > roc_auc(fused.tolist(), labels.tolist())


def test_answer_gate_learns_that_a_clear_lead_is_right() -> None:
    # the best passage is right when it leads the runner-up clearly, whatever its own score
    rng = np.random.default_rng(1)
    n = 300
    best = rng.uniform(0.5, 1.0, n)
    runner_up = best - rng.uniform(0.0, 0.5, n)
    right = (best - runner_up + 0.1 * rng.normal(size=n)) > 0.25
    none = (best, runner_up, np.zeros(n, dtype=bool))  # no right answer at all: no fit
    gated = fit_gate(ScoreFusion(), (best, runner_up, right), none)
    assert gated.gated and gated.gm > 5
    assert gated.confidence(0.6, 0.1) > 0.75 > 0.25 > gated.confidence(0.9, 0.85)
    assert (gated.ga0, gated.gm0, gated.gb0) == (1.0, 0.0, 0.0)
    # a fit that would trust a lower-scoring winner more is refused: the gate is monotone
    lower_is_right = fit_gate(ScoreFusion(), (best, runner_up, best < 0.7), none)
    assert lower_is_right.ga == 0.0 and lower_is_right.gm >= 0.0
    assert lower_is_right.confidence(0.9, 0.5) >= lower_is_right.confidence(0.6, 0.5)


def test_bad_data_is_named(tmp_path: Path) -> None:
    kb, _ = write_qa(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "hi", "evidence_ids": []}\n')
    with pytest.raises(QADataError, match="evidence_ids"):
        load_qa(bad)
    bad.write_text('{"question": "hi", "evidence_ids": ["nope"], "answer": "x"}\n')
    with pytest.raises(QADataError, match="does not hold"):
        QAData.load(kb, bad)
    bad.write_text('{"question": "hi", "evidence_ids": ["k1"]}\n')
    with pytest.raises(QADataError, match="answer"):
        QAData.load(kb, bad, need_answers=True)


def test_bm25_negatives_are_never_the_evidence(tmp_path: Path) -> None:
    data = QAData.load(*write_qa(tmp_path))
    negs = bm25_negatives(data.passages, data.questions, per_question=2)
    for q in data.questions:
        assert len(negs[q.id]) == 2 and not set(negs[q.id]) & set(q.evidence_ids)


def test_judge_negatives_come_from_the_own_product_first(tmp_path: Path) -> None:
    data = QAData.load(*write_qa(tmp_path))
    product = {p.id: p.product_id for p in data.passages}
    dense = [["k12", "k11", "k1"] for _ in data.questions]
    negs = mine_negatives(data.questions, dense, {}, data.passages, 2, 1)
    for q, ns in zip(data.questions, negs, strict=True):
        assert not set(ns) & set(q.evidence_ids) and len(ns) == len(set(ns))
        assert [product[p] for p in ns[:2]] == [q.product_id] * 2
        assert ns[2] in dense[0]


@pytest.mark.parametrize("negatives", [0, 1])  # the default: in-batch only; or + 1 from BM25
def test_matcher_gets_better_on_its_pairs(tmp_path: Path, embedder, negatives: int) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    from retrieval.embedder import Embedder

    kb, qs = write_qa(tmp_path)
    cfg = MatcherTrainConfig(
        kb=kb, train=qs, base=minilm_path(), out=tmp_path / "matcher", holdout=0.0, batch_size=6, max_steps=8,
        lr=1e-4, warmup=0.0, freeze_layers=2, negatives=negatives,
    )  # fmt: skip
    out = train_matcher(cfg, progress=False)
    assert (out / "model" / "model.safetensors").exists() and (out / "history.jsonl").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 8 and 0.0 < metrics["reuse_threshold"] <= 1.0

    gold = [int(e[1:]) - 1 for _, e, _ in QUESTIONS]
    texts_q, texts_p = [q for q, _, _ in QUESTIONS], [t for _, _, t in PASSAGES]
    before = margins(embedder.encode(texts_q), embedder.encode(texts_p), gold)
    tuned = Embedder(out / "model")
    after = margins(tuned.encode(texts_q), tuned.encode(texts_p), gold)
    assert after > before + 0.02, (before, after)
    w0 = embedder.model[0].auto_model.encoder.layer[5].attention.self.query.weight
    w1 = tuned.model[0].auto_model.encoder.layer[5].attention.self.query.weight
    assert not np.allclose(w0.detach().numpy(), w1.detach().numpy())
    frozen0 = embedder.model[0].auto_model.encoder.layer[0].attention.self.query.weight
    frozen1 = tuned.model[0].auto_model.encoder.layer[0].attention.self.query.weight
    assert np.allclose(frozen0.detach().numpy(), frozen1.detach().numpy())  # kept frozen


def test_the_matcher_command_passes_its_batch_size_on(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shopmate.cli import app

    kb, qs = write_qa(tmp_path)
    out = tmp_path / "cli-matcher"
    args = ["finetune", "matcher", "--kb", str(kb), "--train", str(qs), "--out", str(out)]
    run = CliRunner().invoke(app, [*args, "--batch-size", "4", "--max-steps", "1", "--no-progress"])
    assert run.exit_code == 0, run.output
    assert json.loads((out / "config.json").read_text())["batch_size"] == "4"
    bad = CliRunner().invoke(app, [*args, "--batch-size", "1"])
    assert bad.exit_code == 2 and "batch-size" in bad.output
    own = CliRunner().invoke(app, [*args, "--own-product-negatives", "--negatives", "0"])
    assert own.exit_code == 2 and "needs negatives >= 1" in own.output


def test_judge_learns_to_separate_evidence(tmp_path: Path) -> None:
    from bot.judge import AnswerabilityJudge
    from retrieval.store import Hit

    kb, qs = write_qa(tmp_path)
    cfg = JudgeTrainConfig(
        kb=kb, train=qs, base=minilm_path(), matcher=minilm_path(), out=tmp_path / "judge", holdout=0.0, batch_size=12, max_steps=30,
        lr=4e-4, warmup=0.0, bm25_negatives=1, dense_negatives=1, rerank_depth=10, max_length=64,
    )  # fmt: skip
    out = train_judge(cfg, progress=False)
    judge = AnswerabilityJudge.load(out)
    scores, labels = [], []
    texts = {i: t for i, _, t in PASSAGES}
    for q, e, _ in QUESTIONS:
        s = judge.score(q, list(texts.values()))
        scores += s.tolist()
        labels += [int(i == e) for i in texts]
    auc = roc_auc(scores, labels)
    assert auc >= 0.85, auc
    q, e, _ = QUESTIONS[0]
    hits = [Hit(i, t, 0.0) for i, t in texts.items()]
    reranked = judge.rerank(q, hits)
    assert [h.id for h in reranked[:3]].count(e) == 1
    assert reranked[0].score >= reranked[-1].score
    # with the question's product known, a fusion that trusts it puts that product first
    judge.fusion = ScoreFusion(a=0.0, c=5.0, b=-2.5)
    product = {i: p for i, p, _ in PASSAGES}
    hits = [Hit(i, t, 0.0, {"product_id": product[i]}) for i, t in texts.items()]
    top = judge.rerank("does it have a strap?", hits, product_id="p3")[:3]
    assert {product[h.id] for h in top} == {"p3"} and top[0].score > 0.9
    # each kind of score against its own threshold: fused (this product's passage) and
    # text-only (a shop-wide passage, or no product known)
    judge.threshold, judge.threshold_text = 0.99, 0.01
    policy = Hit("policy", "returns are free for 30 days.", 0.5, {})
    own = Hit("k1", texts["k1"], 0.5, {"product_id": "p1"})
    assert judge.clears([policy], "p1") and not judge.clears([own], "p1")
    assert judge.clears([own], None) and not judge.clears([], "p1")
    assert judge.same_product(own, "p1") is True and judge.same_product(policy, "p1") is None
    assert judge.same_product(own, "p2") is False and judge.same_product(own, None) is None
    with pytest.raises(ValueError, match="one value per text"):
        judge.score("q", ["a", "b"], [True])
    with pytest.raises(ValueError, match="not a judge artifact"):
        AnswerabilityJudge.load(tmp_path)
    # an artifact is refitted on held-out questions without retraining: a fusion and a
    # threshold for each case, product known or not
    metrics = recalibrate_judge(replace(cfg, holdout=0.25))
    assert 0 <= metrics["answer_threshold_text"] <= 1 and 0 <= metrics["answer_threshold"] <= 1
    saved = json.loads((out / "metrics.json").read_text())
    assert (
        saved["steps"] == 30 and saved["answer_threshold_text"] == metrics["answer_threshold_text"]
    )
    loaded = AnswerabilityJudge.load(out)
    assert loaded.threshold_text == metrics["answer_threshold_text"]
    # refitted with the matcher's cosine as a feature, and with its answer gate
    assert loaded.fusion.uses_cosine and loaded.fusion.gated
    # ... of the embedder it names: the bot must embed with that one
    assert loaded.cosine_embedder is not None
    loaded.check_embedder(loaded.cosine_embedder, "the same model")
    with pytest.raises(ValueError, match="--recalibrate"):
        loaded.check_embedder("0123456789abcdef", "another model")
    with pytest.raises(ValueError, match="held-out"):
        recalibrate_judge(cfg)


def test_answerer_with_a_judge_answers_a_clear_winner_only(services) -> None:  # type: ignore[no-untyped-def]
    """The bot's path with a judge: the retriever's cosine reaches the fusion, the best
    passage's lead over the runner-up reaches the gate, and a failed gate hands off."""
    from bot.answerer import Answerer
    from bot.judge import AnswerabilityJudge
    from retrieval.retriever import KnowledgeRetriever
    from retrieval.store import Hit
    from shopmate.models import minilm_path
    from shopmate.wiring import KNOWLEDGE

    # a fusion that ignores the cross-encoder (MiniLM with a fresh head here) and scores by
    # the cosine alone, and a gate on the lead alone: every decision below is known exactly
    fusion = ScoreFusion(a=0.0, b=-5.0, a0=0.0, b0=-5.0, d=10.0, d0=10.0, gated=True)
    fusion = replace(fusion, ga=0.0, gm=20.0, gb=0.0, ga0=0.0, gm0=20.0, gb0=0.0)
    judge = AnswerabilityJudge(minilm_path(), fusion=fusion)
    knowledge = KnowledgeRetriever(services.embedder, services.store, KNOWLEDGE)
    answerer = Answerer(services.embedder, knowledge, judge=judge)
    question = "How many days do I have to return an item?"
    hits = knowledge.retrieve(question, top_k=answerer.rerank_depth)
    ranked = judge.rerank(question, hits)
    assert [h.id for h in ranked] == [h.id for h in hits]  # by the cosine, as the fusion says
    assert [h.cosine for h in ranked] == [h.score for h in hits]  # kept beside P(answers)
    lead = ranked[0].score - ranked[1].score
    conf = float(1 / (1 + np.exp(-20.0 * lead)))
    assert judge.confidence(ranked[0].score, ranked[1].score, False) == pytest.approx(conf)
    judge.threshold = judge.threshold_text = conf - 1e-4  # just below: the bot answers
    a = answerer.answer(question)
    assert a.grounded and a.citations[0].id == hits[0].id
    judge.threshold = judge.threshold_text = conf + 1e-4  # just above: a person is offered
    a = answerer.answer(question)
    assert not a.grounded and not a.citations
    # the reply is written from the best passage and those scored within the band of it
    near = [Hit("a", "x", 0.90), Hit("b", "y", 0.85), Hit("c", "z", 0.70)]
    assert [h.id for h in judge.contenders(near)] == ["a", "b"]
    assert [h.id for h in judge.contenders(near, band=0.0)] == ["a"]
    assert judge.contenders([]) == []


def test_answerer_with_a_judge_searches_the_product_page_too(services) -> None:  # type: ignore[no-untyped-def]
    """On a product page the product's own passages join the shop-wide hits: a whole-shop
    search for "is the strap adjustable?" finds other products' strap passages first, and
    the judge, which prefers the shopper's product, can only pick what retrieval found."""
    from bot.answerer import Answerer
    from bot.judge import AnswerabilityJudge
    from retrieval.retriever import KnowledgeRetriever
    from shopmate.models import minilm_path

    rows = [  # (id, product, text): two other products say it most plainly
        ("s2", "p2", "the strap is adjustable."),
        ("s3", "p3", "yes, the strap is adjustable."),
        ("s1", "p1", "the band on this watch can be lengthened by two notches for big wrists."),
        ("w1", "p1", "water resistant to 50 metres."),
    ]
    name = "knowledge_product_page_test"
    texts = [t for _, _, t in rows]
    services.store.upsert(
        name, [i for i, _, _ in rows], services.embedder.encode(texts), texts,
        [{"product_id": p, "source": "test"} for _, p, _ in rows],
    )  # fmt: skip
    knowledge = KnowledgeRetriever(services.embedder, services.store, name)
    question = "is the strap adjustable?"
    assert {h.id for h in knowledge.retrieve(question, top_k=2)} == {"s2", "s3"}
    # a fusion that trusts "same product" and the cosine, a gate on the lead alone
    # (MiniLM's cosines: s3 0.85, s2 0.83, s1 0.46, w1 0.10; so on p1's page s1 scores
    # 0.93, w1 0.26 and s2/s3 under 0.04; without a product s3 0.97 and s2 0.96)
    fusion = ScoreFusion(a=0.0, c=10.0, b=-12.0, a0=0.0, b0=-5.0, d=10.0, d0=10.0, gated=True)
    fusion = replace(fusion, ga=0.0, gm=20.0, gb=0.0, ga0=0.0, gm0=20.0, gb0=0.0)
    judge = AnswerabilityJudge(minilm_path(), fusion=fusion)
    judge.threshold = judge.threshold_text = 0.9  # a lead of about 0.11 or more
    answerer = Answerer(services.embedder, knowledge, judge=judge, top_k=1, rerank_depth=2)
    on_page = answerer.answer(question, product_id="p1")
    assert on_page.grounded and on_page.citations[0].id == "s1"
    # without a product page nothing is added: the shop-wide hits only, and two products'
    # near-equal strap passages give no lead, so a person is offered
    assert not answerer.answer(question).grounded
    # a product with no passages of its own changes nothing
    elsewhere = answerer.answer(question, product_id="p9")
    assert not elsewhere.grounded and not elsewhere.citations


def test_intent_steered_passages_reach_the_judge_with_the_questions_cosine(services) -> None:  # type: ignore[no-untyped-def]
    """An intent hint ("returns and refunds: <message>") adds passages to the candidates; the
    judge must read each one's cosine to the shopper's words, and get its full depth."""
    from bot.judge import AnswerabilityJudge
    from retrieval.store import Hit
    from shopmate.models import minilm_path
    from shopmate.wiring import KNOWLEDGE

    seen: list[list[Hit]] = []

    class Recording(AnswerabilityJudge):
        def rerank(self, query: str, hits, product_id=None):  # type: ignore[no-untyped-def]
            seen.append(list(hits))
            return super().rerank(query, hits, product_id)

    fusion = ScoreFusion(a=0.0, b=-5.0, a0=0.0, b0=-5.0, d=10.0, d0=10.0, gated=True)
    answerer = services.engine.answerer
    answerer.judge = Recording(minilm_path(), fusion=fusion)
    depth, answerer.rerank_depth = answerer.rerank_depth, 4
    message = "can I send it back?"
    try:
        services.engine.respond("hint-cosine-session", None, message)
        own = {h.id for h in answerer.kb.retrieve(message, top_k=4)}
    finally:
        answerer.judge, answerer.rerank_depth = None, depth
    assert seen, "the judge was not asked"
    hits = seen[-1]
    assert len(hits) == 4  # the judge's depth, not the reply's top_k (3)
    assert {h.id for h in hits} - own, "the hint added no passage: the case is not tested"
    vectors = services.store.get_embeddings(KNOWLEDGE, [h.id for h in hits])
    question = services.embedder.encode_one(message)
    for h in hits:
        assert h.similarity == pytest.approx(float(vectors[h.id] @ question), abs=1e-4), h.id


@pytest.mark.parametrize("kind", ["matcher", "judge", "generator"])
def test_the_finetune_commands_default_to_their_recipes(kind: str) -> None:
    """Each `shopmate finetune` option defaults to its training config's value, so the
    command and a script calling train_* with the config's defaults train the same recipe."""
    import dataclasses
    import inspect

    from finetune.generator_config import GeneratorTrainConfig
    from finetune.judge_config import JudgeTrainConfig
    from shopmate import cli_qa

    command, config = {
        "matcher": (cli_qa.finetune_matcher, MatcherTrainConfig),
        "judge": (cli_qa.finetune_judge, JudgeTrainConfig),
        "generator": (cli_qa.finetune_generator, GeneratorTrainConfig),
    }[kind]
    recipe = {
        f.name: f.default
        for f in dataclasses.fields(config)
        if f.default is not dataclasses.MISSING
    }
    options = inspect.signature(command).parameters
    # the CLI writes artifacts under var/models/qa/; the judge's epochs default is None
    # (1 from --kb/--train, 10 with --from-shop) and is checked by the judge's own tests
    skip = {"out", "epochs"} if kind == "judge" else {"out"}
    shared = sorted((set(recipe) & set(options)) - skip)
    assert len(shared) >= 8, shared  # the recipe's knobs are options
    parse = {"passage_mix": cli_qa._weights}  # given as text: "0.6,0.2,0.2"
    for name in shared:
        assert parse.get(name, lambda v: v)(options[name].default) == recipe[name], name
    if kind == "generator":  # --rank sets alpha to twice the rank, as the recipe has it
        assert 2 * options["rank"].default == recipe["alpha"]


def test_no_generate_needs_no_generator_adapter(tmp_path: Path) -> None:
    """`eval qa --no-generate` scores matcher and judge even where no generator was trained."""
    from finetune.qa_eval import QAEvaluator

    for part in ("matcher", "judge"):
        (tmp_path / part / "model").mkdir(parents=True)
    QAEvaluator(tmp_path, None, tmp_path / "embedder")  # no generator asked: no complaint
    with pytest.raises(ValueError, match="lacks generator"):
        QAEvaluator(tmp_path, tmp_path / "llm", tmp_path / "embedder")
