"""The recommendation benchmark runner: trains what needs training, ranks test.tsv for every model.

    minilm = minilm_path()  # shopmate.models: the packaged MiniLM folder (the CLI passes it)
    report = evaluate_rec(RecEvalConfig(data=Path("../shared/data/rec/scientific"), embedder_path=minilm))
    report.as_dict()  # {"models": {"ours": {"recall@10": …, "train_s": …}, "sasrec": …}}

Protocol (DATASETS.md): every target ranked against ALL items, history excluded,
Recall/NDCG@10 and @50 on test; hyper-parameters (transition window, fusion weights,
early stopping) chosen on valid only. "ours" is scored through RecModel, the class the
shop's Recommender serves with.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from finetune.sasrec import SASRecConfig, load_sasrec, train_sasrec
from finetune.seq_training import rank_rows
from finetune.user_encoder import UserEncoderConfig, train_user_encoder
from recommender.baselines import MeanPool, Popularity, scorer_ranks, select_transitions
from recommender.data import RecData, RecRow, item_vectors, load_rec_data
from recommender.metrics import summarize, target_ranks
from recommender.rec_model import RecModel

log = logging.getLogger(__name__)

MODELS = ("ours", "sasrec", "transitions", "meanpool", "popularity")


@dataclass
class RecEvalConfig:
    data: Path  # recommendation folder (items.tsv, train.tsv, valid.tsv, test.tsv)
    embedder_path: Path  # sentence encoder that embeds the item texts (the CLI: MiniLM)
    out: Path = Path("var/rec-eval")  # trained artifacts go to out/<data folder name>/
    cache_dir: Path | None = Path("var/cache/rec")  # item-vector cache
    models: tuple[str, ...] = MODELS  # which models to run
    members: int = 3  # user encoders in our ensemble
    max_minutes: float = 12.0  # training budget per trained model
    threads: int = 2  # torch CPU threads
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.models) - set(MODELS)
        if unknown:
            raise ValueError(f"unknown models {sorted(unknown)}; choose from {', '.join(MODELS)}")


@dataclass
class ModelResult:
    metrics: dict[str, float]  # recall@10, ndcg@10, recall@50, ndcg@50 on test
    train_s: float  # seconds spent training / fitting (0 for none)
    params: dict[str, Any] = field(default_factory=dict)  # what was chosen on valid


@dataclass
class RecEvalReport:
    data: str
    n_items: int
    n_test: int
    models: dict[str, ModelResult]
    ablation: dict[str, dict[str, float]] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)  # date, cores, threads, load

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "n_items": self.n_items,
            "n_test": self.n_test,
            "models": {
                name: {**r.metrics, "train_s": round(r.train_s, 1)}
                for name, r in self.models.items()
            },
            "params": {name: r.params for name, r in self.models.items()},
            "ablation": self.ablation,
            "env": self.env,
        }


def _rank_model(model: RecModel, data: RecData, vecs: np.ndarray, rows: list[RecRow]) -> np.ndarray:
    cat = model.catalog(data.item_ids, vecs, data.texts)
    out = []
    for i in range(0, len(rows), 1000):
        part = rows[i : i + 1000]
        hist = [r.history for r in part]
        out.append(target_ranks(model.score(cat, hist), [r.target for r in part], hist))
    return np.concatenate(out)


def _recorded_train_s(artifact: Path, fallback: float) -> float:
    """Training time the artifact recorded (a resumed or reused run reports its full cost)."""
    try:
        return float(json.loads((artifact / "metrics.json").read_text())["train_s"])
    except (OSError, KeyError, ValueError):
        return fallback


def evaluate_rec(cfg: RecEvalConfig) -> RecEvalReport:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    load_before = os.getloadavg()
    data = load_rec_data(cfg.data)
    from retrieval.embedder import Embedder

    embedder = Embedder(cfg.embedder_path)
    vecs = item_vectors(data, embedder, cfg.cache_dir, show_progress=cfg.progress)
    work = Path(cfg.out) / Path(cfg.data).resolve().name
    seqs = data.train_sequences()
    results: dict[str, ModelResult] = {}
    ablation: dict[str, dict[str, float]] = {}

    if "ours" in cfg.models:
        t0 = time.perf_counter()
        art = train_user_encoder(
            UserEncoderConfig(
                data=cfg.data,
                out=work / "ours",
                cache_dir=cfg.cache_dir,
                members=cfg.members,
                max_minutes=cfg.max_minutes,
                threads=cfg.threads,
                seed=cfg.seed,
                progress=cfg.progress,
            ),
            data,
            vecs,
        )
        train_s = _recorded_train_s(art, time.perf_counter() - t0)
        model = RecModel.load(art)
        results["ours"] = ModelResult(
            summarize(_rank_model(model, data, vecs, data.test)), train_s, model.fusion_dict()
        )
        f = model.fusion
        variants = {
            "encoders only (dense BERT term)": model.with_fusion(
                replace(f, lex_weight=0.0, trans_weight=0.0)
            ),
            "encoders + lexical": model.with_fusion(replace(f, trans_weight=0.0)),
            "lexical + item-to-item, no encoder": model.with_fusion(replace(f, dense_weight=0.0)),
            "one encoder instead of the ensemble": RecModel(
                model.encoders[:1], model.lexicon, model.transitions, model.item_ids, f
            ),
        }
        for name, variant in variants.items():
            ablation[name] = summarize(_rank_model(variant, data, vecs, data.test))

    if "sasrec" in cfg.models:
        t0 = time.perf_counter()
        path = train_sasrec(
            SASRecConfig(
                data=cfg.data,
                out=work / "sasrec",
                max_minutes=cfg.max_minutes,
                threads=cfg.threads,
                seed=cfg.seed,
                progress=cfg.progress,
            ),
            data,
        )
        train_s = _recorded_train_s(path, time.perf_counter() - t0)
        net = load_sasrec(path)
        ranks = rank_rows(net, data.test, net.spec.max_len)
        results["sasrec"] = ModelResult(summarize(ranks), train_s, {"dim": net.spec.dim})

    if "transitions" in cfg.models:
        t0 = time.perf_counter()
        trans, params, _ = select_transitions(seqs, data.n_items, data.valid)
        results["transitions"] = ModelResult(
            summarize(scorer_ranks(trans, data.test)), time.perf_counter() - t0, params
        )

    if "meanpool" in cfg.models:
        results["meanpool"] = ModelResult(
            summarize(scorer_ranks(MeanPool(vecs, data.item_counts()), data.test)), 0.0
        )

    if "popularity" in cfg.models:
        t0 = time.perf_counter()
        pop = Popularity(data.item_counts())
        results["popularity"] = ModelResult(
            summarize(scorer_ranks(pop, data.test)), time.perf_counter() - t0
        )

    ordered = {m: results[m] for m in MODELS if m in results}
    env = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_before": round(load_before[0], 1),
        "load_after": round(os.getloadavg()[0], 1),
    }
    return RecEvalReport(str(cfg.data), data.n_items, len(data.test), ordered, ablation, env)
