"""The judge's training recipe, apart from its training code so that the CLI can show and
use the same defaults without importing the training stack at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class JudgeTrainConfig:
    kb: Path  # kb.jsonl the questions cite
    train: Path  # questions with evidence_ids
    # starting weights, a sentence-transformers folder plus a fresh score head (the CLI: MiniLM)
    base: Path
    # bi-encoder that mines dense negatives; the fusion is fitted on its cosines, so the bot
    # must embed with it (the CLI: the shop's embedder, MiniLM, or --matcher)
    matcher: Path
    out: Path = Path("var/models/judge")  # artifact folder
    epochs: float = 1.0
    max_steps: int = -1  # stop after this many optimizer steps (-1: epochs decide)
    batch_size: int = 16  # listwise: rows of (question, evidence, negatives)
    lr: float = 2e-4
    warmup: float = 0.1
    max_length: int = 64  # tokens per (question, passage) pair (hetPQA pairs: ~40 median)
    freeze_layers: int = 2  # embeddings and this many bottom layers stay frozen (-1: none)
    same_product_negatives: int = 3  # per question: its own product's non-evidence passages
    dense_negatives: int = 1  # per question, from the matcher's top 10
    bm25_negatives: int = 0  # per question
    max_pairs: int = 0  # subsample the training rows (pairs for bce) for CPU (0: all)
    holdout: float = 0.1  # share of questions held out for AUC, the fusion and the threshold
    rerank_depth: int = 20  # candidates the judge reranks (calibration mirrors serving)
    answer_precision: float = 0.8  # answered questions must have gold evidence on top this often
    answer_confidence: float = 0.9  # ... with this confidence (Clopper-Pearson; 0: point estimate)
    # negatives only among passages that are also some training question's evidence: a passage
    # seen only as a negative gets a low prior of its own, which then hurts unseen questions
    # whose evidence it is (every passage is seen as positive as often as it is cited)
    balanced_negatives: bool = True
    # "listwise": each question's evidence against its negatives (+ `in_batch_negatives` other
    # questions' evidence) in one softmax, so a fresh head cannot settle on the base rate;
    # "bce": every pair labelled 1/0 on its own
    loss: str = "listwise"
    in_batch_negatives: int = 1
    seed: int = 0
