"""Fine-tuning the matcher: MiniLM trained contrastively on (question, evidence passage) pairs.

sentence-transformers' trainer with MultipleNegativesRankingLoss: each question must
score its evidence passage above the other passages of the batch and, with `negatives`
> 0, above hard negatives mined with BM25 (passages sharing its words that are not its
evidence). The default recipe uses none: on hetPQA's held-out questions a BM25 negative
from another product added nothing (2 epochs: MRR@10 0.346 with one, 0.345 without) at
1.6x the time per step, and the time it saves buys more epochs (4 epochs without: 0.350;
dev 0.308 -> 0.363). Negatives the encoder itself ranks high, or from the question's own
product, made it worse (docs/benchmarks.md, "Fine-tuned QA", Sessions 4 and 9).
A fixed share of the training questions is held out: it measures MRR@10 before and
after, and calibrates the threshold above which a past answer is reused as is.

    minilm = minilm_path()  # shopmate.models: the packaged MiniLM folder (the CLI passes it)
    path = train_matcher(MatcherTrainConfig(kb=Path("kb.jsonl"), train=Path("train.jsonl"), base=minilm))
    Embedder(path / "model")   # serves like any sentence-transformers folder

Artifact: model/ (sentence-transformers folder), history.jsonl (the past Q/A pairs
it may reuse), config.json, metrics.json (loss, holdout MRR@10 before/after,
reuse_threshold, train_s).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from finetune.matcher_config import MatcherTrainConfig
from finetune.qa_data import QAData, QAExample, bm25_negatives, distractors
from finetune.qa_metrics import token_f1
from retrieval.chunking import Passage
from retrieval.evaluation import recall_at_k, reciprocal_rank

log = logging.getLogger(__name__)

Encode = Callable[[list[str]], np.ndarray]


def rank(
    encode: Encode,
    questions: Sequence[QAExample],
    passages: Sequence[Passage],
    k: int = 10,
    product_scope: bool = False,
) -> list[list[str]]:
    """Top-k passage ids per question by cosine (exact search over the whole kb or the product)."""
    pv = encode([p.text for p in passages])
    qv = encode([q.question for q in questions])
    sims = qv @ pv.T
    ids = np.array([p.id for p in passages])
    products = np.array([p.product_id or "" for p in passages])
    out = []
    for i, q in enumerate(questions):
        s = sims[i].copy()
        if product_scope:
            s[products != (q.product_id or "")] = -np.inf
        top = np.argsort(-s, kind="stable")[:k]
        out.append([str(x) for x in ids[top[np.isfinite(s[top])]]])
    return out


def retrieval_scores(rankings: list[list[str]], questions: Sequence[QAExample]) -> dict[str, float]:
    gold = [q.evidence_ids for q in questions]
    return {
        "mrr@10": float(
            np.mean([reciprocal_rank(r, g, 10) for r, g in zip(rankings, gold, strict=True)])
        ),
        "recall@5": float(
            np.mean([recall_at_k(r, g, 5) for r, g in zip(rankings, gold, strict=True)])
        ),
    }


def calibrate_reuse(
    encode: Encode,
    history: Sequence[QAExample],
    held: Sequence[QAExample],
    precision: float,
    min_f1: float,
    min_support: int = 5,
) -> tuple[float, dict[str, Any]]:
    """Lowest similarity at which the best past answer is right at least `precision` of the time.

    Returns (threshold, details); 1.0 (only an identical question) when no threshold reaches it.
    """
    history = [h for h in history if h.answer]
    held = [q for q in held if q.answers]
    if not history or not held:
        return 1.0, {"reason": "no past answers or no held-out references"}
    hv = encode([h.question for h in history])
    qv = encode([q.question for q in held])
    sims = qv @ hv.T
    best = sims.argmax(axis=1)
    top = sims[np.arange(len(held)), best]
    right = np.array(
        [token_f1(history[b].answer, q.answers) >= min_f1 for q, b in zip(held, best, strict=True)]
    )
    order = np.argsort(-top)
    hits = np.cumsum(right[order])
    n = np.arange(1, len(order) + 1)
    ok = [i for i in range(len(order)) if n[i] >= min_support and hits[i] / n[i] >= precision]
    if not ok:
        return 1.0, {"reason": f"no threshold reached precision {precision}", "n_held": len(held)}
    i = max(ok)
    return float(top[order[i]]), {
        "precision": float(hits[i] / n[i]),
        "coverage": float(n[i] / len(held)),
        "n_held": len(held),
    }


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def train_matcher(cfg: MatcherTrainConfig, progress: bool = True) -> Path:
    """Fine-tune the bi-encoder and write the artifact folder; returns it."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    if cfg.batch_size < 2:
        raise ValueError(f"batch_size must be >= 2 (in-batch negatives), got {cfg.batch_size}")
    if cfg.negatives < 0:
        raise ValueError(f"negatives must be >= 0, got {cfg.negatives}")
    if cfg.own_product_negatives and not cfg.negatives:
        raise ValueError("own_product_negatives needs negatives >= 1 (hard negatives per pair)")
    data = QAData.load(cfg.kb, cfg.train)
    train_q, held = data.split(cfg.holdout, cfg.seed)
    by_id = data.by_id
    negs: dict[str, list[str]] = {}
    if cfg.negatives:
        negs = bm25_negatives(
            data.passages,
            train_q,
            cfg.negatives,
            seed=cfg.seed,
            other_products=cfg.negatives_other_products,
        )
        if cfg.own_product_negatives:
            own = distractors(data.passages, train_q, cfg.negatives, seed=cfg.seed)
            negs = {q.id: own.get(q.id) or negs[q.id] for q in train_q}
    rows: dict[str, list[str]] = {"anchor": [], "positive": []}
    for i in range(cfg.negatives):
        rows[f"negative_{i + 1}"] = []
    for q in train_q:
        positives = [by_id[e].text for e in q.evidence_ids]
        if cfg.answer_pairs and q.answer:
            positives.append(q.answer)
        for text in positives:
            rows["anchor"].append(q.question)
            rows["positive"].append(text)
            for i in range(cfg.negatives):
                rows[f"negative_{i + 1}"].append(by_id[negs[q.id][i]].text)
    n_pairs = len(rows["anchor"])
    dataset = Dataset.from_dict(rows).shuffle(seed=cfg.seed)
    if cfg.max_pairs and n_pairs > cfg.max_pairs:
        dataset = dataset.select(range(cfg.max_pairs))

    model = SentenceTransformer(str(cfg.base), device="cpu", local_files_only=True)
    serve_seq_length = model.max_seq_length  # training is cut short for CPU; serving is not
    model.max_seq_length = cfg.max_seq_length
    if cfg.freeze_layers >= 0:
        bert: Any = model[0].auto_model
        for p in bert.embeddings.parameters():
            p.requires_grad = False
        for layer in bert.encoder.layer[: cfg.freeze_layers]:
            for p in layer.parameters():
                p.requires_grad = False

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            model.encode(
                texts,
                batch_size=64,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )

    metrics: dict[str, Any] = {"n_pairs": n_pairs, "n_trained_pairs": len(dataset)}
    if held:
        model.max_seq_length = serve_seq_length
        metrics["holdout_before"] = retrieval_scores(rank(encode, held, data.passages), held)
        model.max_seq_length = cfg.max_seq_length

    tmp = Path(tempfile.mkdtemp(prefix=".matcher-", dir=_parent(cfg.out)))
    try:
        args = SentenceTransformerTrainingArguments(
            output_dir=str(tmp / "trainer"),
            num_train_epochs=cfg.epochs,
            max_steps=cfg.max_steps,
            per_device_train_batch_size=cfg.batch_size,
            learning_rate=cfg.lr,
            warmup_steps=cfg.warmup,
            batch_sampler=BatchSamplers.NO_DUPLICATES,
            save_strategy="no",
            report_to="none",
            logging_steps=max(1, len(dataset) // cfg.batch_size // 20),
            logging_first_step=True,
            disable_tqdm=not progress,
            use_cpu=True,
            seed=cfg.seed,
            dataloader_pin_memory=False,
        )
        trainer = SentenceTransformerTrainer(
            model=model,
            args=args,
            train_dataset=dataset,
            loss=MultipleNegativesRankingLoss(model),
        )
        t0 = time.perf_counter()
        trainer.train()
        metrics["train_s"] = round(time.perf_counter() - t0, 1)
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        metrics["loss_first"], metrics["loss_last"] = losses[0], losses[-1]
        metrics["steps"] = trainer.state.global_step
        shutil.rmtree(tmp / "trainer", ignore_errors=True)
        model.max_seq_length = serve_seq_length
        if held:
            metrics["holdout_after"] = retrieval_scores(rank(encode, held, data.passages), held)
        threshold, details = calibrate_reuse(
            encode, train_q, held, cfg.reuse_precision, cfg.reuse_min_f1
        )
        metrics["reuse_threshold"], metrics["reuse_calibration"] = threshold, details
        model.save(str(tmp / "model"))
        _write_jsonl(
            tmp / "history.jsonl",
            [
                {"id": q.id, "question": q.question, "answer": q.answer, "product_id": q.product_id}
                for q in train_q
                if q.answer
            ],
        )
        finish_artifact(tmp, cfg, metrics)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("matcher written to %s: %s", cfg.out, metrics)
    return cfg.out


def _parent(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return out.parent


def finish_artifact(tmp: Path, cfg: Any, metrics: dict[str, Any]) -> None:
    """Write metrics.json and config.json (a dataclass config) into `tmp`, then move it to
    cfg.out in place of any earlier artifact."""
    (tmp / "metrics.json").write_text(json.dumps(metrics, indent=1))
    (tmp / "config.json").write_text(
        json.dumps({k: str(v) for k, v in asdict(cfg).items()}, indent=1)
    )
    replace_dir(tmp, cfg.out)


def replace_dir(tmp: Path, out: Path) -> None:
    """Move a finished artifact into place (never a half-written folder at `out`)."""
    if out.exists():
        old = out.with_name(out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)
