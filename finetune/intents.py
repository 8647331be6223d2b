"""Training the intent classifier: a linear head on frozen MiniLM vectors.

Data: JSON lines with at least `text` and `intent` (the support-intents format of
DATASETS.md). `train_intents(cfg)` writes an artifact folder (head.npz, labels.json,
config.json, metrics.json); `evaluate_intents(...)` trains on a fixed 80% split (or on
all of the data when a test file is given) and scores the rest.

What we traded for CPU: the encoder stays frozen (one pass of encoding, then seconds of
head training); on templated support data a linear head already separates the intents.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from bot.intent_classifier import SCALE, IntentClassifier
from finetune.classification import accuracy, macro_f1, per_class_f1
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)


class IntentDataError(ValueError):
    """An intent data file is unusable; the message names the line and the problem."""


@dataclass
class IntentTrainConfig:
    data: Path  # JSON lines with "text" and "intent"
    out: Path = Path("var/models/intents")  # artifact folder
    epochs: int = 60  # passes over the training vectors (cheap: the encoder is frozen)
    lr: float = 3e-3  # AdamW learning rate of the head
    weight_decay: float = 1e-4
    batch_size: int = 64
    seed: int = 0  # fixes the split and the head's initialisation
    holdout: float = 0.2  # share held out for metrics.json (0 trains on everything)


def load_intent_rows(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        raise IntentDataError(f"{path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise IntentDataError(f"{path}:{n}: not valid JSON ({e.msg})") from e
            text, intent = str(row.get("text") or "").strip(), str(row.get("intent") or "").strip()
            if not text or not intent:
                raise IntentDataError(f"{path}:{n}: each row needs non-empty 'text' and 'intent'")
            rows.append((text, intent))
    if len({i for _, i in rows}) < 2:
        raise IntentDataError(
            f"{path}: needs at least two different intents, found {len(rows)} rows"
        )
    return rows


def split(
    rows: list[tuple[str, str]], holdout: float, seed: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A fixed shuffled split: the same seed always gives the same 80/20 (or other) split."""
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout must be in [0, 1), got {holdout}")
    idx = list(range(len(rows)))
    random.Random(seed).shuffle(idx)
    cut = len(rows) - round(holdout * len(rows))
    return [rows[i] for i in idx[:cut]], [rows[i] for i in idx[cut:]]


def fit_head(
    vectors: np.ndarray, labels: list[str], cfg: IntentTrainConfig, progress: bool = True
) -> tuple[list[str], np.ndarray, np.ndarray, list[float]]:
    """Train the linear head; returns (label names, weight, bias, loss per epoch)."""
    names = sorted(set(labels))
    index = {n: i for i, n in enumerate(names)}
    torch.manual_seed(cfg.seed)
    x = torch.tensor(np.asarray(vectors, dtype=np.float32)) * SCALE
    y = torch.tensor([index[label] for label in labels])
    head = torch.nn.Linear(x.shape[1], len(names))
    opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    losses = []
    for _ in tqdm(range(cfg.epochs), desc="training intent head", disable=not progress):
        perm = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), cfg.batch_size):
            b = perm[i : i + cfg.batch_size]
            loss = torch.nn.functional.cross_entropy(head(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        losses.append(total / len(x))
    return names, head.weight.detach().numpy(), head.bias.detach().numpy(), losses


def score(
    clf: IntentClassifier, rows: list[tuple[str, str]], vectors: np.ndarray | None = None
) -> dict[str, object]:
    vecs = clf.embedder.encode([t for t, _ in rows]) if vectors is None else vectors
    pred = [p.label for p in clf.predict_vectors(vecs)]
    gold = [i for _, i in rows]
    return {
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(gold, pred),
        "per_class_f1": per_class_f1(gold, pred),
        "n": len(rows),
    }


def evaluate_intents(
    embedder: Embedder,
    data: Path,
    test: Path | None = None,
    cfg: IntentTrainConfig | None = None,
    progress: bool = True,
) -> dict[str, object]:
    """Train on 80% of `data` and score the other 20% — or train on all of it and score `test`."""
    cfg = cfg or IntentTrainConfig(data=data)
    rows = load_intent_rows(data)
    train_rows, test_rows = (
        (rows, load_intent_rows(test)) if test else split(rows, cfg.holdout, cfg.seed)
    )
    t0 = time.perf_counter()
    vecs = embedder.encode([t for t, _ in train_rows], show_progress=progress)
    names, w, b, _ = fit_head(vecs, [i for _, i in train_rows], cfg, progress)
    train_s = time.perf_counter() - t0
    result = score(IntentClassifier(embedder, names, w, b), test_rows)
    unseen = sorted({i for _, i in test_rows} - set(names))
    return {
        **result,
        "train_s": round(train_s, 1),
        "n_train": len(train_rows),
        "unseen_intents": unseen,
    }


def train_intents(cfg: IntentTrainConfig, embedder: Embedder, progress: bool = True) -> Path:
    """Train on `cfg.data` (minus the holdout) and write the artifact folder."""
    rows = load_intent_rows(cfg.data)
    train_rows, held = split(rows, cfg.holdout, cfg.seed)
    vecs = embedder.encode([t for t, _ in train_rows], show_progress=progress)
    names, w, b, losses = fit_head(vecs, [i for _, i in train_rows], cfg, progress)
    clf = IntentClassifier(embedder, names, w, b)
    tmp = cfg.out.with_name(cfg.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    clf.save(tmp)
    metrics: dict[str, object] = {
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "n_train": len(train_rows),
    }
    if held:
        metrics |= score(clf, held)
    (tmp / "metrics.json").write_text(json.dumps(metrics, indent=1))
    (tmp / "config.json").write_text(
        json.dumps({k: str(v) for k, v in asdict(cfg).items()}, indent=1)
    )
    if cfg.out.exists():
        shutil.rmtree(cfg.out)
    tmp.rename(cfg.out)
    return cfg.out
