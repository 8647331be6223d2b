"""The training loop shared by the user encoder and SASRec: next-item cross-entropy over all items.

Each epoch walks the train sequences (cut into windows, reversed copies added as
augmentation when asked), predicts every next item with a full softmax over the
catalog, then ranks the validation targets; the best epoch's weights are kept and
training stops after `patience` epochs without a better NDCG@10. A checkpoint after
every epoch lets an interrupted run resume where it stopped.

    result = fit(net, sequences, data.valid, LoopConfig(), workdir, progress=True)
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from recommender.data import RecRow
from recommender.metrics import summarize, target_ranks
from recommender.seq_encoder import length_batches, pad_left, training_windows

log = logging.getLogger(__name__)
CHECKPOINT = "checkpoint.pt"


class SequenceNet(Protocol):
    """What the loop needs from a model (UserEncoderNet and SASRecNet both have it)."""

    def item_table(self) -> torch.Tensor: ...
    def states(self, x: torch.Tensor, table: torch.Tensor) -> torch.Tensor: ...
    def logits(self, states: torch.Tensor, table: torch.Tensor) -> torch.Tensor: ...


@dataclass
class LoopConfig:
    epochs: int = 40  # upper bound; early stopping usually ends sooner
    patience: int = 3  # epochs without a better valid NDCG@10 before stopping
    batch_size: int = 128  # sequences per step
    lr: float = 1e-3  # AdamW learning rate
    weight_decay: float = 0.0  # AdamW weight decay
    max_len: int = 50  # newest items per training window
    reverse: float = 1.0  # share of sequences also trained in reverse order (augmentation)
    max_minutes: float = 12.0  # wall-clock budget; the best epoch so far is kept
    seed: int = 0


@dataclass
class FitResult:
    best_epoch: int
    epochs_run: int
    valid: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    train_s: float = 0.0


def _as_net(net: Any) -> nn.Module:
    if not isinstance(net, nn.Module):
        raise TypeError("net must be a torch Module")
    return net


@torch.inference_mode()
def rank_rows(
    net: SequenceNet, rows: Sequence[RecRow], max_len: int, batch: int = 512
) -> np.ndarray:
    """0-based rank of each row's target (history excluded), in the order of `rows`."""
    module = _as_net(net)
    was_training = module.training
    module.eval()
    table = net.item_table()
    ranks = np.zeros(len(rows), dtype=np.int64)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].history))
    for i in range(0, len(order), batch):
        idx = order[i : i + batch]
        part = [rows[j] for j in idx]
        length = max(1, min(max_len, max(len(r.history) for r in part)))
        x = pad_left([r.history for r in part], length)
        scores = net.logits(net.states(x, table)[:, -1], table).numpy()
        ranks[idx] = target_ranks(scores, [r.target for r in part], [r.history for r in part])
    module.train(was_training)
    return ranks


def _resumable(config: dict[str, Any] | None) -> dict[str, Any]:
    """The settings a checkpoint must share to be resumed (the time budget may differ)."""
    return {k: v for k, v in (config or {}).items() if k != "max_minutes"}


def _save(obj: dict[str, Any], path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    torch.save(obj, tmp)
    os.replace(tmp, path)


def fit(
    net: SequenceNet,
    sequences: Sequence[Sequence[int]],
    valid: Sequence[RecRow],
    cfg: LoopConfig,
    workdir: Path,
    progress: bool = True,
    desc: str = "train",
) -> FitResult:
    """Train `net` in place; on return it holds the best epoch's weights."""
    module = _as_net(net)
    workdir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    base = training_windows(sequences, cfg.max_len)
    if not base:
        raise ValueError("no train sequence has two or more items: nothing to learn from")
    opt = torch.optim.AdamW(module.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ckpt_path = workdir / CHECKPOINT
    state: dict[str, Any] = {"epoch": 0, "best": -1.0, "best_epoch": -1, "bad": 0, "history": []}
    best_weights = {k: v.detach().clone() for k, v in module.state_dict().items()}
    spent = 0.0
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if _resumable(ck.get("config")) == _resumable(asdict(cfg)):
            module.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optim"])
            best_weights, state, spent = ck["best_weights"], ck["state"], ck["train_s"]
            rng = ck["rng"]
            torch.set_rng_state(ck["torch_rng"])
            log.info("%s: resuming after epoch %d", desc, state["epoch"])
        else:
            log.info("%s: checkpoint has another config; starting over", desc)
    t0 = time.perf_counter() - spent
    module.train()
    while state["epoch"] < cfg.epochs and state["bad"] < cfg.patience:
        if time.perf_counter() - t0 > cfg.max_minutes * 60:
            log.warning("%s: stopped at the %.0f-minute budget", desc, cfg.max_minutes)
            break
        wins = base + [w[::-1] for w in base if rng.random() < cfg.reverse]
        lengths = [len(w) for w in wins]
        batches = list(length_batches(lengths, cfg.batch_size, rng))
        total, count = 0.0, 0
        bar = tqdm(batches, desc=f"{desc} epoch {state['epoch'] + 1}", disable=not progress)
        for b in bar:
            seqs = [wins[i] for i in b]
            length = max(len(s) for s in seqs) - 1
            x = pad_left([s[:-1] for s in seqs], length)
            y = pad_left([s[1:] for s in seqs], length)
            table = net.item_table()
            h = net.states(x, table)
            mask = y > 0
            loss = F.cross_entropy(net.logits(h[mask], table), y[mask] - 1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = int(mask.sum())
            total, count = total + loss.item() * n, count + n
            bar.set_postfix(loss=f"{total / count:.3f}")
        metrics = summarize(rank_rows(net, valid, cfg.max_len))
        state["epoch"] += 1
        row = {"epoch": state["epoch"], "loss": total / max(count, 1), **metrics}
        state["history"].append(row)
        log.info("%s epoch %d: loss %.4f valid %s", desc, state["epoch"], row["loss"], metrics)
        if metrics["ndcg@10"] > state["best"]:
            state.update(best=metrics["ndcg@10"], best_epoch=state["epoch"], bad=0)
            best_weights = {k: v.detach().clone() for k, v in module.state_dict().items()}
        else:
            state["bad"] += 1
        _save(
            {
                "config": asdict(cfg),
                "model": module.state_dict(),
                "optim": opt.state_dict(),
                "best_weights": best_weights,
                "state": state,
                "train_s": time.perf_counter() - t0,
                "rng": rng,
                "torch_rng": torch.get_rng_state(),
            },
            ckpt_path,
        )
        if not math.isfinite(row["loss"]):
            raise FloatingPointError(f"{desc}: the loss is not finite; lower the learning rate")
    module.load_state_dict(best_weights)
    module.eval()
    hist = state["history"]
    best: dict[str, float] = next((h for h in hist if h["epoch"] == state["best_epoch"]), {})
    return FitResult(
        best_epoch=state["best_epoch"],
        epochs_run=state["epoch"],
        valid={k: v for k, v in best.items() if "@" in k},
        history=hist,
        train_s=time.perf_counter() - t0,
    )
