"""Fine-tuning the answerability judge: a cross-encoder initialised from MiniLM's weights.

Pairs: each training question with its evidence passages (label 1) and with passages
that a retriever ranks high but that are not its evidence (label 0): BM25 negatives
and dense negatives from the matcher, so the judge learns exactly the mistakes it will
have to catch in serving. sentence-transformers' CrossEncoderTrainer with binary
cross-entropy. On the held-out questions it measures ROC-AUC before and after and
calibrates the answer threshold: the lowest best-passage score at which the top
reranked passage is gold evidence at least `answer_precision` of the time.

    path = train_judge(JudgeTrainConfig(kb=Path("kb.jsonl"), train=Path("train.jsonl")))
    AnswerabilityJudge.load(path)

Artifact: model/ (cross-encoder folder), config.json, metrics.json (loss, holdout AUC
before/after, answer_threshold, train_s).
"""

from __future__ import annotations

import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from finetune.matcher import _parent, finish_artifact, rank
from finetune.qa_data import QAData, QAExample, bm25_negatives
from finetune.qa_metrics import roc_auc
from retrieval.chunking import Passage

log = logging.getLogger(__name__)

ScorePairs = Callable[[list[tuple[str, str]]], np.ndarray]


@dataclass
class JudgeTrainConfig:
    kb: Path  # kb.jsonl the questions cite
    train: Path  # questions with evidence_ids
    out: Path = Path("var/models/judge")  # artifact folder
    base: Path | None = None  # starting weights (default: MiniLM, plus a fresh score head)
    matcher: Path | None = None  # bi-encoder that mines dense negatives (default: MiniLM)
    epochs: float = 1.0
    max_steps: int = -1  # stop after this many optimizer steps (-1: epochs decide)
    batch_size: int = 32
    lr: float = 5e-5
    warmup: float = 0.1
    max_length: int = 128  # tokens per (question, passage) pair (hetPQA pairs: ~40 median)
    bm25_negatives: int = 1  # per question
    dense_negatives: int = 2  # per question, from the matcher's top 10
    max_pairs: int = 4800  # subsample the training pairs (CPU budget; 0: all)
    holdout: float = 0.1  # share of questions held out for AUC and the threshold
    rerank_depth: int = 20  # candidates the judge reranks (calibration mirrors serving)
    answer_precision: float = 0.8  # answered questions must have gold evidence on top this often
    # negatives only among passages that are also some training question's evidence: a passage
    # seen only as a negative gets a low prior of its own, which then hurts unseen questions
    # whose evidence it is (every passage is seen as positive as often as it is cited)
    balanced_negatives: bool = True
    seed: int = 0


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


def calibrate_answer_threshold(
    best: np.ndarray, top_is_gold: np.ndarray, precision: float, min_support: int = 10
) -> tuple[float, dict[str, Any]]:
    """Lowest best-passage score above which the top passage is gold `precision` of the time.

    When no threshold reaches it, the one with the best accuracy of "answer iff top is gold".
    """
    order = np.argsort(-best)
    hits = np.cumsum(top_is_gold[order])
    n = np.arange(1, len(order) + 1)
    ok = [i for i in range(len(order)) if n[i] >= min_support and hits[i] / n[i] >= precision]
    if ok:
        i = max(ok)
        return float(best[order[i]]), {
            "rule": f"precision >= {precision}",
            "precision": float(hits[i] / n[i]),
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


def holdout_report(
    score: ScorePairs,
    held: Sequence[QAExample],
    rankings: Sequence[Sequence[str]],
    by_id: dict[str, Passage],
) -> tuple[float, np.ndarray, np.ndarray]:
    """(AUC of gold vs retrieved top-10 non-gold, best score per question, top-is-gold per question).

    Every (question, passage) pair is scored once, in one batch.
    """
    keys = [
        (i, p)
        for i, (q, r) in enumerate(zip(held, rankings, strict=True))
        for p in dict.fromkeys([*q.evidence_ids, *r])
    ]
    s = score([(held[i].question, by_id[p].text) for i, p in keys])
    scored = dict(zip(keys, s.tolist(), strict=True))
    auc_scores, auc_labels, best, top_gold = [], [], [], []
    for i, (q, ranked) in enumerate(zip(held, rankings, strict=True)):
        gold = set(q.evidence_ids)
        for p in dict.fromkeys([*q.evidence_ids, *ranked[:10]]):
            auc_scores.append(scored[(i, p)])
            auc_labels.append(int(p in gold))
        cand = [scored[(i, p)] for p in ranked]
        best.append(max(cand))
        top_gold.append(ranked[int(np.argmax(cand))] in gold)
    return roc_auc(auc_scores, auc_labels), np.array(best), np.array(top_gold)


def train_judge(cfg: JudgeTrainConfig, progress: bool = True) -> Path:
    """Fine-tune the cross-encoder and write the artifact folder; returns it."""
    from datasets import Dataset
    from sentence_transformers import CrossEncoder, SentenceTransformer
    from sentence_transformers.cross_encoder import (
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    from shopmate.models import minilm_path

    if cfg.bm25_negatives < 0 or cfg.dense_negatives < 0:
        raise ValueError("bm25_negatives and dense_negatives must be >= 0")
    data = QAData.load(cfg.kb, cfg.train)
    train_q, held = data.split(cfg.holdout, cfg.seed)
    by_id = data.by_id

    bi = SentenceTransformer(str(cfg.matcher or minilm_path()), device="cpu", local_files_only=True)

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            bi.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False),
            dtype=np.float32,
        )

    dense = rank(encode, [*train_q, *held], data.passages, k=max(cfg.rerank_depth, 10))
    dense_train, dense_held = dense[: len(train_q)], dense[len(train_q) :]
    allowed = {e for q in train_q for e in q.evidence_ids} if cfg.balanced_negatives else None
    bm25 = (
        bm25_negatives(data.passages, train_q, cfg.bm25_negatives, seed=cfg.seed, allowed=allowed)
        if cfg.bm25_negatives
        else {}
    )
    negs = []
    for q, ranked in zip(train_q, dense_train, strict=True):
        gold = set(q.evidence_ids)
        picked = [p for p in ranked if p not in gold and (allowed is None or p in allowed)]
        picked = picked[: cfg.dense_negatives]
        picked += [p for p in bm25.get(q.id, []) if p not in picked]
        negs.append(picked)
    pairs, labels = judge_pairs(train_q, negs, by_id)
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
    import torch

    torch.manual_seed(cfg.seed)  # the fresh score head: same seed, same judge
    model = CrossEncoder(
        str(cfg.base or minilm_path()),
        num_labels=1,
        max_length=cfg.max_length,
        device="cpu",
        local_files_only=True,
    )

    def score(batch: list[tuple[str, str]]) -> np.ndarray:
        return np.asarray(
            model.predict(batch, batch_size=64, show_progress_bar=False, convert_to_numpy=True),
            dtype=np.float32,
        ).reshape(-1)

    metrics: dict[str, Any] = {
        "n_pairs": len(pairs),
        "n_trained_pairs": len(rows),
        "positives": int(sum(y for _, y in rows)),
    }
    if held:
        metrics["holdout_auc_before"] = holdout_report(
            score, held, [r[:10] for r in dense_held], by_id
        )[0]
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
            logging_steps=max(1, len(rows) // cfg.batch_size // 20),
            logging_first_step=True,
            disable_tqdm=not progress,
            use_cpu=True,
            seed=cfg.seed,
            dataloader_pin_memory=False,
        )
        trainer = CrossEncoderTrainer(
            model=model, args=args, train_dataset=dataset, loss=BinaryCrossEntropyLoss(model)
        )
        t0 = time.perf_counter()
        trainer.train()
        metrics["train_s"] = round(time.perf_counter() - t0, 1)
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        metrics["loss_first"], metrics["loss_last"] = losses[0], losses[-1]
        metrics["steps"] = trainer.state.global_step
        shutil.rmtree(tmp / "trainer", ignore_errors=True)
        threshold, details = 0.5, {"rule": "default (no holdout)"}
        if held:
            auc, best, top_gold = holdout_report(
                score, held, [r[: cfg.rerank_depth] for r in dense_held], by_id
            )
            metrics["holdout_auc_after"] = auc
            threshold, details = calibrate_answer_threshold(best, top_gold, cfg.answer_precision)
        metrics["answer_threshold"], metrics["answer_calibration"] = threshold, details
        model.save(str(tmp / "model"))
        finish_artifact(tmp, cfg, metrics)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("judge written to %s: %s", cfg.out, metrics)
    return cfg.out
