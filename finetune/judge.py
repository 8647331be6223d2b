"""Fine-tuning the answerability judge: a cross-encoder initialised from MiniLM's weights.

Pairs: each training question with its evidence passages (label 1) and with passages
that are not its evidence (label 0): the other passages of the question's own product
(what only the text can decide: same product, does it answer?), plus dense negatives
from the matcher and BM25 negatives. sentence-transformers' CrossEncoderTrainer with
binary cross-entropy. On the held-out questions it measures ROC-AUC before and after,
fits how the logit is fused with "the passage is about the question's product"
(finetune/judge_fusion.py: retrieved passages of other products often answer the same
kind of question, which text alone cannot tell), and calibrates the answer threshold:
the lowest answer-gate score at which the top reranked passage is gold evidence at
least `answer_precision` of the time, with `answer_confidence` (a lower confidence
bound, so the promise holds on questions the judge has not seen).

    minilm = minilm_path()  # shopmate.models: the packaged MiniLM folder (the CLI passes it)
    cfg = JudgeTrainConfig(kb=Path("kb.jsonl"), train=Path("train.jsonl"), base=minilm, matcher=minilm)
    path = train_judge(cfg)
    AnswerabilityJudge.load(path)

Artifact: model/ (cross-encoder folder), fusion.json, config.json, metrics.json (loss,
holdout AUCs before/after, answer_threshold, train_s).
"""

from __future__ import annotations

import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.judge import FUSION_FILE
from finetune.judge_config import JudgeTrainConfig
from finetune.judge_data import judge_pairs, listwise_rows, mine_negatives
from finetune.judge_fusion import cross_fitted, fit_fusion, fit_gate
from finetune.matcher import _parent, finish_artifact, rank
from finetune.qa_data import QAData, QAExample, bm25_negatives
from finetune.qa_metrics import roc_auc
from retrieval.chunking import Passage

log = logging.getLogger(__name__)

ScorePairs = Callable[[list[tuple[str, str]]], np.ndarray]  # raw logits


def precision_lower_bound(hits: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    """One-sided Clopper-Pearson lower bound on a precision of `hits` out of `n`: the true
    precision is at least this with probability `confidence` (0: the point estimate)."""
    if confidence <= 0:
        return hits / n
    from scipy.stats import beta

    return np.where(hits > 0, beta.ppf(1 - confidence, hits, n - hits + 1), 0.0)


def calibrate_answer_threshold(
    best: np.ndarray,
    top_is_gold: np.ndarray,
    precision: float,
    min_support: int = 10,
    confidence: float = 0.9,
) -> tuple[float, dict[str, Any]]:
    """Lowest best-passage score above which the top passage is gold `precision` of the
    time, with `confidence`: the Clopper-Pearson lower bound of the held-out precision above
    the threshold must reach the target, not only its point estimate. The lowest threshold
    whose point estimate reaches the target is the most lenient of many cuts tried on the
    same questions, so new questions fall short of it about half the time or more; the
    bound keeps the promise on questions the judge has not seen (confidence 0: point
    estimate, as before).

    When no threshold reaches it, the one with the best accuracy of "answer iff top is gold".
    """
    order = np.argsort(-best)
    hits = np.cumsum(top_is_gold[order])
    n = np.arange(1, len(order) + 1)
    bound = precision_lower_bound(hits.astype(float), n.astype(float), confidence)
    ok = [i for i in range(len(order)) if n[i] >= min_support and bound[i] >= precision]
    if ok:
        i = max(ok)
        return float(best[order[i]]), {
            "rule": f"precision >= {precision}"
            + (f" with {confidence:.0%} confidence" if confidence > 0 else ""),
            "precision": float(hits[i] / n[i]),
            "precision_lower_bound": float(bound[i]),
            "answered": float(n[i] / len(best)),
        }
    acc = [
        (hits[i] + (len(best) - n[i]) - (hits[-1] - hits[i])) / len(best) for i in range(len(best))
    ]
    i = int(np.argmax(acc))
    return float(best[order[i]]), {
        "rule": "best accuracy (precision target unreachable)",
        "precision": float(hits[i] / n[i]),
        "answered": float(n[i] / len(best)),
    }


@dataclass
class HeldOut:
    """Every held-out (question, passage) pair the report needs, scored once."""

    held: Sequence[QAExample]
    rankings: Sequence[Sequence[str]]  # dense top `rerank_depth` per question
    by_id: dict[str, Passage]
    product_passages: dict[str, list[str]]
    cosine: dict[tuple[int, str], float] = field(default_factory=dict)  # of every key, to fuse

    def keys(self) -> list[tuple[int, str]]:
        out: dict[tuple[int, str], None] = {}
        for i, (q, r) in enumerate(zip(self.held, self.rankings, strict=True)):
            for p in [*q.evidence_ids, *r, *self.own(i)]:
                out[(i, p)] = None
        return list(out)

    def own(self, i: int) -> list[str]:
        """The passages of held-out question i's product."""
        return self.product_passages.get(self.held[i].product_id or "", [])

    def same(self, i: int, p: str) -> bool:
        q = self.held[i].product_id
        return q is not None and self.by_id[p].product_id == q

    def report(self, score: ScorePairs, fuse: bool) -> dict[str, Any]:
        """AUCs: `auc` (logit alone, gold vs the dense top-10 non-gold, as `eval qa` global),
        `auc_product` (logit alone, gold vs the other passages of its product, as `eval qa
        --scope product`), `auc_fused` (fused with same-product and the cosine, cross-fitted
        over 2 folds of questions, on the `auc` pairs); with `fuse`, also the fusion fitted
        on every pair (so it learns to choose within a product too) with its answer gate."""
        keys = self.keys()
        s = score([(self.held[i].question, self.by_id[p].text) for i, p in keys])
        logit = dict(zip(keys, s.tolist(), strict=True))
        glob = [
            (i, p)
            for i, (q, r) in enumerate(zip(self.held, self.rankings, strict=True))
            for p in dict.fromkeys([*q.evidence_ids, *r[:10]])
        ]
        prod = [
            (i, p)
            for i, q in enumerate(self.held)
            for p in dict.fromkeys([*q.evidence_ids, *self.own(i)])
        ]

        def label(i: int, p: str) -> int:
            return int(p in self.held[i].evidence_ids)

        out: dict[str, Any] = {"auc": roc_auc([logit[k] for k in glob], [label(*k) for k in glob])}
        py = [label(*k) for k in prod]
        if 0 < sum(py) < len(py):
            out["auc_product"] = roc_auc([logit[k] for k in prod], py)
        if not fuse:
            return out
        x = np.array([logit[k] for k in keys])
        y = np.array([label(*k) for k in keys])
        same = np.array([self.same(*k) for k in keys], dtype=float)
        cos = np.array([self.cosine[k] for k in keys])
        groups = np.array([i for i, _ in keys])
        crossed = dict(
            zip(keys, cross_fitted(x, same, y, groups, cosine=cos).tolist(), strict=True)
        )
        out["auc_fused"] = roc_auc([crossed[k] for k in glob], [label(*k) for k in glob])
        fusion = fit_fusion(x, same, y, cos)
        # per question, the best candidate's probability, the runner-up's and whether the
        # best is gold, for the answer gate and its threshold. Product known: twice, over
        # the retrieved candidates (the bot's case: its retriever searches the whole shop)
        # and over those plus the product's own passages (a search within the product);
        # product unknown: over the retrieved ones
        gate: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for key, known in (("", True), ("_text", False)):
            best, second, top_gold = [], [], []
            for i, (q, r) in enumerate(zip(self.held, self.rankings, strict=True)):
                sets = [list(r), list(dict.fromkeys([*r, *self.own(i)]))] if known else [list(r)]
                for cand in sets:
                    flags = np.array([self.same(i, p) for p in cand]) if known else None
                    p_ans = fusion.apply(
                        np.array([logit[(i, p)] for p in cand]),
                        flags,
                        np.array([self.cosine[(i, p)] for p in cand]),
                    )
                    order = np.argsort(-p_ans, kind="stable")
                    best.append(float(p_ans[order[0]]))
                    second.append(float(p_ans[order[1]]) if len(order) > 1 else 0.0)
                    top_gold.append(cand[int(order[0])] in q.evidence_ids)
            gate[key] = (np.array(best), np.array(second), np.array(top_gold))
        fusion = fit_gate(fusion, gate[""], gate["_text"])
        out["fusion"] = fusion
        for key, (b1, b2, gold) in gate.items():
            conf = [fusion.confidence(b, r, key == "") for b, r in zip(b1, b2, strict=True)]
            out["best" + key], out["top_gold" + key] = np.array(conf), gold
        return out


def _bi_encoder(path: Path) -> Callable[[list[str]], np.ndarray]:
    """Unit vectors from the matcher that ranks the candidates."""
    from sentence_transformers import SentenceTransformer

    bi = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            bi.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False),
            dtype=np.float32,
        )

    return encode


def _logits(model: Any) -> ScorePairs:
    """The cross-encoder's raw scores of (question, passage) pairs."""
    import torch

    def score(batch: list[tuple[str, str]]) -> np.ndarray:
        return np.asarray(
            model.predict(
                batch,
                batch_size=64,
                show_progress_bar=False,
                activation_fn=torch.nn.Identity(),
                convert_to_numpy=True,
            ),
            dtype=np.float32,
        ).reshape(-1)

    return score


def _heldout(
    held: Sequence[QAExample],
    dense: Sequence[Sequence[str]],
    data: QAData,
    depth: int,
    encode: Callable[[list[str]], np.ndarray],
) -> HeldOut:
    """The held-out questions with their top `depth` candidates and every product's passages,
    and the matcher's cosine of each pair (a feature of the fusion)."""
    product_passages: dict[str, list[str]] = {}
    for p in data.passages:
        product_passages.setdefault(p.product_id or "", []).append(p.id)
    out = HeldOut(held, [r[:depth] for r in dense], data.by_id, product_passages)
    keys = out.keys()
    if keys:
        ids = list(dict.fromkeys(p for _, p in keys))
        pv = dict(zip(ids, encode([data.by_id[p].text for p in ids]), strict=True))
        qv = encode([q.question for q in held])
        out.cosine = {(i, p): float(qv[i] @ pv[p]) for i, p in keys}
    return out


def calibrate(
    heldout: HeldOut, score: ScorePairs, cfg: JudgeTrainConfig, folder: Path
) -> dict[str, Any]:
    """Held-out AUCs, the fusion (written to `folder`) and both answer thresholds: for
    fused scores (the question's product known) and for the logit alone (unknown)."""
    after = heldout.report(score, True)
    after["fusion"].save(folder / FUSION_FILE)
    from retrieval.embedder import Embedder

    metrics: dict[str, Any] = {
        # whose cosines the fusion was fitted on: the bot must embed with the same model
        "cosine_embedder": Embedder(cfg.matcher).fingerprint,
        "holdout_auc_after": after["auc"],
        "holdout_auc_product_after": after.get("auc_product"),
        "holdout_auc_fused_after": after["auc_fused"],
    }
    for key in ("", "_text"):
        threshold, details = calibrate_answer_threshold(
            after["best" + key],
            after["top_gold" + key],
            cfg.answer_precision,
            confidence=cfg.answer_confidence,
        )
        metrics["answer_threshold" + key], metrics["answer_calibration" + key] = threshold, details
    return metrics


def train_judge(cfg: JudgeTrainConfig, progress: bool = True) -> Path:
    """Fine-tune the cross-encoder and write the artifact folder; returns it."""
    from datasets import Dataset
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder import (
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import (
        BinaryCrossEntropyLoss,
        MultipleNegativesRankingLoss,
    )

    if cfg.loss not in ("listwise", "bce"):
        raise ValueError(f"loss must be 'listwise' or 'bce', got {cfg.loss!r}")
    if min(cfg.bm25_negatives, cfg.dense_negatives, cfg.same_product_negatives) < 0:
        raise ValueError("bm25_negatives, dense_negatives and same_product_negatives must be >= 0")
    data = QAData.load(cfg.kb, cfg.train)
    train_q, held = data.split(cfg.holdout, cfg.seed)
    by_id = data.by_id

    encode = _bi_encoder(cfg.matcher)
    dense = rank(encode, [*train_q, *held], data.passages, k=max(cfg.rerank_depth, 10))
    dense_train, dense_held = dense[: len(train_q)], dense[len(train_q) :]
    allowed = {e for q in train_q for e in q.evidence_ids} if cfg.balanced_negatives else None
    bm25 = (
        bm25_negatives(data.passages, train_q, cfg.bm25_negatives, seed=cfg.seed, allowed=allowed)
        if cfg.bm25_negatives
        else {}
    )
    negs = mine_negatives(
        train_q,
        dense_train,
        bm25,
        data.passages,
        cfg.same_product_negatives,
        cfg.dense_negatives,
        allowed,
        cfg.seed,
    )
    pairs, labels = judge_pairs(train_q, negs, by_id)
    if cfg.loss == "listwise":
        dataset, n_rows = listwise_rows(train_q, negs, by_id, cfg.seed, cfg.max_pairs)
        positives = n_rows
    else:
        rows = list(zip(pairs, labels, strict=True))
        random.Random(cfg.seed).shuffle(rows)
        if cfg.max_pairs and len(rows) > cfg.max_pairs:
            rows = rows[: cfg.max_pairs]
        dataset = Dataset.from_dict(
            {
                "question": [p[0] for p, _ in rows],
                "passage": [p[1] for p, _ in rows],
                "label": [float(y) for _, y in rows],
            }
        )
        n_rows, positives = len(rows), int(sum(y for _, y in rows))
    import torch

    torch.manual_seed(cfg.seed)  # the fresh score head: same seed, same judge
    model = CrossEncoder(
        str(cfg.base),
        num_labels=1,
        max_length=cfg.max_length,
        device="cpu",
        local_files_only=True,
    )
    if cfg.freeze_layers >= 0:  # the embeddings' optimizer state is most of a CPU step
        bert: Any = model[0].auto_model.bert
        for p in bert.embeddings.parameters():
            p.requires_grad = False
        for layer in bert.encoder.layer[: cfg.freeze_layers]:
            for p in layer.parameters():
                p.requires_grad = False

    score = _logits(model)
    metrics: dict[str, Any] = {
        "n_pairs": len(pairs),
        "n_trained_rows": n_rows,
        "positives": positives,
    }
    heldout = _heldout(held, dense_held, data, cfg.rerank_depth, encode)
    if held:
        before = HeldOut(held, [r[:10] for r in dense_held], by_id, {}).report(score, False)
        metrics["holdout_auc_before"] = before["auc"]
    tmp = Path(tempfile.mkdtemp(prefix=".judge-", dir=_parent(cfg.out)))
    try:
        args = CrossEncoderTrainingArguments(
            output_dir=str(tmp / "trainer"),
            num_train_epochs=cfg.epochs,
            max_steps=cfg.max_steps,
            per_device_train_batch_size=cfg.batch_size,
            learning_rate=cfg.lr,
            warmup_steps=cfg.warmup,
            save_strategy="no",
            report_to="none",
            logging_steps=max(1, n_rows // cfg.batch_size // 20),
            logging_first_step=True,
            disable_tqdm=not progress,
            use_cpu=True,
            seed=cfg.seed,
            dataloader_pin_memory=False,
        )
        loss: Any = (
            MultipleNegativesRankingLoss(model, num_negatives=cfg.in_batch_negatives)
            if cfg.loss == "listwise"
            else BinaryCrossEntropyLoss(model)
        )
        trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=loss)
        t0 = time.perf_counter()
        trainer.train()
        metrics["train_s"] = round(time.perf_counter() - t0, 1)
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        metrics["loss_first"], metrics["loss_last"] = losses[0], losses[-1]
        metrics["steps"] = trainer.state.global_step
        shutil.rmtree(tmp / "trainer", ignore_errors=True)
        if held:
            metrics.update(calibrate(heldout, score, cfg, tmp))
        else:
            for key in ("", "_text"):
                metrics["answer_threshold" + key] = 0.5
                metrics["answer_calibration" + key] = {"rule": "default (no holdout)"}
        model.save(str(tmp / "model"))
        finish_artifact(tmp, cfg, metrics)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("judge written to %s: %s", cfg.out, metrics)
    return cfg.out


def recalibrate_judge(cfg: JudgeTrainConfig) -> dict[str, Any]:
    """Refit the fusion and both answer thresholds of the judge artifact at `cfg.out` on
    its held-out questions (the same split, matcher and depth as training), without
    retraining; metrics.json and fusion.json are updated in place. For artifacts trained
    before the logit-only threshold existed."""
    import json

    from sentence_transformers import CrossEncoder

    if not (cfg.out / "model").is_dir():
        raise ValueError(f"{cfg.out} is not a judge artifact (no model/ folder)")
    data = QAData.load(cfg.kb, cfg.train)
    _, held = data.split(cfg.holdout, cfg.seed)
    if not held:
        raise ValueError("recalibrating needs held-out questions (holdout > 0)")
    encode = _bi_encoder(cfg.matcher)
    dense = rank(encode, held, data.passages, k=max(cfg.rerank_depth, 10))
    model = CrossEncoder(str(cfg.out / "model"), device="cpu", local_files_only=True)
    heldout = _heldout(held, dense, data, cfg.rerank_depth, encode)
    score = _logits(model)
    tmp = Path(tempfile.mkdtemp(prefix=".judge-cal-", dir=_parent(cfg.out)))
    try:
        found = calibrate(heldout, score, cfg, tmp)
        path = cfg.out / "metrics.json"
        metrics = {**(json.loads(path.read_text()) if path.exists() else {}), **found}
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=1))
        for name in (FUSION_FILE, "metrics.json"):  # each file is replaced whole
            (tmp / name).replace(cfg.out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return metrics
