"""The matcher's training recipe, apart from its training code so that the CLI can show and
use the same defaults without importing the training stack at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class MatcherTrainConfig:
    kb: Path  # kb.jsonl the questions cite
    train: Path  # questions with evidence_ids (and answers, for reuse calibration)
    base: Path  # sentence-transformers folder to start from (the CLI: MiniLM)
    out: Path = Path("var/models/matcher")  # artifact folder
    epochs: float = 4.0  # passes over the pairs (hetPQA, 2 cores: 9.6 min)
    max_steps: int = -1  # stop after this many optimizer steps (-1: epochs decide)
    # in-batch negatives: bigger is harder and more global (hetPQA held out: 32 -> 128 with
    # lr 1e-4, 2 epochs, nothing but the embeddings frozen lifted MRR@10 +0.006 -> +0.023;
    # 256 was no better)
    batch_size: int = 128
    lr: float = 1e-4
    warmup: float = 0.1  # share of the steps with a linear warm-up
    max_seq_length: int = 64  # tokens per text while training (CPU); serving keeps the base's
    negatives: int = 0  # BM25 hard negatives per pair (0: in-batch negatives only)
    negatives_other_products: bool = True  # never a passage of the question's own product
    # per pair, the question's own product's non-evidence passages come first (most words
    # shared first), then BM25's: negatives that surely do not answer it
    own_product_negatives: bool = False
    answer_pairs: bool = False  # also learn (question, reference answer) pairs
    freeze_layers: int = 0  # embeddings and this many bottom layers stay frozen (CPU saver)
    max_pairs: int = 0  # subsample the training pairs to this many (0: all)
    holdout: float = 0.1  # share of questions held out for metrics and calibration
    seed: int = 0
    reuse_precision: float = 0.8  # a reused answer must be right this often on the holdout
    reuse_min_f1: float = 0.5  # ... where "right" is token-F1 >= this against the reference
